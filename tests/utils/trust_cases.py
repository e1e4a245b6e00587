"""Trust-battery cases for statnorm.utils (see tests/test_trust.py)."""

from statnorm import utils as u
from statnorm.utils._trust import Case

_M = "statnorm.utils"

CASES = {
    f"{_M}.all_estimators": Case(
        lambda type_filter: u.all_estimators(type_filter),
        {},
        params={"type_filter": "classifier"},
        bad_params={"type_filter": ["nope", 3]},
    ),
    f"{_M}.all_functions": Case(lambda: u.all_functions(), {}),
    f"{_M}.show_versions": Case(
        lambda as_dict: u.show_versions(as_dict=as_dict),
        {},
        params={"as_dict": True},
        bad_params={"as_dict": ["yes", None]},
    ),
}
