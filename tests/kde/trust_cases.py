"""Trust-battery cases for statnorm.kde (see tests/test_trust.py)."""

import numpy as np

from statnorm import kde
from statnorm.kde import theory as th
from statnorm.utils._trust import Case

_M = "statnorm.kde"
_T = "statnorm.kde.theory"
_rng = np.random.default_rng(0)
_X = _rng.normal(size=(80, 4))

_fitted = {}


def _kde():
    if "k" not in _fitted:
        _fitted["k"] = kde.HighDimKDE().fit(_X)
    return _fitted["k"]


def _plot(alphas):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    return kde.RegimeDiagramDisplay.from_estimator(_kde(), alphas=alphas)


_BAD_ALPHA = [np.nan, -1.0, 0.0, np.inf, "a"]


def _theory(f, **params):
    bad = dict.fromkeys(params, _BAD_ALPHA)
    return Case(lambda **p: f(**p), {}, params=params, bad_params=bad)


CASES = {
    f"{_M}.HighDimKDE": [
        Case(lambda X: kde.HighDimKDE().fit(X).score_samples(X), {"X": _X}, id="fit"),
        Case(lambda X: _kde().score_samples(X), {"X": _X[:10]}, id="score_samples"),
        Case(
            lambda bandwidth: kde.HighDimKDE(bandwidth=bandwidth).fit(_X),
            {},
            params={"bandwidth": 0.5},
            bad_params={"bandwidth": [np.nan, -1.0, 0.0, "nope"]},
            id="bandwidth",
        ),
    ],
    f"{_M}.KDERegimeReport": Case(
        lambda X_query: _kde().regime_report(X_query, warn=False).summary(),
        {"X_query": _X[:10]},
        skip={("X_query", "none"): "X_query=None diagnoses at training points"},
    ),
    f"{_M}.RegimeDiagramDisplay": Case(
        _plot,
        {"alphas": np.linspace(0.05, 1.0, 5)},
        skip={("alphas", "none"): "alphas=None picks a grid around the fit"},
    ),
    f"{_T}.alpha": Case(
        lambda n, d: th.alpha(n, d),
        {},
        params={"n": 1000, "d": 50},
        bad_params={"n": [0, -5, np.nan, "a"], "d": [0, -1, np.nan]},
    ),
    f"{_T}.finite_d_thresholds": Case(
        lambda n, d: th.finite_d_thresholds(n, d),
        {},
        params={"n": 1000, "d": 50},
        bad_params={"n": [0, -5, np.nan], "d": [0, -1, np.nan]},
    ),
    f"{_T}.h_clt": _theory(th.h_clt, alpha=0.5),
    f"{_T}.h_glass": _theory(th.h_glass, alpha=0.5),
    f"{_T}.h_kl": _theory(th.h_kl, alpha=0.5),
    f"{_T}.nn_level": _theory(th.nn_level, alpha=0.5),
    f"{_T}.solve_t": _theory(th.solve_t, alpha=0.5),
    f"{_T}.kl_per_dimension": _theory(th.kl_per_dimension, h=0.8, alpha=0.5),
    f"{_T}.regime": _theory(th.regime, h=0.8, alpha=0.5),
    f"{_T}.stable_index": _theory(th.stable_index, h=0.8, alpha=0.5),
}
