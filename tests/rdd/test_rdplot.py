"""statnorm.rdd.rd_binned_scatter and RDPlotDisplay against rdrobust.rdplot 2.1.1.

Stored numbers: ``data/rdplot_reference.npz`` (built by
``data/make_rdplot_fixture.py`` from rdrobust's bundled Senate data and
seeded data); those tests run without rdrobust. A live comparison runs when
rdrobust is installed. The numbers of bins must be equal; bin centres,
means, counts, standard errors and interval ends agree to 1e-10 relative,
polynomial coefficients to 1e-8 relative (observed: below 2e-9; rdplot
inverts the normal equations of raw powers of ``x - c``, which loses digits
for the quartic on the Senate data's [-100, 100] scale).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from statnorm.rdd import RDBinnedScatterResult, RDPlotDisplay, rd_binned_scatter

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from make_rdplot_fixture import CASES, rdplot_kwargs, run_rdplot

REF = np.load(DATA / "rdplot_reference.npz")
RTOL_BINS = 1e-10
RTOL_COEF = 1e-8


def _data(name):
    return {k[len(name) + 1 :]: REF[k] for k in REF.files if k.startswith(name + "_")}


def _ours(name, kw, d):
    kw = dict(kw)
    if kw.get("weights"):
        kw["weights"] = d["w"]
    return rd_binned_scatter(d["y"], d["x"], **kw)


def _vectors(r):
    """Our result in rdplot's layout: J's, coef (p+1, 2), non-empty bins."""
    J = np.concatenate(
        [[r.n_bins_left, r.n_bins_right], r.n_bins_imse, r.n_bins_mv]
    ).astype(float)
    coef = np.column_stack([r.coef_left, r.coef_right])
    cols = []
    for field in (
        "centers",
        "mean_x",
        "mean_y",
        "count",
        "std_error",
        "ci_lower",
        "ci_upper",
    ):
        cols.append(
            np.concatenate([getattr(r, f"{field}_left"), getattr(r, f"{field}_right")])
        )
    bins = np.column_stack(cols).astype(float)
    return J, coef, bins[bins[:, 3] > 0]


def _compare(r, J_ref, coef_ref, bins_ref):
    J, coef, bins = _vectors(r)
    np.testing.assert_array_equal(J, J_ref)
    np.testing.assert_allclose(coef, coef_ref, rtol=RTOL_COEF, atol=0)
    assert bins.shape == bins_ref.shape
    np.testing.assert_allclose(bins, bins_ref, rtol=RTOL_BINS, atol=1e-12)


@pytest.mark.parametrize("j", range(len(CASES)), ids=[str(c) for c in CASES])
def test_matches_stored_rdplot(j):
    name, kw = CASES[j]
    r = _ours(name, kw, _data(name))
    _compare(r, REF[f"out_{j}_J"], REF[f"out_{j}_coef"], REF[f"out_{j}_bins"])


def test_fixture_has_every_case():
    assert len([k for k in REF.files if k.endswith("_J")]) == len(CASES)
    assert rdplot_kwargs("senate", {"cutoff": 1.0}, {}) == {"c": 1.0}


def test_live_rdplot_when_installed():
    pytest.importorskip("rdrobust")
    pytest.importorskip("plotnine")
    rng = np.random.default_rng(5)
    x = rng.normal(size=1200)
    y = np.cos(x) + 0.5 * (x >= 0.3) + rng.normal(0, 0.4, x.size)
    for kw in (
        {},
        {"binselect": "qs", "p": 2},
        {"nbins": (7, 9), "kernel": "triangular", "h": 1.5},
    ):
        ours = rd_binned_scatter(y, x, cutoff=0.3, **kw)
        J, coef, bins = run_rdplot(
            y, x, **rdplot_kwargs("live", {"cutoff": 0.3, **kw}, {})
        )
        _compare(ours, J, coef, bins)


def test_result_fields_and_frame():
    d = _data("senate")
    r = rd_binned_scatter(d["y"], d["x"])
    assert isinstance(r, RDBinnedScatterResult)
    assert r.edges_left.shape == (r.n_bins_left + 1,)
    assert r.edges_right.shape == (r.n_bins_right + 1,)
    assert r.count_left.sum() == r.n_left and r.count_right.sum() == r.n_right
    assert r.edges_left[-1] == r.edges_right[0] == r.cutoff
    # the global polynomial fits reproduce the data's means per side
    frame = r.to_frame()
    assert len(frame) == r.n_bins_left + r.n_bins_right
    assert set(frame.side) == {"left", "right"}
    assert "RD plot" in str(r)
    vals = r.polynomial([-1.0, 0.0])
    np.testing.assert_allclose(
        vals, [np.polyval(r.coef_left[::-1], -1.0), r.coef_right[0]]
    )


def test_empty_bins_are_nan_with_zero_count():
    d = _data("senate")
    r = rd_binned_scatter(d["y"], d["x"])  # rdplot drops one empty bin here
    empty = r.count_right == 0
    assert empty.sum() == 1
    assert np.all(np.isnan(r.mean_y_right[empty]))
    assert np.all(np.isnan(r.ci_lower_right[empty]))
    assert np.all(np.isfinite(r.mean_y_right[~empty]))


def test_inputs_not_modified_and_order_free():
    d = _data("smooth")
    x, y = d["x"].copy(), d["y"].copy()
    r1 = rd_binned_scatter(y, x, cutoff=0.2)
    np.testing.assert_array_equal(x, d["x"])
    perm = np.random.default_rng(0).permutation(x.size)
    r2 = rd_binned_scatter(y[perm], x[perm], cutoff=0.2)
    np.testing.assert_allclose(r1.mean_y_right, r2.mean_y_right, rtol=1e-12)
    np.testing.assert_allclose(r1.coef_left, r2.coef_left, rtol=1e-9)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"nbins": 0}, "nbins"),
        ({"nbins": -3}, "nbins"),
        ({"nbins": 2.5}, "nbins"),
        ({"nbins": (3, 0)}, "nbins"),
        ({"scale": 0}, "scale"),
        ({"h": -1.0}, "h"),
        ({"cutoff": 5.0}, "cutoff"),
        ({"cutoff": np.inf}, "cutoff"),
        ({"binselect": "bogus"}, "binselect"),
        ({"kernel": "tri"}, "kernel"),
        ({"p": -1}, "p"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"support": (0.0,)}, "support"),
        ({"masspoints": "check"}, "masspoints"),
    ],
)
def test_bad_settings(kw, match):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 100)
    with pytest.raises(ValueError, match=match):
        rd_binned_scatter(x + rng.normal(size=100), x, **kw)


def test_bad_arrays():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 100)
    y = x + rng.normal(size=100)
    for bad in (np.nan, np.inf):
        xb = x.copy()
        xb[3] = bad
        with pytest.raises(ValueError, match="x"):
            rd_binned_scatter(y, xb)
        yb = y.copy()
        yb[3] = bad
        with pytest.raises(ValueError, match="y"):
            rd_binned_scatter(yb, x)
    with pytest.raises(ValueError, match="same length"):
        rd_binned_scatter(y[:-1], x)
    with pytest.raises(ValueError, match="20 units"):
        rd_binned_scatter(y[:10], x[:10])
    with pytest.raises(ValueError, match="weights"):
        rd_binned_scatter(y, x, weights=-np.ones(100))
    with pytest.raises(ValueError, match="weights"):
        rd_binned_scatter(y, x, weights=np.ones(99))
    with pytest.raises(TypeError, match="y"):
        rd_binned_scatter(None, x)


def test_too_few_units_on_a_side_for_order_p():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1, 0, 60), [0.1, 0.2, 0.3, 0.1]])
    y = x + rng.normal(size=x.size)
    with pytest.raises(ValueError, match=r"at or above.*order p=4"):
        rd_binned_scatter(y, x)
    r = rd_binned_scatter(y, x, p=2)
    assert r.coef_right.shape == (3,)
    # a bandwidth leaving too few units
    x = rng.uniform(-1, 1, 200)
    with pytest.raises(ValueError, match="order p=4"):
        rd_binned_scatter(x, x, h=0.01)
    # two distinct values on a side: the bin rules need three
    x = np.concatenate([rng.uniform(-1, 0, 60), [0.1, 0.2] * 10])
    with pytest.raises(ValueError, match="at least 3"):
        rd_binned_scatter(x + rng.normal(size=x.size), x, p=1)


def test_tied_running_variable_does_not_depend_on_row_order():
    """With masspoints="off" the spacings rules read the sorted data; tied
    units keep their order (a stable sort), so a permutation of the rows
    within ties is the only thing that can move J (rdplot's unstable argsort
    makes this machine-dependent there)."""
    d = _data("mass")
    x, y = d["x"], d["y"]
    r1 = rd_binned_scatter(y, x, masspoints="off")
    assert r1.binselect == "esmv"
    assert rd_binned_scatter(y, x).binselect == "esmvpr"
    order = np.lexsort((np.arange(x.size), x))
    r2 = rd_binned_scatter(y[order], x[order], masspoints="off")
    assert (r1.n_bins_left, r1.n_bins_right) == (r2.n_bins_left, r2.n_bins_right)


def test_constant_outcome_on_a_side_gets_one_bin():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 200)
    y = np.where(x < 0, 1.0, x + rng.normal(size=200))
    r = rd_binned_scatter(y, x)
    assert r.n_bins_left == 1
    np.testing.assert_allclose(r.mean_y_left, [1.0])


def test_more_bins_with_more_data_and_spacing():
    """The IMSE rule grows like n^(1/3) (Calonico, Cattaneo and Titiunik, 2015,
    Theorem 2): J at 8n over J at n near 2 on a smooth design."""
    ratios = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        Js = []
        for n in (2000, 16000):
            x = rng.uniform(-1, 1, n)
            y = np.sin(3 * x) + rng.normal(0, 0.5, n)
            Js.append(rd_binned_scatter(y, x, binselect="es").n_bins_right)
        ratios.append(Js[1] / Js[0])
    assert 1.6 < np.mean(ratios) < 2.4
    # quantile-spaced bins hold equal counts (up to ties and rounding)
    rng = np.random.default_rng(1)
    x = rng.normal(size=3000)
    r = rd_binned_scatter(np.sin(x) + rng.normal(size=3000), x, binselect="qs")
    assert r.spacing == "qs"
    assert r.count_right.max() - r.count_right.min() <= 1


class TestDisplay:
    @pytest.fixture(autouse=True)
    def _agg(self):
        mpl = pytest.importorskip("matplotlib")
        mpl.use("Agg")
        import matplotlib.pyplot as plt

        yield
        plt.close("all")

    def _xy(self):
        rng = np.random.default_rng(0)
        x = rng.uniform(-1, 1, 500)
        return 1 + x + 0.5 * (x >= 0) + rng.normal(0, 0.3, 500), x

    def test_from_data_draws_everything(self):
        y, x = self._xy()
        disp = RDPlotDisplay.from_data(y, x, ci=True, color="C2", marker="s")
        r = disp.result
        n_nonempty = int((r.count_left > 0).sum() + (r.count_right > 0).sum())
        assert disp.scatter_.get_offsets().shape == (n_nonempty, 2)
        assert len(disp.lines_) == 2
        xl = disp.lines_[0].get_xdata()
        assert xl[0] == pytest.approx(x.min()) and xl[-1] == 0.0
        assert disp.cutoff_line_.get_xdata()[0] == 0.0
        assert disp.errorbar_ is not None
        assert disp.ax_.figure is disp.figure_
        np.testing.assert_allclose(
            disp.scatter_.get_facecolor()[0][:3],
            __import__("matplotlib").colors.to_rgb("C2"),
        )

    def test_from_result_on_given_axes_and_shade(self):
        import matplotlib.pyplot as plt

        y, x = self._xy()
        r = rd_binned_scatter(y, x, nbins=10, p=1)
        fig, ax = plt.subplots()
        disp = RDPlotDisplay.from_result(
            r, ax=ax, ci=True, shade=True, line_kw={"color": "k"}
        )
        assert disp.ax_ is ax and disp.figure_ is fig
        assert disp.lines_[1].get_color() == "k"
        assert disp.scatter_.get_offsets().shape[0] == 20

    def test_bad_inputs(self):
        y, x = self._xy()
        with pytest.raises(TypeError, match="result"):
            RDPlotDisplay.from_result(object())
        with pytest.raises(ValueError, match="n_points"):
            RDPlotDisplay.from_data(y, x, n_points=1)
        with pytest.raises(ValueError, match="nbins"):
            RDPlotDisplay.from_data(y, x, nbins=0)
