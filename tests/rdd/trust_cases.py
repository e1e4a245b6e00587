"""Trust-battery cases for statnorm.rdd (see tests/test_trust.py)."""

import numpy as np

from statnorm import rdd
from statnorm.utils._trust import Case

_M = "statnorm.rdd"
_rng = np.random.default_rng(0)
_n, _m = 120, 20
_x = _rng.uniform(-1, 1, _n)
_S = _rng.normal(size=(_n, _m)) + 2 * _x[:, None] + (_x >= 0)[:, None]
_q = np.array([0.25, 0.5, 0.75])
_KW = {"q_grid": _q, "n_bootstrap": 20, "random_state": 0}
_unit = np.repeat(np.arange(_n), _m)
_clusters = np.arange(_n) // 4
_Z = _rng.normal(size=(_n, 2))
_fitted = {}
# samples is a list of per-unit draws: units may have different numbers of draws
_RAGGED_OK = {("samples", "ragged"): "units may have any number of draws (documented)"}


def _est():
    if "e" not in _fitted:
        _fitted["e"] = rdd.DistributionalRDD(**_KW).fit(_x, _S)
    return _fitted["e"]


CASES = {
    f"{_M}.DistributionalRDD": [
        Case(
            lambda x, samples: rdd.DistributionalRDD(**_KW).fit(x, samples).tau_,
            {"x": _x, "samples": _S},
            skip=_RAGGED_OK,
            id="fit",
        ),
        Case(
            lambda cutoff, bandwidth: (
                rdd.DistributionalRDD(cutoff=cutoff, bandwidth=bandwidth, **_KW)
                .fit(_x, _S)
                .tau_
            ),
            {},
            params={"cutoff": 0.0, "bandwidth": 0.8},
            bad_params={
                "cutoff": [np.nan, np.inf, "a"],
                "bandwidth": [np.nan, -1.0, 0.0, "nope"],
            },
            id="params",
        ),
        Case(
            lambda x, samples, clusters: (
                rdd.DistributionalRDD(**_KW)
                .fit(x, samples, clusters=clusters)
                .std_error_
            ),
            {"x": _x, "samples": _S, "clusters": _clusters},
            skip={
                **_RAGGED_OK,
                ("clusters", "strings"): "cluster labels may be strings (documented)",
                ("clusters", "none"): "None is the default: one multiplier per unit",
            },
            id="clusters",
        ),
        Case(
            lambda x, samples, covariates: (
                rdd.DistributionalRDD(**_KW).fit(x, samples, covariates=covariates).tau_
            ),
            {"x": _x, "samples": _S, "covariates": _Z},
            skip={
                **_RAGGED_OK,
                ("covariates", "none"): "None is the default: no covariates",
            },
            id="covariates",
        ),
        Case(lambda: _est().summary(), {}, id="summary"),
        Case(
            lambda: _est().result_.confidence_interval(kind="pointwise"),
            {},
            id="pointwise",
        ),
    ],
    f"{_M}.RDDResult": Case(lambda: _est().result_, {}),
    f"{_M}.UniformTestResult": Case(lambda: _est().test_nullity(), {}, id="test"),
    f"{_M}.gini_from_quantiles": Case(
        lambda q_grid, quantile_function: rdd.gini_from_quantiles(
            q_grid, quantile_function
        ),
        {"q_grid": _q, "quantile_function": np.array([1.0, 2.0, 3.5])},
        skip={
            ("quantile_function", "extra_dim"): "a (n_levels, k) matrix holds k "
            "quantile functions (documented)"
        },
        bad_params={},
    ),
    f"{_M}.long_to_samples": Case(
        lambda unit, values, running: rdd.long_to_samples(unit, values, running),
        {
            "unit": _unit,
            "values": _S.ravel(),
            "running": np.repeat(_x, _m),
        },
        skip={("unit", "pd_string"): "unit identifiers are any hashable labels"},
    ),
    f"{_M}.quantile_matrix": Case(
        lambda samples, q_grid: rdd.quantile_matrix(samples, q_grid),
        {"samples": _S, "q_grid": _q},
        skip=_RAGGED_OK,
    ),
}


def _effect_display():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    return rdd.RDDEffectDisplay.from_estimator(_est()).result


CASES[f"{_M}.RDDEffectDisplay"] = Case(_effect_display, {})


_xd = np.random.default_rng(1).normal(size=400)
CASES[f"{_M}.density_test"] = [
    Case(
        lambda x, cutoff, bandwidth: rdd.density_test(
            x, cutoff=cutoff, bandwidth=bandwidth
        ),
        {"x": _xd},
        params={"cutoff": 0.1, "bandwidth": 1.0},
        bad_params={
            "cutoff": [np.nan, np.inf, "a"],
            "bandwidth": [
                np.nan,
                -1.0,
                0.0,
                "nope",
                (1.0, -1.0),
                (1.0, np.nan),
                (1.0,),
            ],
        },
        id="fixed",
    ),
    Case(
        lambda x, bwselect: rdd.density_test(
            x, cutoff=0.1, bandwidth="auto", bwselect=bwselect
        ),
        {"x": _xd},
        params={"bwselect": "each"},
        bad_params={"bwselect": ["mserd", 1, None]},
        nonfinite_ok=(
            "bandwidth is NaN when the two sides' bandwidths differ "
            "(bandwidth_below / bandwidth_above hold them)"
        ),
        id="auto",
    ),
]
CASES[f"{_M}.DensityTestResult"] = Case(
    lambda: rdd.density_test(_xd, cutoff=0.1).summary(), {}
)


_gs = np.random.default_rng(2)
_xs = _gs.uniform(-1, 1, 300)
_ys = 1.0 + _xs + 0.5 * (_xs >= 0) + _gs.normal(0, 0.3, 300)
CASES[f"{_M}.scalar_rd"] = Case(
    lambda y, x, bwrestrict: rdd.scalar_rd(y, x, bwrestrict=bwrestrict),
    {"y": _ys, "x": _xs},
    params={"bwrestrict": True},
    bad_params={"bwrestrict": ["no", 2, None]},
)
CASES[f"{_M}.ScalarRDResult"] = Case(
    lambda: rdd.scalar_rd(_ys, _xs).summary(), {}, id="summary"
)


def _rdplot_vector(res):
    return np.concatenate(
        [res.coef_left, res.coef_right, res.mean_y_left, res.mean_y_right]
    )


CASES[f"{_M}.rd_binned_scatter"] = [
    Case(
        lambda y, x: _rdplot_vector(rdd.rd_binned_scatter(y, x)),
        {"y": _ys, "x": _xs},
        id="data",
    ),
    Case(
        lambda y, x, weights: _rdplot_vector(
            rdd.rd_binned_scatter(y, x, weights=weights)
        ),
        {"y": _ys, "x": _xs, "weights": _gs.uniform(0.5, 2.0, _xs.size)},
        skip={("weights", "none"): "None is the default: equal weights"},
        id="weights",
    ),
    Case(
        lambda nbins, p, h: _rdplot_vector(
            rdd.rd_binned_scatter(_ys, _xs, nbins=nbins, p=p, h=h)
        ),
        {},
        params={"nbins": 5, "p": 2, "h": 0.9},
        bad_params={
            "nbins": [0, -2, 2.5, np.nan, "a", (3, 0)],
            "p": [-1, 1.5, "a"],
            "h": [0.0, -1.0, np.nan, "a"],
        },
        id="params",
    ),
]
CASES[f"{_M}.RDBinnedScatterResult"] = Case(
    lambda: rdd.rd_binned_scatter(_ys, _xs).summary(), {}, id="summary"
)


def _rdplot_display():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    disp = rdd.RDPlotDisplay.from_data(_ys, _xs, ci=True)
    plt.close("all")
    return _rdplot_vector(disp.result)


CASES[f"{_M}.RDPlotDisplay"] = Case(_rdplot_display, {})
