"""statnorm.rdd.scalar_rd against rdrobust 2.1.1, number for number.

Stored numbers: ``data/scalar_rd_reference.npz`` (built by
``data/make_scalar_rd_fixture.py`` from rdrobust's bundled Senate data and
seeded data); those tests run without rdrobust. A live comparison runs when
rdrobust is installed. Tolerance 1e-8 relative on every estimate, standard
error, interval end, p-value and bandwidth (observed: below 1e-9).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from statnorm.rdd import ScalarRDResult, scalar_rd

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from make_scalar_rd_fixture import CASES, KERNEL, rdrobust_kwargs  # noqa: E402

REF = np.load(DATA / "scalar_rd_reference.npz")
RTOL = 1e-8


def _data(name):
    return {k[len(name) + 1 :]: REF[k] for k in REF.files if k.startswith(name + "_")}


def _statnorm_kwargs(name, kw, data):
    out = dict(kw)
    for key, col in (("covariates", "Z"), ("clusters", "cluster"), ("treatment", "t")):
        if out.get(key):
            out[key] = data[col]
    return out


def _as_vector(r):
    return np.concatenate(
        [
            r.estimate,
            r.std_error,
            np.column_stack([r.ci_lower, r.ci_upper]).ravel(),
            r.pvalue,
            [r.h_left, r.h_right, r.b_left, r.b_right],
            [r.n_h_left, r.n_h_right],
        ]
    )


@pytest.mark.parametrize("j", range(len(CASES)), ids=[str(c) for c in CASES])
def test_matches_stored_rdrobust(j):
    name, kw = CASES[j]
    d = _data(name)
    r = scalar_rd(d["y"], d["x"], **_statnorm_kwargs(name, kw, d))
    np.testing.assert_allclose(_as_vector(r), REF[f"out_{j}"], rtol=RTOL, atol=0)


def test_live_rdrobust_when_installed():
    rdrobust = pytest.importorskip("rdrobust").rdrobust
    rng = np.random.default_rng(7)
    x = rng.normal(size=1500)
    z = rng.normal(size=1500)
    t = (rng.uniform(size=1500) < 0.3 + 0.5 * (x >= 0.1)).astype(float)
    y = 0.5 * x - 0.2 * x**2 + 0.8 * t + z + rng.normal(size=1500)
    for kw in (
        {},
        {"kernel": "epanechnikov", "vce": "hc3", "p": 2},
        {"treatment": t, "covariates": z, "bwselect": "certwo"},
    ):
        ours = scalar_rd(y, x, cutoff=0.1, **kw)
        kw2 = dict(kw)
        kw2["kernel"] = KERNEL[kw2.get("kernel", "triangular")]
        if "treatment" in kw2:
            kw2["fuzzy"] = kw2.pop("treatment")
        if "covariates" in kw2:
            kw2["covs"] = kw2.pop("covariates")
        r = rdrobust(y, x, c=0.1, **kw2)
        np.testing.assert_allclose(ours.estimate, r.coef.to_numpy().ravel(), rtol=RTOL)
        np.testing.assert_allclose(ours.std_error, r.se.to_numpy().ravel(), rtol=RTOL)
        np.testing.assert_allclose(
            [ours.h_left, ours.h_right, ours.b_left, ours.b_right],
            r.bws.to_numpy().ravel(),
            rtol=RTOL,
        )


def test_fixture_script_reproduces_cases():
    """The stored case list is the script's (the script defines the data)."""
    assert len([k for k in REF.files if k.startswith("out_")]) == len(CASES)
    assert rdrobust_kwargs("senate", {"kernel": "uniform"}, {}) == {"kernel": "uni"}


def test_result_object_and_summary():
    d = _data("senate")
    r = scalar_rd(d["y"], d["x"])
    assert isinstance(r, ScalarRDResult)
    text = str(r)
    for word in ("conventional", "bias-corrected", "robust", "mserd"):
        assert word in text
    lo, hi = r.confidence_interval("robust")
    assert (lo, hi) == (r.ci_lower[2], r.ci_upper[2])
    frame = r.to_frame()
    assert list(frame.index) == ["conventional", "bias-corrected", "robust"]
    # robust bias correction: same estimate as bias-corrected, wider SE here
    assert r.estimate[1] == r.estimate[2] and r.std_error[2] > r.std_error[1]
    with pytest.raises(ValueError, match="kind"):
        r.confidence_interval("other")


def test_inputs_not_modified_and_order_free():
    d = _data("smooth")
    x, y = d["x"].copy(), d["y"].copy()
    r1 = scalar_rd(y, x, cutoff=0.2)
    np.testing.assert_array_equal(x, d["x"])
    perm = np.random.default_rng(0).permutation(x.size)
    r2 = scalar_rd(y[perm], x[perm], cutoff=0.2)
    np.testing.assert_allclose(r1.estimate, r2.estimate, rtol=1e-10)
    np.testing.assert_allclose(r1.std_error, r2.std_error, rtol=1e-10)


# ---------------------------------------------------------------- bad input --


def test_too_few_units_on_a_side():
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(-1, 0, 50), [0.1, 0.2]]
    y = rng.normal(size=x.size)
    with pytest.raises(ValueError, match="Too few units in x at or above"):
        scalar_rd(y, x)


def test_bandwidth_too_small_for_the_polynomial():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 300)
    y = rng.normal(size=300)
    with pytest.raises(ValueError, match="bandwidth h=0.001"):
        scalar_rd(y, x, h=0.001, b=0.5)
    with pytest.raises(ValueError, match="bandwidth b=0.01"):
        scalar_rd(y, x, h=0.5, b=0.01, p=2)


def test_one_cluster_on_a_side():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 300)
    y = rng.normal(size=300)
    clusters = np.where(x >= 0, 0, rng.integers(1, 20, 300))
    with pytest.raises(ValueError, match="clusters: only 1 cluster"):
        scalar_rd(y, x, clusters=clusters, h=0.5)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"vce": "hc2", "clusters": np.arange(300) % 10}, "vce='hc2' with clusters"),
        ({"vce": "cr1"}, "needs clusters"),
        ({"p": 2, "q": 2}, "q must be greater"),
        ({"h": -1.0}, "h must be a positive"),
        ({"h": (0.5, 0.5, 0.5)}, "h must be a positive"),
        ({"b": 0.5}, "b was given without h"),
        ({"treatment": np.zeros(300)}, "treatment does not vary"),
        ({"covariates": np.ones(300)}, "covariates are collinear"),
        ({"clusters": np.arange(299)}, "clusters must be 1-D"),
        ({"cutoff": np.inf}, "cutoff"),
    ],
)
def test_bad_settings(kw, match):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 300)
    y = rng.normal(size=300)
    with pytest.raises(ValueError, match=match):
        scalar_rd(y, x, **kw)


def test_bad_arrays():
    x = np.linspace(-1, 1, 50)
    with pytest.raises(ValueError, match="y"):
        scalar_rd(np.r_[np.nan, np.ones(49)], x)
    with pytest.raises(ValueError, match="same length"):
        scalar_rd(np.ones(40), x)
