"""scikit-learn's common estimator checks over every registered estimator.

Estimators are discovered by ``statnorm.utils.all_estimators()``; fast
constructor arguments and the documented expected failures live in
``statnorm/utils/_test_common.py``. A trivial estimator defined here (not
shipped) keeps the harness exercised even before any method lands, and a
deliberately broken one shows that the harness catches contract violations.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks
from sklearn.utils.validation import check_is_fitted, validate_data

from statnorm import METHODS
from statnorm.utils import all_estimators
from statnorm.utils._test_common import (
    EXPECTED_FAILED_CHECKS,
    INIT_PARAMS,
    SKIPPED_ESTIMATORS,
    expected_failed_checks,
    init_params,
)


class _ToyCentering(TransformerMixin, BaseEstimator):
    """Subtract the training mean: the smallest correct transformer."""

    def __init__(self, with_scale=False):
        self.with_scale = with_scale

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0) if self.with_scale else np.ones(X.shape[1])
        self.scale_[self.scale_ == 0] = 1.0
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return (X - self.mean_) / self.scale_


class _BrokenCentering(_ToyCentering):
    """Violates the contract: mutates a parameter in fit, skips validation."""

    def fit(self, X, y=None):
        self.with_scale = "changed"  # modifies a constructor argument
        X = np.asarray(X)  # no validation: NaN, 1-D input, strings slip through
        self.mean_ = X.mean(axis=0)
        return self

    def transform(self, X):
        return np.asarray(X) - self.mean_  # no check_is_fitted


def _instances():
    for _, cls in all_estimators():
        if cls not in SKIPPED_ESTIMATORS:
            yield cls(**init_params(cls))
    yield _ToyCentering()


@parametrize_with_checks(
    list(_instances()), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_harness_catches_a_broken_estimator():
    results = check_estimator(_BrokenCentering(), on_fail=None, on_skip=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    # Each of these is a distinct contract the broken class violates.
    assert (
        "check_dont_overwrite_parameters" in failed
        or "check_estimators_overwrite_params" in failed
    )
    assert "check_estimators_nan_inf" in failed
    assert "check_dtype_object" in failed


def test_toy_estimator_passes_every_check():
    results = check_estimator(_ToyCentering(), on_fail=None, on_skip=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []
    assert len(results) > 30


def test_registry_lists_only_concrete_public_estimators():
    names = [name for name, _ in all_estimators()]
    assert names == sorted(names)
    assert not [n for n in names if n.startswith(("Base", "_"))]
    for name, cls in all_estimators():
        assert cls.__module__.split(".")[1] in METHODS, name


def test_registry_type_filter_is_validated():
    with pytest.raises(ValueError, match="type_filter must be"):
        all_estimators(type_filter="bogus")


def test_registry_settings_name_registered_estimators_with_reasons():
    registered = {cls for _, cls in all_estimators()}
    for table in (EXPECTED_FAILED_CHECKS, INIT_PARAMS, SKIPPED_ESTIMATORS):
        for cls in table:
            assert cls in registered, f"{cls} is not a registered estimator"
    for cls, checks in EXPECTED_FAILED_CHECKS.items():
        assert cls not in SKIPPED_ESTIMATORS, f"{cls.__name__} is skipped anyway"
        for check, reason in checks.items():
            assert len(reason) > 10, f"{cls.__name__}.{check} needs a written reason"
    for cls, reason in SKIPPED_ESTIMATORS.items():
        assert len(reason) > 10, f"{cls.__name__} needs a written reason"


@pytest.mark.parametrize(
    "estimator", list(_instances())[:-1], ids=lambda e: type(e).__name__
)
def test_constructor_parameters_are_validated(estimator):
    # scikit-learn's own parameter-validation check (not among the checks
    # parametrize_with_checks yields): for every constructor parameter, a value
    # generated outside its _parameter_constraints must make fit (and every
    # other fitting method) raise InvalidParameterError naming the parameter.
    from sklearn.utils.estimator_checks import check_param_validation

    check_param_validation(type(estimator).__name__, estimator)
