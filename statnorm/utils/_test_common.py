"""Settings for the common estimator checks (``tests/test_common.py``).

Every estimator returned by :func:`statnorm.utils.all_estimators` is run
through :func:`sklearn.utils.estimator_checks.parametrize_with_checks`. A method
issue that adds an estimator adds here, keyed by class name:

- ``INIT_PARAMS[name]``: small, fast constructor arguments (few permutations,
  few bootstrap draws, few iterations) so the checks stay quick;
- ``EXPECTED_FAILED_CHECKS[name]``: ``{check_name: reason}`` for checks that
  cannot apply to the estimator, each with a written reason. A listed check
  that starts passing fails the run (strict xfail), so the list cannot rot.
"""

INIT_PARAMS: dict[str, dict] = {
    # mmd: few epochs, small feature map
    "KernelLearner": {"n_components": 3, "n_hidden": 4, "max_epochs": 3,
                      "batch_size": 20, "random_state": 0},
}

EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}


def init_params(estimator_class):
    """Return the fast constructor arguments registered for a class."""
    return dict(INIT_PARAMS.get(estimator_class.__name__, {}))


def expected_failed_checks(estimator):
    """Return ``{check: reason}`` for an estimator instance (may be empty)."""
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))
