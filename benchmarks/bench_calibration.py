"""statnorm.calibration: h-calibration objective and fit; TS and isotonic vs sklearn.

Data: the synthetic over-confident recipe of the paper note (``y ~ U{0..C-1}``,
``z ~ N(0, 1)``, ``z[i, y_i] += 2``, ``logits = 3 z``) at 10,000 x 100.

- ``HCalObjective``: one objective-and-gradient evaluation (sort once + masked
  prefix sums, all 100 leave-one-class-out passes) at 10,000 x 100 and
  2,000 x 100, with equal-mass and with k-means groups.
- ``HCalFit``: ``HCalibrator`` fit with a fixed 20 Adam steps (in-sample, no
  early stopping), so the time is per-step cost x 20, at 2,000 x 100 and
  10,000 x 100.
- ``HCalDefaultVsTS``: the default ``HCalibrator()`` (temperature start,
  cross-validated step count) next to ``TemperatureScaling`` on the same
  data: the CIFAR-10 DenseNet-40 validation logits (5,000 x 10), the netcal
  CIFAR-100 DenseNet-BC-100 record (even rows, 5,000 x 100, from
  ``tests/calibration/data/netcal``) and synthetic over-confident logits at
  25,000 x 1,000 (ImageNet-sized; not in quick mode). ``track_cpu_ratio_*``
  give single-thread CPU-time ratios measured in the same process:
  default / TS, the authors' protocol / TS (not at 1,000 classes), and the
  cross-validated map search (``map="auto"``) / the default (5,000 x 10).
- ``TemperatureScalingVsSklearn``: ``TemperatureScaling`` next to
  ``CalibratedClassifierCV(FrozenEstimator(passthrough), method="temperature")``
  on the same 10,000 x 100 logits.
- ``IsotonicVsSklearn``: ``IsotonicCalibrator`` next to
  ``CalibratedClassifierCV(..., method="isotonic")`` (one-vs-rest on the
  decision values, renormalised).
- ``SigmoidVsSklearn``: ``SigmoidCalibration`` next to
  ``CalibratedClassifierCV(..., method="sigmoid")`` on the same logits.
- ``BetaVsBetacal``: binary ``BetaCalibration`` next to the ``betacal``
  package (skipped when it is not installed) on 100,000 scores.
- ``MatrixScalingCVVsTemperature``: ``MatrixScalingCV()`` (default grid of
  five penalties, five folds, warm-started paths, refit) next to
  ``TemperatureScaling`` on the same 5,000 x 100 logits: the price of
  choosing the Dirichlet penalty by cross-validation.
- ``MatrixScalingCVVsGridSearch``: the same search next to
  ``GridSearchCV(MatrixScaling(), ...)`` on the same folds and grid (cold
  starts; what a user would otherwise write), and the held-out NLL of the
  chosen model minus temperature scaling's on fresh rows of the same recipe.
  Skipped in quick mode (the grid search takes minutes).
"""

import warnings

import numpy as np
from scipy.special import log_softmax

from .common import QUICK, Benchmark, rng, skip_unless_available


def _logits(n, C=100):
    g = rng(n + C)
    y = g.integers(0, C, n)
    z = g.normal(size=(n, C))
    z[np.arange(n), y] += 2.0
    return 3.0 * z, y


def _passthrough(C):
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Passthrough(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.arange(C)
            return self

        def decision_function(self, X):
            return np.asarray(X, dtype=float)

        def predict(self, X):
            return np.asarray(X).argmax(1)

    return Passthrough


class HCalObjective(Benchmark):
    params = ([2000, 10000], ["equal_mass", "kmeans"])
    param_names = ["n_samples", "grouping"]

    def setup(self, n, grouping):
        if QUICK and n == 2000:
            raise NotImplementedError("quick mode: the 10,000 x 100 size only")
        loss = skip_unless_available("statnorm.calibration", "hcalibration_loss")
        self.loss = loss
        X, self.y = _logits(n)
        self.P = np.exp(log_softmax(X, axis=1))
        loss(self.y[:50], self.P[:50], window=10, return_gradient=True)
        loss(self.y[:50], self.P[:50], window=10, grouping="kmeans")

    def time_statnorm(self, n, grouping):
        self.loss(self.y, self.P, grouping=grouping, return_gradient=True)

    def peakmem_statnorm(self, n, grouping):
        self.loss(self.y, self.P, grouping=grouping, return_gradient=True)


class HCalFit(Benchmark):
    params = ([2000, 10000],)
    param_names = ["n_samples"]
    timeout = 600

    def setup(self, n):
        if QUICK and n == 10000:
            raise NotImplementedError("quick mode: smaller sizes only")
        self.HCal = skip_unless_available("statnorm.calibration", "HCalibrator")
        self.X, self.y = _logits(n)
        self._fit(self.X[:200], self.y[:200], 2)

    def _fit(self, X, y, steps):
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self.HCal(
                max_iter=steps, early_stopping=False, cv="in-sample"
            ).fit(X, y)

    def time_statnorm(self, n):
        self._fit(self.X, self.y, 20)


class HCalQuality(Benchmark):
    """Test ECE (15 bins) after a 20-step HCalibrator fit at 2,000 x 100."""

    def setup(self):
        if QUICK:
            raise NotImplementedError("quick mode: timing only")
        self.HCal = skip_unless_available("statnorm.calibration", "HCalibrator")
        self.X, self.y = _logits(2000)

    def track_test_ece_after_fit(self):
        from sklearn.exceptions import ConvergenceWarning

        from statnorm.calibration.metrics import expected_calibration_error

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            cal = self.HCal(max_iter=20, early_stopping=False, cv="in-sample")
            cal.fit(self.X, self.y)
        Xt, yt = _logits(2001)
        return expected_calibration_error(yt, cal.predict_proba(Xt))

    track_test_ece_after_fit.unit = "ECE"


def _hcal_task(name):
    from pathlib import Path

    if name == "5000x10":
        from statnorm.datasets import load_cifar10_logits

        return load_cifar10_logits("validation", return_X_y=True)
    if name == "5000x100":
        path = Path(__file__).resolve().parents[1] / "tests/calibration/data/netcal"
        with np.load(path / "densenet-bc-100-cifar-100.npz") as f:
            P = np.clip(f["predictions"][::2].astype(np.float64), 1e-30, None)
            return np.log(P), f["ground_truth"][::2]
    g = rng(1000)
    n, C = 25000, 1000
    y = g.integers(0, C, n)
    z = g.normal(size=(n, C))
    z[np.arange(n), y] += 3.0
    return (2.5 * z).astype(np.float32), y


def _cpu_seconds(fit):
    """Single-thread CPU seconds of one call (BLAS and Numba on one thread)."""
    import time

    from threadpoolctl import threadpool_limits

    from statnorm._numba import parallel_threads

    with threadpool_limits(1), parallel_threads(1):
        t0 = time.process_time()
        fit()
        return time.process_time() - t0


class _HCalTask(Benchmark):
    """Set-up shared by the h-calibration-vs-TS benchmarks: one task's logits,
    Numba compiled on 300 rows first."""

    param_names = ["task"]
    timeout = 900
    number = 1
    repeat = 1

    def setup(self, task):
        self.HCal = skip_unless_available("statnorm.calibration", "HCalibrator")
        from statnorm.calibration import TemperatureScaling

        self.TS = TemperatureScaling
        self.X, self.y = _hcal_task(task)
        self.HCal(random_state=0).fit(self.X[:300], self.y[:300])  # compile

    def _default(self):
        return self.HCal(random_state=0).fit(self.X, self.y)

    def _ts_cpu(self):
        return _cpu_seconds(lambda: self.TS().fit(self.X, self.y))


class HCalDefaultVsTS(_HCalTask):
    params = (
        ["5000x10", "5000x100"] if QUICK else ["5000x10", "5000x100", "25000x1000"],
    )

    def time_hcalibrator_default(self, task):
        self._default()

    def time_temperature_scaling(self, task):
        self.TS().fit(self.X, self.y)

    def peakmem_hcalibrator_default(self, task):
        self._default()

    def track_cpu_ratio_default_to_ts(self, task):
        return _cpu_seconds(self._default) / self._ts_cpu()

    track_cpu_ratio_default_to_ts.unit = "ratio"


class HCalAuthorsProtocolVsTS(_HCalTask):
    """The authors' protocol (identity start, in-sample, every class left out
    at every step) / TS: not at 1,000 classes (minutes there), and in quick
    mode at 5,000 x 10 only."""

    params = (["5000x10"] if QUICK else ["5000x10", "5000x100"],)

    def track_cpu_ratio_authors_protocol_to_ts(self, task):
        from sklearn.exceptions import ConvergenceWarning

        def authors():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.HCal(
                    init="identity", cv="in-sample", iterate_classes=True
                ).fit(self.X, self.y)

        return _cpu_seconds(authors) / self._ts_cpu()

    track_cpu_ratio_authors_protocol_to_ts.unit = "ratio"


class HCalMapSearchVsDefault(_HCalTask):
    """The cross-validated map search (``map="auto"``) / the default fit, at
    5,000 x 10."""

    params = (["5000x10"],)

    def track_cpu_ratio_map_search_to_default(self, task):
        return _cpu_seconds(
            lambda: self.HCal(map="auto", random_state=0).fit(self.X, self.y)
        ) / _cpu_seconds(self._default)

    track_cpu_ratio_map_search_to_default.unit = "ratio"


class TemperatureScalingVsSklearn(Benchmark):
    params = ([10000],)
    param_names = ["n_samples"]

    def setup(self, n):
        self.TS = skip_unless_available("statnorm.calibration", "TemperatureScaling")
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        self.X, self.y = _logits(n)
        base = _passthrough(100)().fit(self.X, self.y)
        self.peer = CalibratedClassifierCV(FrozenEstimator(base), method="temperature")
        self.TS().fit(self.X[:100], self.y[:100])

    def time_statnorm(self, n):
        self.TS().fit(self.X, self.y)

    def time_peer_sklearn(self, n):
        self.peer.fit(self.X, self.y)

    def track_max_abs_proba_difference(self, n):
        a = self.TS().fit(self.X, self.y).predict_proba(self.X[:1000])
        b = self.peer.fit(self.X, self.y).predict_proba(self.X[:1000])
        return float(np.abs(a - b).max())


class IsotonicVsSklearn(Benchmark):
    params = ([10000],)
    param_names = ["n_samples"]

    def setup(self, n):
        self.Iso = skip_unless_available("statnorm.calibration", "IsotonicCalibrator")
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        self.X, self.y = _logits(n)
        base = _passthrough(100)().fit(self.X, self.y)
        self.peer = CalibratedClassifierCV(FrozenEstimator(base), method="isotonic")

    def time_statnorm(self, n):
        self.Iso().fit(self.X, self.y)

    def time_peer_sklearn(self, n):
        self.peer.fit(self.X, self.y)


class CalibratedClassifierVsSklearn(Benchmark):
    """``CalibratedClassifier(calibrator="temperature")`` next to scikit-learn's
    ``CalibratedClassifierCV(method="temperature")``: logistic regression on
    20,000 x 20, 10 classes, the same 3 stratified folds (classifier fits are
    most of the time in both)."""

    params = ([20000],)
    param_names = ["n_samples"]

    def setup(self, n):
        from sklearn.datasets import make_classification
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        self.Cal = skip_unless_available("statnorm.calibration", "CalibratedClassifier")
        self.X, self.y = make_classification(
            n_samples=n,
            n_features=20,
            n_informative=10,
            n_classes=10,
            random_state=0,
        )
        self.clf = LogisticRegression(max_iter=200)
        self.cv = StratifiedKFold(3, shuffle=True, random_state=0)

    def _ours(self):
        return self.Cal(self.clf, calibrator="temperature", cv=self.cv).fit(
            self.X, self.y
        )

    def _theirs(self):
        from sklearn.calibration import CalibratedClassifierCV

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CalibratedClassifierCV(
                self.clf, method="temperature", cv=self.cv
            ).fit(self.X, self.y)

    def time_statnorm(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._ours()

    def time_peer_sklearn(self, n):
        self._theirs()

    def track_max_abs_diff(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = self._ours().predict_proba(self.X[:2000])
        return float(np.abs(a - self._theirs().predict_proba(self.X[:2000])).max())


class SigmoidVsSklearn(Benchmark):
    """Platt scaling one-vs-rest on 10,000 x 100 logits (the same problem)."""

    params = ([10000],)
    param_names = ["n_samples"]

    def setup(self, n):
        self.SC = skip_unless_available("statnorm.calibration", "SigmoidCalibration")
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        self.X, self.y = _logits(n)
        base = _passthrough(100)().fit(self.X, self.y)
        self.peer = CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid")

    def time_statnorm(self, n):
        self.SC().fit(self.X, self.y)

    def time_peer_sklearn(self, n):
        self.peer.fit(self.X, self.y)

    def track_max_abs_proba_difference(self, n):
        a = self.SC().fit(self.X, self.y).predict_proba(self.X[:1000])
        b = self.peer.fit(self.X, self.y).predict_proba(self.X[:1000])
        return float(np.abs(a - b).max())


class BetaVsBetacal(Benchmark):
    """Binary Beta calibration (abm) on 100,000 scores next to betacal."""

    params = ([100000],)
    param_names = ["n_samples"]

    def setup(self, n):
        self.BC = skip_unless_available("statnorm.calibration", "BetaCalibration")
        try:
            from betacal import BetaCalibration
        except ImportError as exc:
            raise NotImplementedError("betacal is not installed") from exc
        self.peer = BetaCalibration
        g = rng(n)
        self.s = 1.5 * g.normal(size=n)
        self.y = (g.uniform(size=n) < 1 / (1 + np.exp(-0.7 * self.s))).astype(int)
        self.p = 1 / (1 + np.exp(-self.s))

    def time_statnorm(self, n):
        self.BC().fit(self.s, self.y)

    def time_peer_betacal(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.peer(parameters="abm").fit(self.p, self.y)


_CV_N = 5000


def _tied_grid(C):
    from statnorm.calibration._dirichlet_cv import _DEFAULT_GRID

    return [{"reg_lambda": [g], "reg_mu": [g]} for g in C * (C - 1) * _DEFAULT_GRID]


class MatrixScalingCVVsTemperature(Benchmark):
    params = ([_CV_N],)
    param_names = ["n_samples"]
    timeout = 900

    def setup(self, n):
        self.CV = skip_unless_available("statnorm.calibration", "MatrixScalingCV")
        from statnorm.calibration import TemperatureScaling

        self.TS = TemperatureScaling
        self.X, self.y = _logits(n)

    def time_statnorm(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.CV(random_state=0).fit(self.X, self.y)

    def time_peer_temperature(self, n):
        self.TS().fit(self.X, self.y)


class MatrixScalingCVVsGridSearch(Benchmark):
    params = ([_CV_N],)
    param_names = ["n_samples"]
    timeout = 1800

    def setup(self, n):
        if QUICK:
            raise NotImplementedError("quick mode: the grid search takes minutes")
        self.CV = skip_unless_available("statnorm.calibration", "MatrixScalingCV")
        from sklearn.model_selection import GridSearchCV, StratifiedKFold

        from statnorm.calibration import MatrixScaling

        self.X, self.y = _logits(n)
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        self.peer = GridSearchCV(
            MatrixScaling(), _tied_grid(100), cv=folds, scoring="neg_log_loss"
        )

    def time_statnorm(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.CV(random_state=0).fit(self.X, self.y)

    def time_peer_gridsearch(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.peer.fit(self.X, self.y)

    def track_heldout_nll_minus_temperature(self, n):
        from statnorm.calibration import TemperatureScaling
        from statnorm.calibration.metrics import negative_log_likelihood as nll

        g = rng(7)
        yt = g.integers(0, 100, n)
        zt = g.normal(size=(n, 100))
        zt[np.arange(n), yt] += 2.0
        Xt = 3.0 * zt
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cv = self.CV(random_state=0).fit(self.X, self.y)
        ts = TemperatureScaling().fit(self.X, self.y)
        return float(nll(yt, cv.predict_proba(Xt)) - nll(yt, ts.predict_proba(Xt)))

    track_heldout_nll_minus_temperature.unit = "nats"
