"""Settings for the common estimator checks (``tests/test_common.py``).

Every estimator returned by :func:`statnorm.utils.all_estimators` is run
through :func:`sklearn.utils.estimator_checks.parametrize_with_checks`. The
settings are keyed by class, as in imbalanced-learn's registry; a method that
adds an estimator adds here:

- ``INIT_PARAMS[cls]``: small, fast constructor arguments (few permutations,
  few bootstrap draws, few iterations) so the checks stay quick;
- ``EXPECTED_FAILED_CHECKS[cls]``: ``{check_name: reason}`` for checks that
  cannot apply to the estimator, each with a written reason. A listed check
  that starts passing fails the run (strict xfail), so the list cannot rot;
- ``SKIPPED_ESTIMATORS[cls]``: a reason why the estimator's API cannot go
  through the generic checks at all (its own tests cover the same contracts).
"""

from sklearn.linear_model import LinearRegression
from sklearn.linear_model import QuantileRegressor as _QR

from statnorm.calibration import (
    BetaCalibration,
    CalibratedClassifier,
    HCalibrator,
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    MatrixScalingCV,
    MonotoneNetworkMap,
    PiecewiseLinearMap,
    SigmoidCalibration,
    TemperatureEnsembleMap,
    TemperatureScaling,
    VectorScaling,
)
from statnorm.compositional import (
    ALRTransformer,
    CLRTransformer,
    CompositionalPartialCorrelation,
    ILRTransformer,
)
from statnorm.depth import HalfspaceDepth, ProjectionDepth, TTEDepth
from statnorm.kde import HighDimKDE
from statnorm.mmd import KernelLearner, MMDDriftDetector, MMDTest
from statnorm.quantile import (
    AdaptiveConformalRegressor,
    ConformalQuantileRegressor,
    EnbPIRegressor,
    QuantileAggregator,
)
from statnorm.rdd import DistributionalRDD

INIT_PARAMS: dict[type, dict] = {}
EXPECTED_FAILED_CHECKS: dict[type, dict[str, str]] = {}
SKIPPED_ESTIMATORS: dict[type, str] = {}

# ---------------------------------------------------------------- calibration
# Every calibrator takes logits with one column per class: labels 0..C-1 index
# the columns, other labels (strings, {3, 7, 9}) are classes_ = np.unique(y),
# one per column. The generic checks below fit 3-class labels on 2-column X.
_CALIBRATION_LABELS = (
    "one logit column per class (C = n_features); the check fits 3-class labels "
    "on 2-column data"
)
for _cls in (
    BetaCalibration,
    HCalibrator,
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    MatrixScalingCV,
    SigmoidCalibration,
    TemperatureScaling,
    VectorScaling,
):
    EXPECTED_FAILED_CHECKS[_cls] = {
        "check_estimators_overwrite_params": _CALIBRATION_LABELS,
        "check_estimators_fit_returns_self": _CALIBRATION_LABELS,
        "check_readonly_memmap_input": _CALIBRATION_LABELS,
        "check_classifiers_train": "the check's X are features, not logits: a "
        "recalibrator keeps the arg-max of its logits, so on the check's binary "
        "blobs its accuracy is that of the arg-max of the two features (below the "
        "0.83 the check asks), and the 3-class part has 2 columns",
        "check_classifiers_classes": _CALIBRATION_LABELS,
    }
# A step below float resolution leaves the ECE unchanged, so a one-epoch
# patience ends training at epoch 2 without a ConvergenceWarning (pytest turns
# it into an error); real fits are exercised in the calibration tests.
INIT_PARAMS[HCalibrator] = {
    "max_iter": 5,
    "n_iter_no_change": 1,
    "learning_rate_init": 1e-300,
    "window": 10,
    "random_state": 0,
}

INIT_PARAMS[CalibratedClassifier] = {"calibrator": "temperature", "cv": 2}
EXPECTED_FAILED_CHECKS.setdefault(KernelLearner, {})[
    "check_sample_weight_equivalence_on_dense_data"
] = (
    "minibatch Adam visits rows in data order and the check shuffles the repeated "
    "rows; integer weights equal repetition in the same order "
    "(tests/mmd/test_mmd.py::test_kernel_learner_integer_weights_equal_row_repetition)"
)
EXPECTED_FAILED_CHECKS[MatrixScaling][
    "check_sample_weight_equivalence_on_dense_data"
] = (
    "unpenalised matrix scaling on the check's small separable data has no finite "
    "optimum, so L-BFGS stops at different points on the weighted and repeated "
    "data; the equivalence is tested on non-separable data in "
    "tests/calibration/test_parametric.py"
)
# two folds and two penalties keep the checks quick
INIT_PARAMS[MatrixScalingCV] = {"reg_lambdas": [1e-1, 10.0], "cv": 2, "random_state": 0}
EXPECTED_FAILED_CHECKS[MatrixScalingCV][
    "check_sample_weight_equivalence_on_dense_data"
] = (
    "the folds are drawn over rows, so a row of weight 2 and the same row "
    "repeated land in different folds and the held-out scores differ; the refit "
    "is MatrixScaling's, whose weights equal repetition "
    "(tests/calibration/test_parametric.py)"
)

for _cls in (PiecewiseLinearMap, TemperatureEnsembleMap, MonotoneNetworkMap):
    SKIPPED_ESTIMATORS[_cls] = (
        "a map strategy for HCalibrator (parameters only, get_params/set_params "
        "for nested grid search); it has no fit and is fitted inside HCalibrator"
    )

# -------------------------------------------------------------- compositional
# The checks make X "positive" by subtracting its minimum, which creates an
# exact zero; log-ratio methods reject zeros unless a replacement is chosen,
# so the checks run with multiplicative replacement.
_ALL_ZERO_ROW = (
    "the check casts random data to integers and shifts it to be non-negative, "
    "leaving an all-zero row: not a composition (no positive part), rejected "
    "with a clear error even with zero replacement"
)
for _cls in (
    ALRTransformer,
    CLRTransformer,
    CompositionalPartialCorrelation,
    ILRTransformer,
):
    INIT_PARAMS[_cls] = {"zero_replacement": "multiplicative"}
    EXPECTED_FAILED_CHECKS[_cls] = {"check_estimators_dtypes": _ALL_ZERO_ROW}
EXPECTED_FAILED_CHECKS[CompositionalPartialCorrelation].update(
    {
        "check_sample_weights_pandas_series": _ALL_ZERO_ROW,
        "check_sample_weights_not_an_array": _ALL_ZERO_ROW,
        "check_sample_weight_equivalence_on_dense_data": (
            "the check fits 30 parts on fewer samples, where the unshrunk "
            "estimate is not identified and warns (DataDimensionalityWarning); "
            "the compositional tests check weights == repetition"
        ),
    }
)

# ---------------------------------------------------------------------- depth
INIT_PARAMS[HalfspaceDepth] = {"n_directions": 50, "random_state": 0}
INIT_PARAMS[ProjectionDepth] = {"n_directions": 50, "random_state": 0}
EXPECTED_FAILED_CHECKS[TTEDepth] = {
    "check_estimators_dtypes": (
        "the integer-cast data contain all-zero rows, which the cosine metric "
        "rejects by design (a zero vector has no direction)"
    ),
    "check_n_features_in_after_fitting": (
        "fits centred Gaussian data, on which TTEDepth correctly raises "
        "IsotropicReferenceWarning (the cosine depth ranks by noise there) and "
        "pytest turns warnings into errors"
    ),
}

# ------------------------------------------------------------------------ kde
EXPECTED_FAILED_CHECKS[HighDimKDE] = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the check fits 15 samples in 30 features; the default Scott bandwidth "
        "scales the kernel by the data covariance, singular there, and HighDimKDE "
        "raises a clear error rather than regularising silently "
        "(the kde tests check weights == repetition at a fixed bandwidth)"
    ),
}

# ------------------------------------------------------------------------ mmd
INIT_PARAMS[KernelLearner] = {
    "n_components": 3,
    "hidden_layer_sizes": (4,),
    "max_iter": 3,
    "batch_size": 20,
    # the checks' data sets are too small for a validation split of each class
    "validation_fraction": 0.0,
    "random_state": 0,
}

SKIPPED_ESTIMATORS[MMDTest] = (
    "MMDTest is a hypothesis test, not a fitted model: it has no fit, only "
    "test(X, Y); it derives from BaseEstimator for get_params/set_params/clone "
    "(tested in the mmd tests) and every generic check needs fit"
)

INIT_PARAMS[MMDDriftDetector] = {"n_permutations": 19, "random_state": 0}
_DRIFT_RESULT = (
    "predict tests the whole batch and returns one MMDDriftResult, not an array "
    "with one value per row, so these checks cannot compare outputs; pickling, "
    "refitting and row-order invariance are tested in tests/mmd/test_drift.py"
)
EXPECTED_FAILED_CHECKS[MMDDriftDetector] = {
    "check_estimators_pickle": _DRIFT_RESULT,
    "check_estimators_pickle(readonly_memmap=True)": _DRIFT_RESULT,
    "check_methods_sample_order_invariance": _DRIFT_RESULT,
    "check_methods_subset_invariance": _DRIFT_RESULT,
    "check_fit_idempotent": _DRIFT_RESULT,
}

# ------------------------------------------------------------------- quantile
# One cheap linear base model, three folds, three levels.
INIT_PARAMS[QuantileAggregator] = {
    "estimators": [("linear", _QR(alpha=0.0, solver="highs"))],
    "quantiles": (0.25, 0.5, 0.75),
    "cv": 3,
    "random_state": 0,
}
INIT_PARAMS[ConformalQuantileRegressor] = {
    "estimator": _QR(alpha=0.0, solver="highs"),
    "quantiles": (0.25, 0.5, 0.75),
    "random_state": 0,
}
_QUANTILE_FAN = (
    "predict returns a quantile fan of shape (n_samples, n_quantiles), not y's shape "
    "(n_samples,), and score is the negative pinball loss, not R^2 > 0.5; a single "
    "float in quantiles gives 1-D output (tested in the quantile tests)"
)
# ACI on a linear point model (absolute residuals); level 0.5 so that the few
# calibration rows of the checks' small data sets give finite intervals
INIT_PARAMS[AdaptiveConformalRegressor] = {
    "estimator": LinearRegression(),
    "confidence_level": 0.5,
    "gamma": 0.01,
}
# 30 resamplings: with fewer, a block lies in every resample of a short series
# (no leave-one-out ensemble; an error by design)
INIT_PARAMS[EnbPIRegressor] = {
    "confidence_level": 0.5,
    "n_resamplings": 30,
    "random_state": 0,
}
for _cls in (QuantileAggregator, ConformalQuantileRegressor):
    EXPECTED_FAILED_CHECKS[_cls] = {
        "check_regressors_train": _QUANTILE_FAN,
        "check_regressors_train(readonly_memmap=True)": _QUANTILE_FAN,
        "check_regressors_train(readonly_memmap=True,X_dtype=float32)": _QUANTILE_FAN,
    }

# ------------------------------------------------------------------------ rdd
SKIPPED_ESTIMATORS[DistributionalRDD] = (
    "DistributionalRDD.fit takes (x: 1-D running variable, samples: per-unit "
    "draws of the outcome), not (X: 2-D features, y); every generic check feeds "
    "a 2-D X, which is rejected by design. The same contracts (NaN/inf, shapes, "
    "dtypes, empty input, pickling, clone, idempotent fit, no mutation) are "
    "tested in the rdd tests and the trust battery."
)


def init_params(estimator_class):
    """Return the fast constructor arguments registered for a class."""
    return dict(INIT_PARAMS.get(estimator_class, {}))


def expected_failed_checks(estimator):
    """Return ``{check: reason}`` for an estimator instance (may be empty)."""
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator), {}))
