"""Trust-battery cases for statnorm.results (see tests/test_trust.py)."""

from dataclasses import dataclass

from statnorm import results as r
from statnorm.utils._trust import Case

_M = "statnorm.results"


@dataclass(frozen=True)
class _Mean(r.Result):
    mean: float
    n: int


CASES = {
    f"{_M}.Result": Case(lambda: _Mean(1.5, 3).summary().to_dict(), {}),
    f"{_M}.TestResult": Case(lambda: r.TestResult(1.0, 0.5).to_dict(), {}),
    f"{_M}.ConfidenceInterval": Case(
        lambda: (
            r.ConfidenceInterval(
                lower=[0.0, 1.0], upper=[2.0, 3.0], confidence_level=0.9, kind="normal"
            )
            .summary()
            .to_dict()
        ),
        {},
    ),
    f"{_M}.SummaryTable": Case(
        lambda: r.SummaryTable("T", ("a",), ((1.0,),)).to_markdown(), {}
    ),
}
