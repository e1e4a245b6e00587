"""Held-out comparison of base models, aggregates and the conformal aggregate."""

import numpy as np

from ..results import SummaryTable

DEFAULT_LEVELS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def _row(name, y, Q, tau, ref=None):
    from ._metrics import (
        central_intervals,
        crossing_rate,
        interval_coverage,
        interval_width,
        weighted_interval_score,
    )

    wis = weighted_interval_score(y, Q, tau)
    alphas, lo, hi = central_intervals(Q, tau)
    j = int(np.argmin(np.abs(alphas - 0.2))) if alphas.size else 0
    return [
        name,
        wis,
        (wis / ref) if ref else 1.0,
        float(interval_coverage(y, lo[:, j], hi[:, j])),
        # a crossed fan has intervals with lower > upper: no width to report
        float(interval_width(lo[:, j], hi[:, j]))
        if np.all(lo[:, j] <= hi[:, j])
        else "crossed",
        crossing_rate(Q),
    ]


def compare(
    X,
    y,
    X_test,
    y_test,
    *,
    quantiles=DEFAULT_LEVELS,
    estimators=None,
    cv=5,
    local=True,
    conformal=True,
    random_state=0,
):
    """Fit base models, aggregate variants and the conformalised aggregate.

    Returns ``(table, fans)``: a :class:`SummaryTable` of held-out WIS
    (Bracher normalisation), relative WIS to the best sorted base model, coverage
    and width of the central interval nearest 80 %, crossing rate; and a dict
    of the test-set fans by name.
    """
    from sklearn.base import clone

    from ._aggregate import QuantileAggregator, refit_weights
    from ._conformal import ConformalQuantileRegressor

    tau = np.asarray(quantiles, dtype=float)
    agg = QuantileAggregator(
        estimators, quantiles=tau, weights="medium", cv=cv, random_state=random_state
    ).fit(X, y)
    Zt = np.stack([f.predict(X_test) for f in agg.fans_], axis=1)  # raw fans
    fans = {name: Zt[:, j] for j, name in enumerate(agg.estimator_names_)}
    # sorting never raises the WIS (Prop. 2): the fair single-model baseline
    sorted_names = [f"{name} (sorted)" for name in agg.estimator_names_]
    for name, sname in zip(agg.estimator_names_, sorted_names):
        fans[sname] = np.sort(fans[name], axis=1)
    fans["average"] = np.sort(Zt.mean(axis=1), axis=1)
    variants = {
        "global coarse": dict(weights="coarse"),
        "global medium": None,
        "global fine": dict(weights="fine"),
    }
    if local:
        variants["local medium (DQA-style)"] = dict(
            local=True, hidden_layer_sizes=(32,)
        )
    for name, params in variants.items():
        est = agg if params is None else refit_weights(agg, X, y, **params)
        fans[name] = est.predict(X_test)
    if conformal:
        cqr = ConformalQuantileRegressor(
            clone(agg), quantiles=tau, random_state=random_state
        ).fit(X, y)
        fans["global medium + split CQR"] = cqr.predict(X_test)
    base_wis = [_row(n, y_test, fans[n], tau)[1] for n in sorted_names]
    ref = min(base_wis)
    rows = [_row(n, y_test, Q, tau, ref) for n, Q in fans.items()]
    table = SummaryTable(
        "Held-out scores",
        ("model", "WIS", "rel. WIS", "cov. 80%", "width 80%", "crossing"),
        tuple(rows),
        notes=(
            (
                "WIS: Bracher et al. normalisation (= 2 x mean pinball loss); "
                "rel. WIS divides by the WIS of the best base model with sorted quantiles."
            ),
        ),
    )
    return table, fans


def _subsample(X, y, n_train, n_test, seed):
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    tr, te = idx[:n_train], idx[n_train : n_train + n_test]
    return X[tr], y[tr], X[te], y[te]
