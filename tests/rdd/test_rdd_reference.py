"""Agreement of statnorm.rdd with the R package R3D and with independent fits.

``data/r3d_reference.npz`` holds numbers produced by R3D 0.1.x (see
``make_r3d_fixture.py`` for provenance). The R side stores 15 significant
digits, so agreement is checked to a relative 1e-9 (the observed gap is
~1e-11); quantities that only depend on stored inputs agree to 1e-12.
"""

from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from statnorm.rdd import DistributionalRDD, gini_from_quantiles
from statnorm.rdd._effect import _monotonize, _rearrangement
from statnorm.rdd._locpoly import local_poly, select_bandwidth

REF = np.load(Path(__file__).parent / "data" / "r3d_reference.npz")
Q20 = np.arange(1, 21) / 21
Q99 = np.arange(1, 100) / 100
RTOL = 1e-9


def _close(a, b, rtol=RTOL):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def _data(tag):
    T = REF.get(f"data_{tag}_T")
    return REF[f"data_{tag}_X"], REF[f"data_{tag}_Q"], T


@pytest.mark.parametrize("kernel", ["triangular", "epanechnikov", "uniform"])
@pytest.mark.parametrize("side,name", [("+", "plus"), ("-", "minus")])
def test_local_poly_matches_r_fortran(kernel, side, name):
    X, Q, _ = _data("sharp_simple_20")
    h = REF[f"locpoly_bw_{kernel}"]
    fit = local_poly(X, Q, h, side, 2, kernel)
    W = np.zeros_like(Q)
    W[fit.idx] = fit.weights
    _close(fit.alpha, REF[f"locpoly_alpha_{name}_{kernel}"])
    _close(W, REF[f"locpoly_w_{name}_{kernel}"])


CASES = [
    ("sharp_simple_epanechnikov", "sharp_simple_20", Q20, {"kernel": "epanechnikov"}),
    ("sharp_simple_triangular", "sharp_simple_20", Q20, {"kernel": "triangular"}),
    ("sharp_simple_uniform", "sharp_simple_20", Q20, {"kernel": "uniform"}),
    ("sharp_simple_99", "sharp_simple_99", Q99, {"kernel": "triangular"}),
    (
        "sharp_frechet_20",
        "sharp_simple_20",
        Q20,
        {"kernel": "epanechnikov", "method": "frechet"},
    ),
    (
        "fuzzy_simple_20",
        "fuzzy_simple_20",
        Q20,
        {"kernel": "epanechnikov", "fuzzy": True},
    ),
    (
        "fuzzy_frechet_20",
        "fuzzy_simple_20",
        Q20,
        {"kernel": "epanechnikov", "fuzzy": True, "method": "frechet"},
    ),
    (
        "sharp_simple_fixedbw",
        "sharp_simple_20",
        Q20,
        {"kernel": "epanechnikov", "bandwidth": 0.5},
    ),
    ("sharp_simple_p1", "sharp_simple_20", Q20, {"kernel": "epanechnikov", "p": 1}),
    ("sharp_simple_p3", "sharp_simple_20", Q20, {"kernel": "epanechnikov", "p": 3}),
]


@pytest.mark.parametrize("tag,data,q,params", CASES, ids=[c[0] for c in CASES])
def test_full_pipeline_matches_r3d_in_compat_mode(tag, data, q, params):
    X, Q, T = _data(data)
    est = DistributionalRDD(q_grid=q, r3d_compat=True, n_bootstrap=0, **params)
    est.fit_quantiles(X, Q, treatment=T if params.get("fuzzy") else None)

    def r(col):
        return REF[f"res_{tag}_{col}"]

    _close(est.tau_, r("tau"))
    _close(est.bandwidth_, r("bw_num"))
    _close(est.intercept_plus_, r("int_plus"))
    _close(est.intercept_minus_, r("int_minus"))
    if params.get("fuzzy"):
        _close(est.bandwidth_treatment_, r("bw_den")[0])


def test_default_mode_differs_from_r_only_where_documented():
    # 1. the selector runs in standard units (R's rule is not equivariant to the
    #    units of x): default h = sd(x) * R's h on x / sd(x) and Q / sd(Q);
    #    r3d_compat=True gives R's bandwidths.
    X, Q, _ = _data("sharp_simple_20")
    tri = DistributionalRDD(q_grid=Q20, kernel="triangular", n_bootstrap=0)
    h_default = tri.fit_quantiles(X, Q).bandwidth_
    sx, sq = np.std(X, ddof=1), np.std(Q)
    h_r_std = select_bandwidth(
        X / sx,
        Q / sq,
        Q20,
        method="simple",
        s=1,
        kernel="triangular",
        pilot_kernel="triangular",
        standardize=False,
    )["h"]
    _close(h_default, sx * h_r_std)
    tri.set_params(r3d_compat=True)
    _close(
        tri.fit_quantiles(X, Q).bandwidth_, REF["res_sharp_simple_triangular_bw_num"]
    )
    # 2. default pilot kernel = kernel (R: triangular) changes the Epanechnikov
    #    bandwidths; with R's pilot kernel and selector the effect is R's.
    epa = DistributionalRDD(
        q_grid=Q20, kernel="epanechnikov", n_bootstrap=0, r3d_compat=True
    )
    epa.set_params(pilot_kernel="epanechnikov")
    h = epa.fit_quantiles(X, Q).bandwidth_
    assert np.max(np.abs(h / REF["res_sharp_simple_epanechnikov_bw_num"] - 1)) > 1e-3
    epa.set_params(pilot_kernel="triangular", monotone="rearrangement")
    _close(epa.fit_quantiles(X, Q).tau_, REF["res_sharp_simple_epanechnikov_tau"])


@pytest.mark.parametrize(
    "tag,method,data",
    [
        ("sharp", "simple", "sharp_simple_20"),
        ("frechet", "frechet", "sharp_simple_20"),
        ("fuzzy", "simple", "fuzzy_simple_20"),
    ],
)
def test_bandwidth_selector_matches_r3d_bwselect(tag, method, data):
    X, Q, T = _data(data)
    out = select_bandwidth(
        X,
        Q,
        Q20,
        method=method,
        s=1,
        kernel="triangular",
        pilot_kernel="triangular",
        treatment=T if tag == "fuzzy" else None,
        standardize=False,  # R's rule as published (r3d_compat)
    )

    def b(col):
        return REF[f"bw_{tag}_{col}"]

    _close(out["h"], b("h_star_num"))
    _close(out["h_pilot"], b("pilot_h_num"))
    for mine, theirs in (
        ("B_plus", "B_plus"),
        ("B_minus", "B_minus"),
        ("V_plus", "V_plus"),
        ("V_minus", "V_minus"),
    ):
        _close(out[mine], b(theirs))
    _close(out["f_x"], b("f_X_hat")[0])
    if tag == "fuzzy":
        _close(out["h_treatment"], b("h_star_den")[0])
        _close(out["h_pilot_treatment"], b("pilot_h_den")[0])


def test_fixed_multiplier_bootstrap_matches_r3d():
    X, Q, _ = _data("sharp_simple_20")
    est = DistributionalRDD(q_grid=Q20, kernel="epanechnikov", r3d_compat=True)
    est.fit_quantiles(X, Q, xi=REF["xi"])
    _close(est.bootstrap_draws_.T, REF["boot_taus"])
    assert est.critical_value_ == pytest.approx(REF["bootdet_crit_val"][0], rel=RTOL)
    _close(est.band_lower_, REF["bootdet_cb_lower"])
    _close(est.band_upper_, REF["bootdet_cb_upper"])
    (s1, p1), (s2, p2) = est.test_nullity(), est.test_homogeneity()
    _close([s1, s2], REF["pvalues_stat"])
    assert [p1, p2] == pytest.approx(list(REF["pvalues_p"]), abs=1e-12)
    # deterministic: a second fit with the same multipliers is identical
    again = DistributionalRDD(q_grid=Q20, kernel="epanechnikov", r3d_compat=True)
    again.fit_quantiles(X, Q, xi=REF["xi"])
    np.testing.assert_array_equal(again.bootstrap_draws_, est.bootstrap_draws_)


def test_gini_and_isotonic_match_r3d():
    q = np.arange(1, 100) / 100
    got = [
        gini_from_quantiles(q, q),
        gini_from_quantiles(q, -np.log1p(-q)),
        gini_from_quantiles(q, np.full(99, 5.0)),
    ]
    _close(got, REF["gini"], rtol=1e-12)
    cases = REF["iso_case"]
    for case in np.unique(cases):
        m = cases == case
        y = REF["iso_input"][m]
        _close(
            _monotonize(np.linspace(0.1, 0.9, y.size), y, "isotonic"),
            REF["iso_output"][m],
            rtol=1e-12,
        )


def test_rearrangement_reproduces_the_note_example():
    q = np.linspace(0.1, 0.6, 6)
    out = _rearrangement(q, np.array([1, 3, 2, 4, 3.5, 5.0]))
    np.testing.assert_allclose(out, [1, 2.25, 2.75, 3.58, 3.895, 5], atol=0.005)
    np.testing.assert_allclose(
        out[[0, 1, 2, 4, 5]], [1, 2.25, 2.75, 3.895, 5], atol=1e-12
    )


# --------------------------------------------------------- independent fits
def _wls_intercept(x, y, h, kernel, p, side):
    u = x / h
    k = {
        "triangular": np.clip(1 - np.abs(u), 0, None),
        "epanechnikov": np.clip(0.75 * (1 - u**2), 0, None),
        "uniform": 0.5 * (np.abs(u) <= 1),
    }[kernel]
    on = (x >= 0) if side == "+" else (x < 0)
    keep = on & (k > 0)
    design = np.vander(u[keep], p + 1, increasing=True)
    return sm.WLS(y[keep], design, weights=k[keep]).fit().params[0]


@pytest.mark.parametrize("kernel", ["triangular", "epanechnikov", "uniform"])
@pytest.mark.parametrize("p", [1, 2])
def test_intercepts_match_statsmodels_wls(rng, kernel, p):
    n = 300
    x = rng.uniform(-1, 1, n) + 0.3
    samples = rng.normal(np.sin(2 * x) + (x >= 0.3), 1 + 0.3 * x, size=(40, n)).T
    q = np.array([0.1, 0.35, 0.5, 0.8])
    h = np.array([0.4, 0.55, 0.7, 0.9])
    est = DistributionalRDD(
        cutoff=0.3,
        q_grid=q,
        bandwidth=h,
        kernel=kernel,
        p=p,
        n_bootstrap=0,
        monotone=None,
    ).fit(x, samples)
    Q = np.quantile(samples, q, axis=1, method="linear").T
    for j in range(q.size):
        plus = _wls_intercept(x - 0.3, Q[:, j], h[j], kernel, p, "+")
        minus = _wls_intercept(x - 0.3, Q[:, j], h[j], kernel, p, "-")
        assert est.raw_intercept_plus_[j] == pytest.approx(plus, rel=1e-10, abs=1e-10)
        assert est.raw_intercept_minus_[j] == pytest.approx(minus, rel=1e-10, abs=1e-10)
        assert est.tau_[j] == pytest.approx(plus - minus, rel=1e-10, abs=1e-10)


def test_fuzzy_is_the_wald_ratio_of_statsmodels_fits(rng):
    n = 400
    x = rng.uniform(-1, 1, n)
    t = (rng.uniform(size=n) < 0.1 + 0.8 * (x >= 0)).astype(float)
    samples = rng.normal(5 + 0.5 * x + 2 * t, 0.5, size=(30, n)).T
    q = np.array([0.2, 0.5, 0.9])
    est = DistributionalRDD(
        q_grid=q,
        bandwidth=0.6,
        bandwidth_treatment=0.5,
        fuzzy=True,
        n_bootstrap=0,
        monotone=None,
        kernel="epanechnikov",
    ).fit(x, samples, treatment=t)
    Q = np.quantile(samples, q, axis=1, method="linear").T
    den = _wls_intercept(x, t, 0.5, "epanechnikov", 2, "+") - _wls_intercept(
        x, t, 0.5, "epanechnikov", 2, "-"
    )
    assert est.denominator_ == pytest.approx(den, rel=1e-10)
    for j in range(q.size):
        num = _wls_intercept(x, Q[:, j], 0.6, "epanechnikov", 2, "+") - _wls_intercept(
            x, Q[:, j], 0.6, "epanechnikov", 2, "-"
        )
        assert est.tau_[j] == pytest.approx(num / den, rel=1e-10)
