"""Scalar-outcome regression discontinuity with robust bias-corrected
inference (Calonico, Cattaneo and Titiunik, 2014; Calonico, Cattaneo and
Farrell, 2018, 2020; Calonico, Cattaneo, Farrell and Titiunik, 2019): the
estimates, standard errors, intervals and bandwidths of ``rdrobust``.

Units are sorted by the running variable once; every local fit then works on
a contiguous window of one side, so a fit costs the units inside its
bandwidth, not the whole sample.
"""

from dataclasses import dataclass
from typing import ClassVar
from math import factorial
from numbers import Integral, Real

import numpy as np
from scipy.special import ndtr, ndtri
from sklearn.utils._param_validation import validate_parameter_constraints

from .._validation import (
    Interval,
    StrOptions,
    check_1d,
    check_2d,
    check_confidence_level,
)
from ..results import ConfidenceInterval, Result, SummaryTable

__all__ = ["ScalarRDResult", "scalar_rd"]

_ROWS = ("conventional", "bias-corrected", "robust")
_BWSELECT = (
    "mserd",
    "msetwo",
    "msesum",
    "msecomb1",
    "msecomb2",
    "cerrd",
    "certwo",
    "cersum",
    "cercomb1",
    "cercomb2",
)
# pilot constant of the first bandwidth, per kernel (rdrobust's C_c)
_PILOT_CONSTANT = {"triangular": 2.576, "epanechnikov": 2.34, "uniform": 1.843}
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True, repr=False)
class ScalarRDResult(Result):
    """Result of :func:`scalar_rd`: the three rows of ``rdrobust``.

    Row 0 is the conventional local polynomial estimate with its
    conventional standard error, row 1 the bias-corrected estimate with the
    conventional standard error, row 2 the bias-corrected estimate with the
    robust standard error (the robust bias-corrected interval to report).

    Attributes
    ----------
    estimate, std_error, statistic, pvalue : ndarray of shape (3,)
        Effect, standard error, ``estimate / std_error`` and two-sided normal
        p-value per row.
    ci_lower, ci_upper : ndarray of shape (3,)
        Normal confidence interval per row at ``confidence_level``.
    h_left, h_right, b_left, b_right : float
        Main (``h``) and bias (``b``) bandwidths below / above the cutoff.
    n_left, n_right : int
        Units below / at or above the cutoff.
    n_h_left, n_h_right, n_b_left, n_b_right : int
        Units with positive kernel weight at ``h`` and at ``b`` per side.
    cutoff : float
    p, q : int
        Orders of the point-estimate and bias-correction polynomials.
    kernel, vce, bwselect : str
        Settings used (``bwselect="manual"`` for a given ``h``).
    confidence_level : float
    fuzzy : bool
        Whether the effect is a Wald ratio (``treatment`` given).
    first_stage : float or None
        Conventional jump in the treatment at the cutoff (fuzzy only).
    n_clusters : int or None
        Clusters within the bandwidth (both sides), or None.
    covariate_coef : ndarray or None
        Common covariate slopes, shape (n_covariates,), or (n_covariates, 2)
        (outcome, treatment) in a fuzzy design.
    """

    estimate: np.ndarray
    std_error: np.ndarray
    statistic: np.ndarray
    pvalue: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    h_left: float
    h_right: float
    b_left: float
    b_right: float
    n_left: int
    n_right: int
    n_h_left: int
    n_h_right: int
    n_b_left: int
    n_b_right: int
    cutoff: float
    p: int
    q: int
    kernel: str
    vce: str
    bwselect: str
    confidence_level: float
    fuzzy: bool = False
    first_stage: float | None = None
    n_clusters: int | None = None
    covariate_coef: np.ndarray | None = None

    #: checked in ``__post_init__`` (a string such as "no" is truthy)
    _parameter_constraints: ClassVar[dict] = {"fuzzy": ["boolean"]}

    def __post_init__(self):
        if not isinstance(self.fuzzy, bool | np.bool_):
            raise TypeError(
                f"fuzzy must be a bool (True: a fuzzy design); got {self.fuzzy!r}."
            )

    def __str__(self):
        return str(self.summary())

    def confidence_interval(self, kind="robust"):
        """The confidence interval of one row.

        Parameters
        ----------
        kind : {"robust", "conventional", "bias-corrected"}, default="robust"

        Returns
        -------
        ci : ConfidenceInterval
            Scalar ``lower`` and ``upper`` around that row's estimate; unpacks
            as ``lower, upper = ci``.
        """
        if kind not in _ROWS:
            raise ValueError(f"kind must be one of {_ROWS}; got {kind!r}.")
        j = _ROWS.index(kind)
        return ConfidenceInterval(
            lower=float(self.ci_lower[j]),
            upper=float(self.ci_upper[j]),
            confidence_level=float(self.confidence_level),
            kind=kind,
            estimate=float(np.ravel(self.estimate)[j]),
        )

    def to_frame(self):
        """One row per inference procedure (conventional, bias-corrected,
        robust).

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "estimate": self.estimate,
                "std_error": self.std_error,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            },
            index=pd.Index(_ROWS, name="method"),
        )

    def summary(self, *, max_rows=None):
        """The three rows of estimates as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Unused (three rows).

        Returns
        -------
        table : SummaryTable
        """
        pct = f"{100 * self.confidence_level:g}%"
        rows = tuple(
            (
                name,
                float(self.estimate[j]),
                float(self.std_error[j]),
                float(self.statistic[j]),
                float(self.pvalue[j]),
                f"[{self.ci_lower[j]:.4g}, {self.ci_upper[j]:.4g}]",
            )
            for j, name in enumerate(_ROWS)
        )
        design = "Fuzzy" if self.fuzzy else "Sharp"
        notes = [
            f"{design} RD at cutoff {self.cutoff:g}; p={self.p}, q={self.q}, "
            f"kernel={self.kernel}, vce={self.vce}, bwselect={self.bwselect}",
            f"h (left, right) = ({self.h_left:.4g}, {self.h_right:.4g}); "
            f"b (left, right) = ({self.b_left:.4g}, {self.b_right:.4g})",
            f"units (left, right): {self.n_left}, {self.n_right}; within h: "
            f"{self.n_h_left}, {self.n_h_right}; within b: {self.n_b_left}, "
            f"{self.n_b_right}",
        ]
        if self.n_clusters is not None:
            notes.append(f"standard errors clustered ({self.n_clusters} clusters)")
        if self.fuzzy:
            notes.append(f"first stage (jump in treatment): {self.first_stage:.4g}")
        return SummaryTable(
            "Regression discontinuity (local polynomial, robust bias correction)",
            ("method", "estimate", "std err", "z", "p-value", f"{pct} CI"),
            rows,
            tuple(notes),
        )


# ---------------------------------------------------------------- one side --

_KID = {"triangular": 0, "epanechnikov": 1, "uniform": 2}
_MODE = {"hc0": 0, "hc1": 1, "hc2": 2, "hc3": 3}


@dataclass
class _Side:
    """One side of the cutoff: units sorted by ``x`` (centred at the cutoff),
    ``D`` = [y, treatment?, covariates...], cluster codes (0..n_codes-1) or
    None."""

    x: np.ndarray
    D: np.ndarray
    codes: np.ndarray | None
    n_codes: int
    left: bool
    kernel: str

    def window(self, h):
        """Slice of the units with positive kernel weight at ``h``
        (contiguous: ``x`` is sorted)."""
        x = self.x
        if self.left:
            lo, hi = int(np.searchsorted(x, -h, side="left")), x.size
        else:
            lo, hi = 0, int(np.searchsorted(x, h, side="right"))
        K = _SCALAR_KERNELS[self.kernel]
        while lo < hi and K(float(x[lo]) / h) <= 0:
            lo += 1
        while hi > lo and K(float(x[hi - 1]) / h) <= 0:
            hi -= 1
        return slice(lo, hi)

    def where(self):
        return "below" if self.left else "at or above"


# the kernels of _locpoly.KERNELS on one float (the same arithmetic), for the
# window's edge checks
_SCALAR_KERNELS = {
    "triangular": lambda u: 1.0 - abs(u) if abs(u) <= 1 else 0.0,
    "epanechnikov": lambda u: 0.75 * (1.0 - u * u) if abs(u) <= 1 else 0.0,
    "uniform": lambda u: 0.5 if abs(u) <= 1 else 0.0,
}


def _inv_spd(G):
    from ._kernels import spd_inverse

    inv, ok = spd_inverse(np.ascontiguousarray(G, dtype=np.float64))
    return inv if ok else np.linalg.pinv(G)


def _check_distinct(x, order, side, h, what):
    distinct = 1 + int(np.count_nonzero(x[1:] != x[:-1])) if x.size else 0
    if distinct < order + 1:
        raise ValueError(
            f"Too few units within the bandwidth {what}={h:.4g} {side.where()} the "
            f"cutoff: {x.size} unit(s) with {distinct} distinct value(s) of x, but "
            f"a polynomial of order {order} needs {order + 1}. Use a larger "
            f"bandwidth {what} or lower orders p, q."
        )


@dataclass
class _Fit:
    x: np.ndarray  # window units with positive kernel weight
    D: np.ndarray
    codes: np.ndarray | None
    h: float
    order: int
    invG: np.ndarray
    RD: np.ndarray  # sum w r D'
    DD: np.ndarray  # sum w D D'
    beta: np.ndarray  # (order+1, n_cols)


def _fit(side, h, order, what="h"):
    """Kernel-weighted least squares of every column of ``D`` on
    ``(1, x, ..., x^order)`` within bandwidth ``h`` on one side."""
    from ._kernels import wls_moments

    sl = side.window(h)
    x, D = side.x[sl], side.D[sl]
    _check_distinct(x, order, side, h, what)
    G, RD, DD = wls_moments(x, D, h, order, _KID[side.kernel])
    invG = _inv_spd(G)
    codes = None if side.codes is None else side.codes[sl]
    return _Fit(x, D, codes, h, order, invG, RD, DD, invG @ RD)


def _combined_residuals(x, D, h, order, kernel, beta, invG, s, vce, nnmatch,
                        clustered, dof):
    """Residuals of ``D`` combined by ``s``, one per unit: nearest-neighbour
    (``vce="nn"``) or the fit's own, scaled as HC0-HC3 (CR1 scales the sum
    instead)."""
    from ._kernels import combined_residuals, nn_residuals

    if vce == "nn":
        return nn_residuals(x, D, int(nnmatch)) @ s
    mode = 0 if clustered else _MODE[vce]
    return combined_residuals(
        x, D, h, order, _KID[kernel], beta, invG, np.ascontiguousarray(s, float),
        mode, float(x.size), float(dof),
    )


_NO_CODES = np.zeros(0, dtype=np.int64)


def _meat(side, x, e, codes, h, p, dof, b=1.0, q=0, v=None, L=None, corr=0.0):
    """``sum_i e_i^2 A_i A_i'`` of the (conventional or bias-corrected)
    score ``A``, or the CR1 cluster sum with its factor."""
    from ._kernels import score_meat

    v = np.zeros(q + 1) if v is None else np.ascontiguousarray(v)
    L = np.zeros(p + 1) if L is None else np.ascontiguousarray(L)
    clustered = codes is not None
    M, g = score_meat(
        x, np.ascontiguousarray(e), h, p, _KID[side.kernel], b, q, v, L, corr,
        codes if clustered else _NO_CODES, side.n_codes if clustered else 0,
    )
    if not clustered:
        return M
    n = e.size
    if g < 2:
        raise ValueError(
            f"clusters: only {g} cluster among the {n} units within the "
            f"bandwidth {max(h, b) if corr else h:.4g} {side.where()} the "
            "cutoff; cluster-robust standard errors need at least 2 clusters "
            "per side (use a larger bandwidth or coarser clusters, or drop "
            "clusters)."
        )
    return (n - 1) / (n - dof) * g / (g - 1) * M


def _local_gamma(f, n_lead, Zc):
    """Covariate slopes of one fit (one side): the partialled-out regression
    of the leading columns (outcome, treatment) on the covariates."""
    UiGU = f.RD[:, Zc].T @ f.invG @ f.RD
    ZWD = f.DD[Zc]
    return ZWD[:, Zc] - UiGU[:, Zc], ZWD[:, :n_lead] - UiGU[:, :n_lead]


def _combination(beta_row, gamma, fuzzy):
    """Effect of one coefficient row and its linear weights ``s`` over the
    columns of ``D`` (delta method for a fuzzy ratio)."""
    dT = int(fuzzy)
    if gamma is None:
        if not fuzzy:
            return beta_row[0], np.ones(1)
        ty, tt = beta_row[0], beta_row[1]
        return ty / tt, np.array([1.0 / tt, -ty / tt**2])
    Zb = beta_row[1 + dT :]
    ty = beta_row[0] - gamma[:, 0] @ Zb
    if not fuzzy:
        return ty, np.concatenate([[1.0], -gamma[:, 0]])
    tt = beta_row[1] - gamma[:, 1] @ Zb
    s = np.concatenate(
        [[1.0 / tt, -ty / tt**2], -gamma[:, 0] / tt + ty / tt**2 * gamma[:, 1]]
    )
    return ty / tt, s


# ------------------------------------------------------- bandwidth choice --


class _Pilot:
    """The pilot fits of the bandwidth rule on one side (standardized data)."""

    def __init__(self, side, kernel, vce, nnmatch, fuzzy, n_cov, h_v):
        self.side, self.kernel, self.vce, self.nnmatch = side, kernel, vce, nnmatch
        self.fuzzy, self.n_cov, self.h_v = fuzzy, n_cov, h_v
        self.clustered = side.codes is not None
        self._cache = {}

    def _s(self, f, nu):
        if self.n_cov == 0 and not self.fuzzy:
            return np.ones(1)
        n_lead = 1 + int(self.fuzzy)
        gamma = None
        if self.n_cov:
            Zc = np.arange(n_lead, n_lead + self.n_cov)
            ZWZ, ZWY = _local_gamma(f, n_lead, Zc)
            gamma = np.linalg.pinv(ZWZ) @ ZWY
        return _combination(factorial(nu) * f.beta[nu], gamma, self.fuzzy)[1]

    def variance_fit(self, o, nu):
        from ._kernels import wls_bias_moment

        key = (o, nu)
        if key not in self._cache:
            h = self.h_v
            f = _fit(self.side, h, o, what="pilot bandwidth")
            s = self._s(f, nu)
            e = _combined_residuals(
                f.x, f.D, h, o, self.kernel, f.beta, f.invG, s, self.vce,
                self.nnmatch, self.clustered, o + 1,
            )
            M = _meat(self.side, f.x, e, f.codes, h, o, o + 1)
            V = (f.invG @ M @ f.invG)[nu, nu]
            v = wls_bias_moment(f.x, h, o, _KID[self.kernel])
            bconst = (h**nu) * (f.invG @ v)[nu]
            self._cache[key] = (V, bconst, s)
        return self._cache[key]

    def pieces(self, o, nu, o_b, h_b, scale):
        """Variance, bias and regularization terms of one MSE step."""
        V_v, bconst, s = self.variance_fit(o, nu)
        if not (np.isfinite(h_b) and h_b > 0):
            raise ValueError(
                "The bandwidth rule broke down (a pilot bandwidth is not "
                "positive and finite): the running variable has too little "
                "variation near the cutoff; pass h= explicitly."
            )
        f = _fit(self.side, h_b, o_b, what="pilot bandwidth")
        reg = 0.0
        if scale > 0:
            e = _combined_residuals(
                f.x, f.D, h_b, o_b, self.kernel, f.beta, f.invG, s, self.vce,
                self.nnmatch, self.clustered, o_b + 1,
            )
            M = _meat(self.side, f.x, e, f.codes, h_b, o_b, o_b + 1)
            V_b = (f.invG @ M @ f.invG)[-1, -1]
            reg = 3 * bconst**2 * V_b
        B = np.sqrt(2 * (o + 1 - nu)) * bconst * float(s @ f.beta[-1])
        V = (2 * nu + 1) * self.h_v ** (2 * nu + 1) * V_v
        R = scale * 2 * (o + 1 - nu) * reg
        return V, B, R, 1.0 / (2 * o + 3)


def _select(sides, *, p, q, kernel, bwselect, vce, nnmatch, fuzzy, n_cov,
            scaleregul, bwrestrict, n, n_unique, x_std, iqr, g_total, bwcheck):
    """rdrobust's MSE/CER bandwidth rules on standardized data; returns
    (h_l, h_r, b_l, b_r) in standardized units."""
    L, Rr = sides
    bw_max_l = -float(L.x[0])
    bw_max_r = float(Rr.x[-1])
    bw_max = max(bw_max_l, bw_max_r)
    BWp = min(1.0, (iqr / x_std) / 1.349)
    c_bw = _PILOT_CONSTANT[kernel] * BWp * n_unique ** (-0.2)
    if bwrestrict:
        c_bw = min(c_bw, bw_max)
    bw_min_l = bw_min_r = 0.0
    if bwcheck is not None:
        ul = np.unique(L.x)[::-1]
        ur = np.unique(Rr.x)
        bw_min_l = abs(ul[min(bwcheck, ul.size) - 1]) * (1 + _SQRT_EPS)
        bw_min_r = abs(ur[min(bwcheck, ur.size) - 1]) * (1 + _SQRT_EPS)
        c_bw = max(c_bw, bw_min_l, bw_min_r)
    pl = _Pilot(L, kernel, vce, nnmatch, fuzzy, n_cov, c_bw)
    pr = _Pilot(Rr, kernel, vce, nnmatch, fuzzy, n_cov, c_bw)
    dl = pl.pieces(q + 1, q + 1, q + 2, bw_max_l * (1 + _SQRT_EPS), 0)
    dr = pr.pieces(q + 1, q + 1, q + 2, bw_max_r * (1 + _SQRT_EPS), 0)
    cap = min if bwrestrict else (lambda a, b: a)
    out = {}
    base = bwselect.replace("cer", "mse")
    need_two = base in ("msetwo", "msecomb2")
    need_sum = base in ("msesum", "msecomb1", "msecomb2")
    need_rd = base in ("mserd", "msecomb1", "msecomb2")

    if need_two:
        d_l = max(cap((dl[0] / dl[1] ** 2) ** dl[3], bw_max_l), bw_min_l)
        d_r = max(cap((dr[0] / dr[1] ** 2) ** dr[3], bw_max_r), bw_min_r)
        bl = pl.pieces(q, p + 1, q + 1, d_l, scaleregul)
        br = pr.pieces(q, p + 1, q + 1, d_r, scaleregul)
        b_l = cap((bl[0] / (bl[1] ** 2 + scaleregul * bl[2])) ** bl[3], bw_max_l)
        b_r = cap((br[0] / (br[1] ** 2 + scaleregul * br[2])) ** br[3], bw_max_r)
        hl = pl.pieces(p, 0, q, b_l, scaleregul)
        hr = pr.pieces(p, 0, q, b_r, scaleregul)
        h_l = cap((hl[0] / (hl[1] ** 2 + scaleregul * hl[2])) ** hl[3], bw_max_l)
        h_r = cap((hr[0] / (hr[1] ** 2 + scaleregul * hr[2])) ** hr[3], bw_max_r)
        out["msetwo"] = (h_l, h_r, b_l, b_r)
    for name, sign, needed in (("msesum", 1.0, need_sum), ("mserd", -1.0, need_rd)):
        if not needed:
            continue
        d = (dl[0] + dr[0]) / (dr[1] + sign * dl[1]) ** 2
        d = max(cap(d ** dl[3], bw_max), bw_min_l, bw_min_r)
        bl = pl.pieces(q, p + 1, q + 1, d, scaleregul)
        br = pr.pieces(q, p + 1, q + 1, d, scaleregul)
        b = (bl[0] + br[0]) / ((br[1] + sign * bl[1]) ** 2
                               + scaleregul * (br[2] + bl[2]))
        b = cap(b ** bl[3], bw_max)
        hl = pl.pieces(p, 0, q, b, scaleregul)
        hr = pr.pieces(p, 0, q, b, scaleregul)
        h = ((hl[0] + hr[0]) / ((hr[1] + sign * hl[1]) ** 2
                                + scaleregul * (hr[2] + hl[2]))) ** hl[3]
        h = cap(h, bw_max)
        out[name] = (h, h, b, b)
    if base == "msecomb1":
        h = min(out["mserd"][0], out["msesum"][0])
        b = min(out["mserd"][2], out["msesum"][2])
        out[base] = (h, h, b, b)
    elif base == "msecomb2":
        med = [
            float(np.median([out["mserd"][j], out["msesum"][j], out["msetwo"][j]]))
            for j in range(4)
        ]
        out[base] = tuple(med)
    h_l, h_r, b_l, b_r = out[base]
    if bwselect.startswith("cer"):
        count = n if g_total is None else g_total
        factor = count ** (-(p / ((3 + p) * (3 + 2 * p))))
        h_l, h_r = h_l * factor, h_r * factor
    bws = np.array([h_l, h_r, b_l, b_r])
    if not np.all(np.isfinite(bws) & (bws > 0)):
        raise ValueError(
            "The bandwidth rule broke down (a selected bandwidth is not positive "
            "and finite): too little variation of the running variable near the "
            "cutoff; pass h= explicitly."
        )
    return bws


# ------------------------------------------------------------- public API --


def _pair(value, name):
    if value is None:
        return None
    arr = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if arr.size not in (1, 2) or not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(
            f"{name} must be a positive number or a pair (left, right) of "
            f"positive numbers; got {value!r}."
        )
    return (float(arr[0]), float(arr[-1]))


def _type2_iqr(xs):
    """Interquartile range of sorted ``xs`` by type-2 quantiles."""
    n = xs.size

    def q(prob):
        m = n * prob
        j = int(np.floor(m))
        if m == j:
            return 0.5 * (xs[j - 1] + xs[j])
        return xs[j]

    return q(0.75) - q(0.25)


def _lead(row, gamma, fuzzy):
    """(outcome, treatment) jump of a coefficient row net of covariates."""
    dT = int(fuzzy)
    if gamma is None:
        return row[0], (row[1] if fuzzy else None)
    Zb = row[1 + dT :]
    ty = row[0] - gamma[:, 0] @ Zb
    return ty, (row[1] - gamma[:, 1] @ Zb if fuzzy else None)


def _final_side(side, h, b, p, q):
    """The point-estimate (order p, bandwidth h) and bias (order q, b) fits
    of one side and the pieces of the bias-corrected estimator."""
    from ._kernels import wls_bias_moment, wls_moments

    sl = side.window(max(h, b))
    x, D = side.x[sl], side.D[sl]
    codes = None if side.codes is None else side.codes[sl]
    sh, sb = side.window(h), side.window(b)
    _check_distinct(side.x[sh], p, side, h, "h")
    _check_distinct(side.x[sb], q, side, b, "b")
    kid = _KID[side.kernel]
    Gp, RDp, DDp = wls_moments(x, D, h, p, kid)
    Gq, RDq, _ = wls_moments(x, D, b, q, kid)
    invGp, invGq = _inv_spd(Gp), _inv_spd(Gq)
    L = wls_bias_moment(x, h, p, kid)
    v = invGq[p + 1].copy()
    corr = h ** (p + 1)
    QD = RDp - corr * np.outer(L, v @ RDq)
    return {
        "x": x,
        "D": D,
        "codes": codes,
        "h": h,
        "b": b,
        "RDp": RDp,
        "DDp": DDp,
        "invGp": invGp,
        "invGq": invGq,
        "L": L,
        "v": v,
        "corr": corr,
        "beta_p": invGp @ RDp,
        "beta_q": invGq @ RDq,
        "beta_bc": invGp @ QD,
        "n_h": sh.stop - sh.start,
        "n_b": sb.stop - sb.start,
    }


_CONSTRAINTS = {
    "y": ["array-like"],
    "x": ["array-like"],
    "cutoff": [Real],
    "p": [Interval(Integral, 0, 8, closed="both")],
    "q": [None, Interval(Integral, 1, 9, closed="both")],
    "kernel": [StrOptions({"triangular", "epanechnikov", "uniform"})],
    "bwselect": [StrOptions(set(_BWSELECT))],
    "h": [None, "array-like", Real],
    "b": [None, "array-like", Real],
    "vce": [StrOptions({"nn", "hc0", "hc1", "hc2", "hc3", "cr1"})],
    "nnmatch": [Interval(Integral, 1, None, closed="left")],
    "clusters": [None, "array-like"],
    "covariates": [None, "array-like"],
    "treatment": [None, "array-like"],
    "confidence_level": [Real],
    "scaleregul": [Interval(Real, 0, None, closed="left")],
    "bwrestrict": ["boolean"],
}


def scalar_rd(
    y,
    x,
    treatment=None,
    *,
    cutoff=0.0,
    p=1,
    q=None,
    kernel="triangular",
    bwselect="mserd",
    h=None,
    b=None,
    vce="nn",
    nnmatch=3,
    clusters=None,
    covariates=None,
    confidence_level=0.95,
    scaleregul=1.0,
    bwrestrict=True,
):
    """Regression discontinuity for a scalar outcome, as ``rdrobust`` computes it.

    Local polynomial estimate of the jump of ``E[y | x]`` at the cutoff
    (sharp), or of the Wald ratio of the jumps of ``y`` and ``treatment``
    (fuzzy), with the three inference procedures of Calonico, Cattaneo and
    Titiunik (2014): conventional, bias-corrected, and robust bias-corrected
    (the bias-corrected estimate with a standard error that accounts for the
    bias estimate; its interval is the one to report). Bandwidths are
    rdrobust's MSE-optimal (``"mse*"``) or coverage-error-optimal
    (``"cer*"``) selectors unless ``h`` is given. Every number equals
    ``rdrobust`` 2.1.1 (Python) with the same settings (tests/rdd).

    Parameters
    ----------
    y : array-like of shape (n_units,)
        Outcome.
    x : array-like of shape (n_units,)
        Running variable; units with ``x >= cutoff`` are treated (sharp).
    treatment : array-like of shape (n_units,), default=None
        Treatment take-up for a fuzzy design (rdrobust's ``fuzzy=``).
    cutoff : float, default=0.0
        Threshold (rdrobust's ``c``).
    p : int, default=1
        Order of the point-estimate polynomial.
    q : int, default=None
        Order of the bias-correction polynomial, greater than ``p``
        (default ``p + 1``).
    kernel : {"triangular", "epanechnikov", "uniform"}, default="triangular"
    bwselect : str, default="mserd"
        One of ``"mserd"`` (one MSE-optimal bandwidth), ``"msetwo"`` (one per
        side), ``"msesum"`` (MSE of the sum), ``"msecomb1"`` (min of mserd and
        msesum), ``"msecomb2"`` (median of mserd, msesum, msetwo per side) and
        their coverage-error versions ``"cerrd"``, ``"certwo"``, ``"cersum"``,
        ``"cercomb1"``, ``"cercomb2"`` (``h`` times ``n^(-p/((3+p)(3+2p)))``,
        ``n`` the number of clusters with ``clusters``). Ignored when ``h``
        is given.
    h : float or (float, float), default=None
        Main bandwidth, or (below, above). None: selected by ``bwselect``.
    b : float or (float, float), default=None
        Bias bandwidth. None: selected with ``h``, or equal to a given ``h``.
    vce : {"nn", "hc0", "hc1", "hc2", "hc3", "cr1"}, default="nn"
        Variance estimator: nearest-neighbour (``nnmatch`` matches), or the
        heteroskedasticity-robust plug-in HC0-HC3. With ``clusters`` the
        variance is cluster-robust CR1 (``"nn"``, ``"hc1"`` and ``"cr1"``
        accepted; rdrobust's CR2/CR3 are not implemented).
    nnmatch : int, default=3
        Minimum number of neighbours of ``vce="nn"``.
    clusters : array-like of shape (n_units,), default=None
        Cluster labels (any sortable kind) for cluster-robust inference.
    covariates : array-like of shape (n_units,) or (n_units, n_covariates), default=None
        Pre-determined covariates entered linearly with slopes common to
        both sides (Calonico, Cattaneo, Farrell and Titiunik, 2019).
    confidence_level : float, default=0.95
        Level of the intervals (rdrobust's ``level=95``).
    scaleregul : float, default=1.0
        Scale of the regularization term of the bandwidth selectors.
    bwrestrict : bool, default=True
        Cap selected bandwidths at the range of ``x`` on each side.

    Returns
    -------
    result : ScalarRDResult
        Three rows (conventional, bias-corrected, robust): estimate,
        standard error, z, p-value, interval; bandwidths ``h`` and ``b`` per
        side and the units within them. ``print(result)`` shows the table.

    Raises
    ------
    ValueError
        If a side of the cutoff has fewer distinct values of ``x`` than the
        polynomial of order ``q`` needs, a bandwidth leaves fewer units than
        a fit needs, a side has a single cluster within a bandwidth, the
        treatment does not jump, or the covariates are collinear.

    Notes
    -----
    Bandwidth selection runs on ``x`` and ``y`` divided by their standard
    deviations (rdrobust's ``stdvars=True``) and, when more than 20% of the
    units on a side share their ``x`` with another unit, keeps at least 10
    distinct values in the pilot bandwidths (rdrobust's
    ``masspoints="adjust"``); the pilot bandwidth uses the number of
    distinct values of ``x``. Fewer than 20 units and no ``h``: ``h`` is
    the largest distance from the cutoff to a unit, as in rdrobust. Not
    covered: rdrobust's ``deriv`` (kink designs), ``weights``, ``rho``,
    ``scalepar``, ``subset`` and CR2/CR3 cluster variances.

    References
    ----------
    S. Calonico, M. D. Cattaneo and R. Titiunik (2014). Robust Nonparametric
    Confidence Intervals for Regression-Discontinuity Designs. Econometrica
    82(6), 2295-2326.

    S. Calonico, M. D. Cattaneo and M. H. Farrell (2020). Optimal Bandwidth
    Choice for Robust Bias-Corrected Inference in Regression Discontinuity
    Designs. The Econometrics Journal 23(2), 192-210.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.rdd import scalar_rd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(-1, 1, 2000)
    >>> y = 1 + x + 0.5 * (x >= 0) + rng.normal(0, 0.3, x.size)
    >>> res = scalar_rd(y, x)                  # rdrobust(y, x)
    >>> print(res)  # doctest: +NORMALIZE_WHITESPACE
    Regression discontinuity (local polynomial, robust bias correction)
    ==========================================================================
    method           estimate   std err   z       p-value     95% CI
    --------------------------------------------------------------------------
    conventional     0.5184     0.04925   10.53   6.615e-26   [0.4219, 0.6149]
    bias-corrected   0.5227     0.04925   10.61   2.602e-26   [0.4262, 0.6192]
    robust           0.5227     0.05942   8.797   1.401e-18   [0.4063, 0.6392]
    ==========================================================================
    Sharp RD at cutoff 0; p=1, q=2, kernel=triangular, vce=nn, bwselect=mserd
    h (left, right) = (0.4072, 0.4072); b (left, right) = (0.6123, 0.6123)
    units (left, right): 1002, 998; within h: 424, 409; within b: 633, 610
    >>> lo, hi = res.confidence_interval("robust")
    >>> bool(lo < 0.5 < hi)
    True
    >>> scalar_rd(y, x, h=0.3, vce="hc1").n_h_left > 0
    True
    """
    args = {
        "y": y,
        "x": x,
        "treatment": treatment,
        "cutoff": cutoff,
        "p": p,
        "q": q,
        "kernel": kernel,
        "bwselect": bwselect,
        "h": h,
        "b": b,
        "vce": vce,
        "nnmatch": nnmatch,
        "clusters": clusters,
        "covariates": covariates,
        "confidence_level": confidence_level,
        "scaleregul": scaleregul,
        "bwrestrict": bwrestrict,
    }
    if not _plain_arguments(args):
        validate_parameter_constraints(_CONSTRAINTS, args, caller_name="scalar_rd")
    return _scalar_rd(**args)


_ARRAYS = (type(None), np.ndarray)
_KERNEL_NAMES = frozenset(("triangular", "epanechnikov", "uniform"))
_VCE_NAMES = frozenset(("nn", "hc0", "hc1", "hc2", "hc3", "cr1"))


def _plain_arguments(a):
    """Whether every argument is of a plain type that ``_CONSTRAINTS``
    accepts (a sufficient condition, checked in a microsecond: the full
    validator costs about 0.1 ms, more than the whole estimate at n = 1,000)."""
    return (
        type(a["y"]) is np.ndarray
        and type(a["x"]) is np.ndarray
        and type(a["treatment"]) in _ARRAYS
        and type(a["clusters"]) in _ARRAYS
        and type(a["covariates"]) in _ARRAYS
        and type(a["cutoff"]) in (int, float)
        and type(a["p"]) is int
        and 0 <= a["p"] <= 8
        and (a["q"] is None or (type(a["q"]) is int and 1 <= a["q"] <= 9))
        and type(a["kernel"]) is str
        and a["kernel"] in _KERNEL_NAMES
        and type(a["bwselect"]) is str
        and a["bwselect"] in _BWSELECT
        and type(a["h"]) in (type(None), int, float, tuple, list, np.ndarray)
        and type(a["b"]) in (type(None), int, float, tuple, list, np.ndarray)
        and type(a["vce"]) is str
        and a["vce"] in _VCE_NAMES
        and type(a["nnmatch"]) is int
        and a["nnmatch"] >= 1
        and type(a["confidence_level"]) in (int, float)
        and type(a["scaleregul"]) in (int, float)
        and a["scaleregul"] >= 0
        and type(a["bwrestrict"]) is bool
    )


def _float_1d(a, name):
    """``check_1d(a, name=name, min_samples=2)``, without its cost for a
    finite 1-D float64 array."""
    if (
        type(a) is np.ndarray
        and a.dtype == np.float64
        and a.ndim == 1
        and a.size >= 2
        and np.isfinite(a).all()
    ):
        return a
    return check_1d(a, name=name, min_samples=2)


def _scalar_rd(
    y, x, treatment, cutoff, p, q, kernel, bwselect, h, b, vce, nnmatch,
    clusters, covariates, confidence_level, scaleregul, bwrestrict,
):
    """:func:`scalar_rd` on validated settings."""
    y = _float_1d(y, "y")
    x = _float_1d(x, "x")
    if y.shape != x.shape:
        raise ValueError(
            f"y and x must have the same length; got {y.size} and {x.size}."
        )
    n = x.size
    c = float(cutoff)
    if not np.isfinite(c):
        raise ValueError(f"cutoff must be finite; got {cutoff!r}.")
    q = int(p) + 1 if q is None else int(q)
    p = int(p)
    if q <= p:
        raise ValueError(f"q must be greater than p={p}; got q={q}.")
    level = check_confidence_level(confidence_level)
    h_pair, b_pair = _pair(h, "h"), _pair(b, "b")
    if b_pair is not None and h_pair is None:
        raise ValueError("b was given without h; pass h as well (or neither).")
    fuzzy = treatment is not None
    cols = [y]
    if fuzzy:
        t = check_1d(treatment, name="treatment")
        if t.size != n:
            raise ValueError(
                f"treatment must have one value per unit ({n}); got {t.size}."
            )
        cols.append(t)
    n_cov = 0
    if covariates is not None:
        Z = np.asarray(covariates)
        Z = check_2d(Z[:, None] if Z.ndim == 1 else Z, name="covariates")
        if Z.shape[0] != n:
            raise ValueError(
                f"covariates must have one row per unit ({n}); got {Z.shape[0]}."
            )
        if np.linalg.matrix_rank(Z - Z.mean(axis=0)) < Z.shape[1]:
            raise ValueError(
                "covariates are collinear or constant; drop redundant columns."
            )
        n_cov = Z.shape[1]
        cols.extend(Z.T)
    codes = None
    if clusters is not None:
        g = np.asarray(clusters)
        if g.ndim != 1 or g.size != n:
            raise ValueError(
                f"clusters must be 1-D with one label per unit ({n}); got shape "
                f"{g.shape}."
            )
        if g.dtype.kind == "f" and not np.isfinite(g).all():
            raise ValueError("clusters holds NaN or infinite labels.")
        codes = np.unique(g, return_inverse=True)[1].astype(np.int64)
        if vce not in ("nn", "hc1", "cr1"):
            raise ValueError(
                f"vce={vce!r} with clusters: only the CR1 cluster-robust variance "
                "is available (use vce='cr1', or drop clusters)."
            )
        vce_used = "hc1"
    else:
        if vce == "cr1":
            raise ValueError("vce='cr1' needs clusters=; pass cluster labels.")
        vce_used = vce
    order = np.argsort(x)
    x_sorted = x[order]
    xs = x_sorted - c
    codes = None if codes is None else codes[order]
    n_l = int(np.searchsorted(xs, 0.0, side="left"))
    n_r = n - n_l
    if h_pair is None and n < 20:
        h_pair = (max(-xs[0], xs[-1]),) * 2
    if not fuzzy and n_cov == 0 and codes is None:
        res = _sharp_engine(
            xs, y[order], n_l, c, h_pair, b_pair, x, x_sorted, p, q, kernel,
            bwselect, vce, nnmatch, scaleregul, bwrestrict, level,
        )
        if res is not None:
            return res
    D = np.ascontiguousarray(np.column_stack(cols)[order])
    for name, part in (("below", xs[:n_l]), ("at or above", xs[n_l:])):
        distinct = 1 + int(np.count_nonzero(part[1:] != part[:-1])) if part.size else 0
        if distinct < q + 1:
            raise ValueError(
                f"Too few units in x {name} the cutoff {c:g}: {part.size} unit(s) "
                f"with {distinct} distinct value(s), but the bias-correction "
                f"polynomial of order q={q} needs at least {q + 1}."
            )
    if fuzzy:
        t_l, t_r = D[:n_l, 1], D[n_l:, 1]
        if np.var(t_l) == 0 and np.var(t_r) == 0 and t_l[0] == t_r[0]:
            raise ValueError(
                "treatment does not vary and does not jump at the cutoff; the "
                "fuzzy effect is not identified."
            )

    n_codes = 0 if codes is None else int(codes.max()) + 1

    def sides(xv, Dv):
        cl, cr = (None, None) if codes is None else (codes[:n_l], codes[n_l:])
        return (
            _Side(xv[:n_l], Dv[:n_l], cl, n_codes, True, kernel),
            _Side(xv[n_l:], Dv[n_l:], cr, n_codes, False, kernel),
        )

    if h_pair is None:
        x_sd = float(np.std(x, ddof=1))
        y_sd = float(np.std(y, ddof=1))
        Ds = D.copy()
        Ds[:, 0] /= y_sd
        bw_fuzzy = fuzzy and np.var(D[:n_l, 1]) > 0 and np.var(D[n_l:, 1]) > 0
        if fuzzy and not bw_fuzzy:
            Ds = np.ascontiguousarray(np.delete(Ds, 1, axis=1))
        m_l = 1 + int(np.count_nonzero(xs[1:n_l] != xs[: n_l - 1]))
        m_r = 1 + int(np.count_nonzero(xs[n_l + 1 :] != xs[n_l:-1]))
        mass = max(1 - m_l / n_l, 1 - m_r / n_r)
        g_total = None
        if codes is not None:
            g_total = np.unique(codes[:n_l]).size + np.unique(codes[n_l:]).size
        bws = _select(
            sides(xs / x_sd, Ds),
            p=p,
            q=q,
            kernel=kernel,
            bwselect=bwselect,
            vce=vce_used,
            nnmatch=nnmatch,
            fuzzy=bw_fuzzy,
            n_cov=n_cov,
            scaleregul=float(scaleregul),
            bwrestrict=bool(bwrestrict),
            n=n,
            n_unique=m_l + m_r,
            x_std=x_sd,
            iqr=_type2_iqr(x_sorted),
            g_total=g_total,
            bwcheck=10 if mass >= 0.2 else None,
        )
        h_l, h_r, b_l, b_r = (float(v) for v in bws * x_sd)
        bw_name = bwselect
    else:
        h_l, h_r = h_pair
        b_l, b_r = b_pair if b_pair is not None else h_pair
        bw_name = "manual"

    L, R = sides(xs, D)
    fl = _final_side(L, h_l, b_l, p, q)
    fr = _final_side(R, h_r, b_r, p, q)
    gamma = None
    n_lead = 1 + int(fuzzy)
    if n_cov:
        Zc = np.arange(n_lead, n_lead + n_cov)
        ZWZ = np.zeros((n_cov, n_cov))
        ZWY = np.zeros((n_cov, n_lead))
        for f in (fl, fr):
            U = f["RDp"]
            ZWD = f["DDp"][Zc]
            UiGU = U[:, Zc].T @ f["invGp"] @ U
            ZWZ += ZWD[:, Zc] - UiGU[:, Zc]
            ZWY += ZWD[:, :n_lead] - UiGU[:, :n_lead]
        gamma = np.linalg.pinv(ZWZ) @ ZWY
    cl_row = fr["beta_p"][0] - fl["beta_p"][0]
    bc_row = fr["beta_bc"][0] - fl["beta_bc"][0]
    tau_cl, s = _combination(cl_row, gamma, fuzzy)
    first_stage = None
    if fuzzy:
        ty_cl, tt_cl = _lead(cl_row, gamma, fuzzy)
        ty_bc, tt_bc = _lead(bc_row, gamma, fuzzy)
        if not np.isfinite(tt_cl) or abs(tt_cl) < 1e-12:
            raise ValueError(
                f"treatment does not jump at the cutoff (estimated jump "
                f"{tt_cl:.3g}); the fuzzy effect is undefined."
            )
        tau_bc = tau_cl - (ty_cl - ty_bc) / tt_cl + ty_cl / tt_cl**2 * (tt_cl - tt_bc)
        first_stage = float(tt_cl)
    else:
        tau_bc = float(s @ bc_row)
    clustered = codes is not None
    V_cl = V_rb = 0.0
    for side, f in ((L, fl), (R, fr)):
        x_w, D_w = f["x"], f["D"]
        e_h = _combined_residuals(
            x_w, D_w, f["h"], p, kernel, f["beta_p"], f["invGp"], s, vce_used,
            nnmatch, clustered, p + 1,
        )
        if vce_used == "nn":
            e_b = e_h
        else:
            e_b = _combined_residuals(
                x_w, D_w, f["b"], q, kernel, f["beta_q"], f["invGq"], s,
                vce_used, nnmatch, clustered, q + 1,
            )
        M = _meat(side, x_w, e_h, f["codes"], f["h"], p, p + 1)
        V_cl += (f["invGp"] @ M @ f["invGp"])[0, 0]
        M = _meat(
            side, x_w, e_b, f["codes"], f["h"], p, q + 1, b=f["b"], q=q,
            v=f["v"], L=f["L"], corr=f["corr"],
        )
        V_rb += (f["invGp"] @ M @ f["invGp"])[0, 0]
    n_clusters = None
    if clustered:
        n_clusters = int(np.unique(np.concatenate([fl["codes"], fr["codes"]])).size)
    coef = None
    if gamma is not None:
        coef = gamma[:, 0].copy() if not fuzzy else gamma.copy()
    return _result(
        tau_cl, tau_bc, V_cl, V_rb, level,
        h_left=h_l,
        h_right=h_r,
        b_left=b_l,
        b_right=b_r,
        n_left=n_l,
        n_right=n_r,
        n_h_left=fl["n_h"],
        n_h_right=fr["n_h"],
        n_b_left=fl["n_b"],
        n_b_right=fr["n_b"],
        cutoff=c,
        p=p,
        q=q,
        kernel=kernel,
        vce="cr1" if clustered else vce,
        bwselect=bw_name,
        fuzzy=fuzzy,
        first_stage=first_stage,
        n_clusters=n_clusters,
        covariate_coef=coef,
    )


def _result(tau_cl, tau_bc, V_cl, V_rb, level, **fields):
    """The three rows (conventional, bias-corrected, robust) with normal
    p-values and intervals (``ndtr``, ``ndtri``: scipy.stats.norm's sf and
    ppf without their argument handling)."""
    se_cl, se_rb = float(np.sqrt(V_cl)), float(np.sqrt(V_rb))
    est = np.array([tau_cl, tau_bc, tau_bc], dtype=float)
    se = np.array([se_cl, se_cl, se_rb])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    pv = 2 * ndtr(-np.abs(z))
    crit = float(ndtri(0.5 + level / 2))
    return ScalarRDResult(
        estimate=est,
        std_error=se,
        statistic=z,
        pvalue=pv,
        ci_lower=est - crit * se,
        ci_upper=est + crit * se,
        confidence_level=level,
        **fields,
    )


def _sharp_engine(xs, y, n_l, c, h_pair, b_pair, x, x_sorted, p, q, kernel, bwselect,
                  vce, nnmatch, scaleregul, bwrestrict, level):
    """A sharp design without covariates or clusters in one compiled call
    (statnorm/rdd/_scalar_kernels.py); None when the engine stops (too few
    units, a rule that broke down), so that the reference path raises."""
    from ._scalar_kernels import _RULE_ID, sharp_rd

    n = xs.size
    select = h_pair is None
    bws = np.empty(4)
    if select:
        x_sd = float(np.std(x, ddof=1))
        y_sd = float(np.std(y, ddof=1))
        iqr = _type2_iqr(x_sorted)
    else:
        x_sd = y_sd = iqr = 1.0
        bws[:] = (*h_pair, *(b_pair if b_pair is not None else h_pair))
    status, out = sharp_rd(
        xs, y, n_l, _KID[kernel], -1 if vce == "nn" else _MODE[vce], int(nnmatch),
        p, q, select, _RULE_ID[bwselect.replace("cer", "mse")], float(scaleregul),
        bool(bwrestrict), x_sd, y_sd, iqr, _PILOT_CONSTANT[kernel],
        bwselect.startswith("cer"), bws,
    )
    if status:
        return None
    return _result(
        out[0], out[1], out[2], out[3], level,
        h_left=float(bws[0]),
        h_right=float(bws[1]),
        b_left=float(bws[2]),
        b_right=float(bws[3]),
        n_left=n_l,
        n_right=n - n_l,
        n_h_left=int(out[4]),
        n_h_right=int(out[5]),
        n_b_left=int(out[6]),
        n_b_right=int(out[7]),
        cutoff=c,
        p=p,
        q=q,
        kernel=kernel,
        vce=vce,
        bwselect=bwselect if select else "manual",
    )
