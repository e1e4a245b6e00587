"""statnorm.quantile against MAPIE (conformalized quantile regression) and
quantile-forest, and the Numba PAV monotoniser against ``np.sort``.

Data: heteroscedastic Friedman-1, ``X ~ U(0, 1)^10``,
``y = f(x) + (1 + 2 x_6) eps``; a 9-level fan ``tau = 0.1, ..., 0.9``. Base
learner for both conformal methods: ``HistGradientBoostingRegressor(loss=
"quantile", max_iter=50)`` with one OpenMP thread (threads oversubscribe a
shared 2-core machine). MAPIE 1.6 calibrates one interval per object, so the
9-level fan is 4 objects of 3 models (12 fits) against statnorm's 9 fits.
"""

import numpy as np

from .common import QUICK, Benchmark, rng, skip_unless_available

TAU = np.arange(1, 10) / 10


def friedman(n, seed=0):
    r = rng(seed)
    X = r.uniform(size=(n, 10))
    f = (
        10 * np.sin(np.pi * X[:, 0] * X[:, 1])
        + 20 * (X[:, 2] - 0.5) ** 2
        + 10 * X[:, 3]
        + 5 * X[:, 4]
    )
    return X, f + (1 + 2 * X[:, 5]) * r.normal(size=n)


def _hgb():
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(loss="quantile", max_iter=50)


def _one_thread():
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _mapie_fan(X, y, X_cal, y_cal):
    from mapie.regression import ConformalizedQuantileRegressor

    out = []
    for a in (0.8, 0.6, 0.4, 0.2):
        m = ConformalizedQuantileRegressor(_hgb(), confidence_level=a)
        m.fit(X, y)
        m.conformalize(X_cal, y_cal)
        out.append(m)
    return out


def _mapie_predict(models, X):
    import warnings

    cols = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m, a in zip(models, (0.8, 0.6, 0.4, 0.2)):
            _, b = m.predict_interval(X)
            lo, hi = round((1 - a) / 2 * 10), round((1 + a) / 2 * 10)
            cols[lo], cols[hi] = b[:, 0, 0], b[:, 1, 0]
        cols[5] = models[0].predict(X)
    return np.column_stack([cols[k] for k in range(1, 10)])


class Monotonize(Benchmark):
    """Make 99-level fans non-crossing: Numba PAV and min-max vs ``np.sort``."""

    params = [[100_000] if QUICK else [100_000, 1_000_000]]
    param_names = ["n_rows"]

    def setup(self, n_rows):
        from statnorm.quantile import monotonize

        self.monotonize = monotonize
        r = rng(1)
        self.Q = np.sort(r.normal(size=(n_rows, 99)), axis=1) + 0.05 * r.normal(
            size=(n_rows, 99)
        )
        monotonize(self.Q[:10], method="isotonic")
        monotonize(self.Q[:10], method="minmax")

    def time_statnorm_isotonic(self, n_rows):
        self.monotonize(self.Q, method="isotonic", n_jobs=-1)

    def time_statnorm_minmax(self, n_rows):
        self.monotonize(self.Q, method="minmax", n_jobs=-1)

    def time_peer_numpy_sort(self, n_rows):
        np.sort(self.Q, axis=1)

    def peakmem_statnorm_isotonic(self, n_rows):
        self.monotonize(self.Q, method="isotonic")


class PinballScore(Benchmark):
    """Mean pinball loss of a 1e6 x 99 fan: Numba single pass vs numpy."""

    params = [[100_000] if QUICK else [1_000_000]]
    param_names = ["n_rows"]

    def setup(self, n_rows):
        from statnorm.quantile import pinball_loss

        self.f = pinball_loss
        r = rng(2)
        self.Q = r.normal(size=(n_rows, 99))
        self.y = r.normal(size=n_rows)
        self.tau = np.arange(1, 100) / 100
        self.f(self.y[:10], self.Q[:10], self.tau)

    def time_statnorm(self, n_rows):
        self.f(self.y, self.Q, self.tau, n_jobs=-1)

    def time_peer_numpy(self, n_rows):
        u = self.y[:, None] - self.Q
        np.maximum(self.tau * u, (self.tau - 1) * u).mean()


class FitFan(Benchmark):
    """Fit a calibrated 9-level fan (n rows, 25 % for calibration)."""

    params = [[1000] if QUICK else [2000, 10_000]]
    param_names = ["n"]
    timeout = 600

    def setup(self, n):
        skip_unless_available("statnorm.quantile", "ConformalQuantileRegressor")
        _one_thread()
        self.X, self.y = friedman(n)
        self.n_fit = int(0.75 * n)

    def time_statnorm_cqr(self, n):
        from statnorm.quantile import ConformalQuantileRegressor

        ConformalQuantileRegressor(_hgb(), quantiles=TAU, random_state=0).fit(
            self.X, self.y
        )

    def time_peer_mapie_cqr(self, n):
        k = self.n_fit
        _mapie_fan(self.X[:k], self.y[:k], self.X[k:], self.y[k:])

    def time_peer_quantile_forest(self, n):
        from quantile_forest import RandomForestQuantileRegressor

        RandomForestQuantileRegressor(n_estimators=50, random_state=0).fit(
            self.X, self.y
        )

    def time_statnorm_aggregator(self, n):
        from quantile_forest import RandomForestQuantileRegressor

        from statnorm.quantile import QuantileAggregator

        QuantileAggregator(
            [_hgb(), RandomForestQuantileRegressor(n_estimators=50, random_state=0)],
            quantiles=TAU,
            cv=3,
            random_state=0,
        ).fit(self.X, self.y)


class PredictFan(Benchmark):
    """Predict a 9-level fan for 10,000 rows from models fit on 2,000 rows
    (2,000 from 1,000 under STATNORM_BENCH_QUICK)."""

    timeout = 600

    def setup_cache(self):
        from quantile_forest import RandomForestQuantileRegressor

        from statnorm.quantile import ConformalQuantileRegressor, QuantileAggregator

        _one_thread()
        n = 1000 if QUICK else 2000
        X, y = friedman(n)
        Xt, yt = friedman(2000 if QUICK else 10_000, seed=1)
        qrf = RandomForestQuantileRegressor(n_estimators=50, random_state=0).fit(X, y)
        cqr = ConformalQuantileRegressor(_hgb(), quantiles=TAU, random_state=0).fit(
            X, y
        )
        agg = QuantileAggregator(
            [_hgb(), RandomForestQuantileRegressor(n_estimators=50, random_state=0)],
            quantiles=TAU,
            cv=3,
            random_state=0,
        ).fit(X, y)
        k = int(0.75 * n)
        mapie = _mapie_fan(X[:k], y[:k], X[k:], y[k:])
        return {"qrf": qrf, "cqr": cqr, "agg": agg, "mapie": mapie, "Xt": Xt, "yt": yt}

    def setup(self, c):
        _one_thread()

    def time_statnorm_cqr(self, c):
        c["cqr"].predict(c["Xt"])

    def time_statnorm_aggregator(self, c):
        c["agg"].predict(c["Xt"])

    def time_peer_mapie_cqr(self, c):
        _mapie_predict(c["mapie"], c["Xt"])

    def time_peer_quantile_forest(self, c):
        c["qrf"].predict(c["Xt"], quantiles=list(TAU))

    def track_coverage80_statnorm_cqr(self, c):
        Q = c["cqr"].predict(c["Xt"])
        return float(np.mean((Q[:, 0] <= c["yt"]) & (c["yt"] <= Q[:, 8])))

    def track_coverage80_peer_mapie_cqr(self, c):
        Q = _mapie_predict(c["mapie"], c["Xt"])
        return float(np.mean((Q[:, 0] <= c["yt"]) & (c["yt"] <= Q[:, 8])))

    def track_wis_ratio_mapie_over_statnorm_aggregator(self, c):
        from statnorm.quantile import weighted_interval_score

        a = weighted_interval_score(c["yt"], c["agg"].predict(c["Xt"]), TAU)
        m = weighted_interval_score(c["yt"], _mapie_predict(c["mapie"], c["Xt"]), TAU)
        return m / a

    def track_crossing_rate_peer_mapie_cqr(self, c):
        from statnorm.quantile import crossing_rate

        return crossing_rate(_mapie_predict(c["mapie"], c["Xt"]))


def _cpu_seconds(f, repeat=3):
    """Smallest CPU time of ``repeat`` calls of ``f`` (one thread)."""
    import time

    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        f()
        best = min(best, time.process_time() - t0)
    return best


class MonotonizeFloor(Benchmark):
    """``monotonize(method="isotonic")`` single-threaded as a ratio to
    ``np.sort`` along the rows (the floor, target <= 1), on 99-level fans
    with crossings in every row (``"dense"``: sorted normals plus noise of
    twice the central spacing, about 31 violations per row) or in 1 % of the
    rows (``"sparse"``, the common case after a good model).
    ``track_max_abs_error`` compares with scikit-learn's
    ``isotonic_regression`` row by row (fails above 1e-12)."""

    params = [[100_000] if QUICK else [1_000_000], ["dense", "sparse"]]
    param_names = ["n_rows", "crossings"]
    timeout = 600

    def setup(self, n_rows, crossings):
        from statnorm.quantile import monotonize

        self.monotonize = monotonize
        r = rng(1)
        Q = np.sort(r.normal(size=(n_rows, 99)), axis=1)
        if crossings == "dense":
            Q += 0.05 * r.normal(size=(n_rows, 99))
        else:
            rows = r.choice(n_rows, n_rows // 100, replace=False)
            Q[rows] += 0.05 * r.normal(size=(rows.size, 99))
        self.Q = Q
        monotonize(self.Q[:10], method="isotonic")

    def track_ratio_isotonic_to_sort(self, n_rows, crossings):
        iso = _cpu_seconds(lambda: self.monotonize(self.Q, method="isotonic"))
        return iso / _cpu_seconds(lambda: np.sort(self.Q, axis=1))

    track_ratio_isotonic_to_sort.unit = "x"

    def track_max_abs_error(self, n_rows, crossings):
        from sklearn.isotonic import isotonic_regression

        Q = self.Q[:300]
        ours = self.monotonize(Q, method="isotonic")
        ref = np.array([isotonic_regression(q) for q in Q])
        err = float(np.abs(ours - ref).max())
        if not err < 1e-12:
            raise AssertionError(f"isotonic fans off by {err:.1e}")
        return err

    track_max_abs_error.unit = "max |diff|"


def _drifting_series(n, seed=0):
    """y = x1 - x2 + sigma_t eps with sigma_t tripling half-way."""
    r = rng(seed)
    X = r.normal(size=(n, 2))
    sd = np.where(np.arange(n) < n // 2, 1.0, 3.0)
    return X, X[:, 0] - X[:, 1] + sd * r.normal(size=n)


class OnlineACI(Benchmark):
    """Adaptive conformal inference over a series of T one-step-ahead intervals.

    The same fitted ``LinearRegression`` (500 rows), the same 500 calibration
    scores (absolute residuals) and gamma = 0.01; statnorm's
    ``AdaptiveConformalRegressor.predict_update`` against MAPIE 1.6's
    ``TimeSeriesRegressor(method="aci", cv="prefit")`` loop of ``predict``,
    ``adapt_conformal_inference`` and ``update`` per row (its documented
    online use; both give the same intervals, tests/quantile/test_timeseries.py).
    """

    params = [[500] if QUICK else [2000]]
    param_names = ["T"]
    timeout = 600

    def setup(self, T):
        import warnings

        from sklearn.frozen import FrozenEstimator
        from sklearn.linear_model import LinearRegression

        aci_cls = skip_unless_available(
            "statnorm.quantile", "AdaptiveConformalRegressor"
        )
        ts_cls = skip_unless_available("mapie.regression", "TimeSeriesRegressor")
        from mapie.conformity_scores import AbsoluteConformityScore

        X, y = _drifting_series(1000 + T)
        lr = LinearRegression().fit(X[:500], y[:500])
        self.Xt, self.yt = X[1000:], y[1000:]
        self.aci = aci_cls(FrozenEstimator(lr), gamma=0.01).fit(
            X[500:1000], y[500:1000]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.mapie = ts_cls(
                lr,
                method="aci",
                cv="prefit",
                conformity_score=AbsoluteConformityScore(sym=True),
            ).fit(X[500:1000], y[500:1000])

    def time_statnorm_aci(self, T):
        import copy

        copy.deepcopy(self.aci).predict_update(self.Xt, self.yt)

    def time_peer_mapie_aci(self, T):
        import copy
        import warnings

        m = copy.deepcopy(self.mapie)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # update() warns on every call
            for i in range(len(self.yt)):
                x, yy = self.Xt[i : i + 1], self.yt[i : i + 1]
                m.predict(x, confidence_level=0.9, allow_infinite_bounds=True)
                m.adapt_conformal_inference(x, yy, gamma=0.01, confidence_level=0.9)
                m.update(x, yy)


class OnlineEnbPI(Benchmark):
    """EnbPI: fit 30 bootstrap LinearRegression models on 500 rows, then T
    one-step-ahead intervals with a rolling residual window; statnorm's
    ``EnbPIRegressor`` against MAPIE 1.6's ``TimeSeriesRegressor(method=
    "enbpi", cv=BlockBootstrap(...))`` with ``predict``/``update`` per row
    (``ensemble=True``, the same intervals on the same resamples)."""

    params = [[200] if QUICK else [1000]]
    param_names = ["T"]
    timeout = 600

    def setup(self, T):
        skip_unless_available("statnorm.quantile", "EnbPIRegressor")
        skip_unless_available("mapie.subsample", "BlockBootstrap")
        self.X, self.y = _drifting_series(500 + T)

    def time_statnorm_enbpi(self, T):
        from sklearn.linear_model import LinearRegression

        from statnorm.quantile import EnbPIRegressor

        e = EnbPIRegressor(LinearRegression(), block_length=8, random_state=0)
        e.fit(self.X[:500], self.y[:500]).predict_update(self.X[500:], self.y[500:])

    def time_peer_mapie_enbpi(self, T):
        import warnings

        from mapie.conformity_scores import AbsoluteConformityScore
        from mapie.regression import TimeSeriesRegressor
        from mapie.subsample import BlockBootstrap
        from sklearn.linear_model import LinearRegression

        m = TimeSeriesRegressor(
            LinearRegression(),
            method="enbpi",
            cv=BlockBootstrap(n_resamplings=30, length=8, random_state=0),
            conformity_score=AbsoluteConformityScore(sym=True),
        ).fit(self.X[:500], self.y[:500])
        Xt, yt = self.X[500:], self.y[500:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(len(yt)):
                x = Xt[i : i + 1]
                m.predict(x, ensemble=True, confidence_level=0.9)
                m.update(x, yt[i : i + 1], ensemble=True)
