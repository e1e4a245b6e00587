"""Inference for compositional partial correlations: weights, covariates,
multiple-testing control over all edges, and confidence intervals.

Kept apart from the estimator's linear algebra (``_pcor.py``): the methods
here reach the fitted estimate only through ``partial_correlation_``,
``df_`` and refits of the same estimator on permuted or resampled log data.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    as_array,
    check_1d,
    check_2d,
    check_confidence_level,
    check_random_state,
    check_sample_weight,
    spawn_seeds,
)
from ..results import Result, SummaryTable

__all__ = ["PartialCorrelationFDR", "PartialCorrelationInterval"]


def _fdr_adjust(p, alpha, method):
    """Benjamini-Hochberg (``"bh"``) or Benjamini-Yekutieli (``"by"``) step-up.

    Returns ``(reject, q)``: the adjusted p-values of
    :func:`scipy.stats.false_discovery_control` and ``q <= alpha``, which is
    the step-up rule (the largest ``k`` with ``p_(k) <= k alpha / (m c_m)``
    rejects every smaller p-value; ``c_m = 1`` for BH, ``sum 1/i`` for BY).
    Equal to statsmodels' ``multipletests(method="fdr_bh" / "fdr_by")``
    (tests/compositional/test_inference.py).
    """
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return np.zeros(0, dtype=bool), p.copy()
    q = false_discovery_control(p, method=method)
    return q <= alpha, q


# ------------------------------------------------------------------ results
@dataclass(frozen=True, repr=False)
class PartialCorrelationInterval(Result):
    """Confidence intervals of every partial correlation.

    Returned by :meth:`CompositionalPartialCorrelation.confidence_interval`.

    Parameters
    ----------
    low, high : ndarray of shape (n_parts, n_parts)
        Lower and upper ends (symmetric; 1 on the diagonal).
    partial_correlation : ndarray of shape (n_parts, n_parts)
        The point estimates.
    confidence_level : float
        Nominal coverage of each interval (not simultaneous over pairs).
    method : str
        ``"fisher"`` or ``"bootstrap"``.
    df : float or None
        Degrees of freedom of the t-test (``"fisher"``); the standard error
        on the Fisher z scale is ``1 / sqrt(df - 1)``.
    n_bootstrap : int
        Bootstrap resamples (0 for ``"fisher"``).
    part_names : ndarray of str
        Names of the parts.
    estimator : str, default="exact"
        Estimate the intervals are built around: ``"exact"`` (no shrinkage),
        ``"unshrunk"`` (Fisher intervals of the exact estimate refitted on
        the same data by a shrinkage estimator, which then
        ``partial_correlation`` holds) or ``"shrunk"`` (bootstrap of the
        shrunk estimate; coverage of non-zero partial correlations below
        nominal, see the method page).

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> ci = est.confidence_interval(0.95)
    >>> [round(float(v), 3) for v in (ci.low[1, 2], ci.high[1, 2])]  # Al-Fe
    [0.533, 0.848]
    """

    low: np.ndarray
    high: np.ndarray
    partial_correlation: np.ndarray
    confidence_level: float
    method: str
    df: float | None
    n_bootstrap: int
    part_names: np.ndarray
    estimator: str = "exact"

    def summary(self, *, max_rows=10):
        """Return the pairs with the largest ``|partial correlation|``.

        Parameters
        ----------
        max_rows : int or None, default=10
            Number of pairs shown (None: all).

        Returns
        -------
        table : SummaryTable
        """
        R = self.partial_correlation
        i, j = np.triu_indices(R.shape[0], 1)
        order = np.lexsort((j, i, -np.abs(R[i, j])))[:max_rows]
        names = self.part_names
        rows = tuple(
            (
                names[a],
                names[b],
                float(R[a, b]),
                float(self.low[a, b]),
                float(self.high[a, b]),
            )
            for a, b in zip(i[order], j[order])
        )
        pct = f"{100 * self.confidence_level:g}%"
        how = (
            f"Fisher z, standard error 1/sqrt(df - 1), df = {self.df}"
            if self.method == "fisher"
            else f"percentile bootstrap, {self.n_bootstrap} resamples"
        )
        if self.estimator == "unshrunk":
            how += "; estimate without shrinkage"
        elif self.estimator == "shrunk":
            how += "; of the shrunk estimate (biased toward 0)"
        return SummaryTable(
            f"Partial correlations with {pct} confidence intervals",
            ("part 1", "part 2", "partial corr.", "low", "high"),
            rows,
            (f"{how}; pointwise, not simultaneous over pairs.",),
        )

    def to_frame(self):
        """Return one row per pair of parts (requires pandas).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``part_i``, ``part_j`` (names, ``i < j`` in part order),
            ``i``, ``j`` (their indices), ``partial_correlation``, ``low`` and
            ``high``; ``n_parts (n_parts - 1) / 2`` rows. The scalar fields
            (``confidence_level``, ``method``, ``df``, ``n_bootstrap``,
            ``estimator``) are in ``frame.attrs``.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> cups = load_roman_cups(as_frame=True)
        >>> est = CompositionalPartialCorrelation().fit(cups.data)
        >>> df = est.confidence_interval(0.95).to_frame()
        >>> df.shape, df.attrs["method"]
        ((55, 7), 'fisher')
        >>> df.loc[0, ["part_i", "part_j"]].tolist()
        ['Si', 'Al']
        """
        from ..results import _pandas

        pd = _pandas(f"{type(self).__name__}.to_frame")
        R = np.asarray(self.partial_correlation)
        i, j = np.triu_indices(R.shape[0], 1)
        names = np.asarray(self.part_names, dtype=object)
        frame = pd.DataFrame(
            {
                "part_i": names[i],
                "part_j": names[j],
                "i": i,
                "j": j,
                "partial_correlation": R[i, j],
                "low": np.asarray(self.low)[i, j],
                "high": np.asarray(self.high)[i, j],
            }
        )
        frame.attrs.update(
            (k, v) for k, v in self.to_dict().items() if not isinstance(v, np.ndarray)
        )
        return frame


@dataclass(frozen=True, repr=False)
class PartialCorrelationFDR(Result):
    """Permutation estimate of the false discovery rate at ``|rho|`` cutoffs.

    Returned by :meth:`CompositionalPartialCorrelation.permutation_fdr`. For
    each cutoff ``c``, the FDR estimate is the mean number of pairs with
    ``|rho| >= c`` over permuted data sets (each part permuted over samples
    independently of the others) divided by the number of such pairs in the
    data, capped at 1 (the estimate of propr's ``updateCutoffs``).

    Parameters
    ----------
    cutoffs : ndarray of shape (n_cutoffs,)
        Cutoffs on ``|partial correlation|``, increasing.
    n_edges : ndarray of shape (n_cutoffs,)
        Pairs of the data with ``|rho| >= cutoff``.
    n_null : ndarray of shape (n_cutoffs,)
        Mean number of such pairs per permuted data set.
    fdr : ndarray of shape (n_cutoffs,)
        ``min(1, n_null / n_edges)`` (1 where ``n_edges`` is 0).
    n_permutations : int
        Number of permuted data sets.

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> est = CompositionalPartialCorrelation("basis").fit(load_roman_cups().data)
    >>> res = est.permutation_fdr(cutoffs=[0.3, 0.5], n_permutations=50,
    ...                           random_state=0)
    >>> res.n_edges.tolist(), res.fdr.round(3).tolist()
    ([9, 4], [0.658, 0.085])
    """

    cutoffs: np.ndarray
    n_edges: np.ndarray
    n_null: np.ndarray
    fdr: np.ndarray
    n_permutations: int

    def summary(self, *, max_rows=None):
        """Return the FDR table.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many cutoffs (None: all).

        Returns
        -------
        table : SummaryTable
        """
        rows = tuple(
            (float(c), int(k), float(m), float(f))
            for c, k, m, f in zip(self.cutoffs, self.n_edges, self.n_null, self.fdr)
        )[:max_rows]
        return SummaryTable(
            "Permutation FDR of |partial correlation| cutoffs",
            ("cutoff", "edges", "null edges (mean)", "FDR"),
            rows,
            (f"{self.n_permutations} permutations of each part over samples.",),
        )

    def to_frame(self):
        """Return the table as a pandas DataFrame (requires pandas)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "cutoff": self.cutoffs,
                "n_edges": self.n_edges,
                "n_null": self.n_null,
                "fdr": self.fdr,
            }
        )


# ------------------------------------------------------------------ helpers
def _check_weights(sample_weight, n):
    w = check_sample_weight(sample_weight, n)
    if w is None:
        return None
    if (w > 0).sum() < 3:
        raise ValueError(
            "sample_weight must give a non-zero weight to at least 3 samples "
            "to estimate a covariance."
        )
    return w


def _check_covariates(covariates, n, sample_weight):
    if covariates is None:
        return None
    Z = as_array(covariates, name="covariates")
    if Z.ndim == 1:
        Z = Z[:, None]
    Z = check_2d(Z, name="covariates")
    if Z.shape[0] != n:
        raise ValueError(f"covariates has {Z.shape[0]} rows but X has {n} samples.")
    w = np.ones(n) if sample_weight is None else sample_weight
    A = np.column_stack([np.ones(n), Z]) * np.sqrt(w)[:, None]
    if np.linalg.matrix_rank(A) < A.shape[1]:
        raise ValueError(
            "covariates are collinear (with each other or with the intercept, "
            "possibly after weighting): drop redundant or constant columns."
        )
    return Z.copy()


def _residualise(L, w, Z):
    """Weighted least-squares residuals of the columns of ``L`` on ``[1, Z]``
    (weighted column centring when ``Z`` is None), and the effective n."""
    n = L.shape[0]
    if Z is None:
        if w is None:
            return L - L.mean(axis=0), float(n)
        return L - w @ L / w.sum(), float(w.sum())
    sw = np.ones(n) if w is None else np.sqrt(w)
    A = np.column_stack([np.ones(n), Z])
    beta = np.linalg.lstsq(A * sw[:, None], L * sw[:, None], rcond=None)[0]
    n_eff = float(n if w is None else w.sum())
    return L - A @ beta, n_eff - Z.shape[1]


def _as_count(x):
    """An int when ``x`` is integral (frequency weights), else the float."""
    return round(x) if abs(x - round(x)) < 1e-9 else float(x)


def _upper(R):
    i, j = np.triu_indices(R.shape[0], 1)
    return i, j, R[i, j]


class _PcorInferenceMixin:
    """Weights, covariates, FDR control and intervals for
    :class:`CompositionalPartialCorrelation` (see its docstring)."""

    # -------------------------------------------------------------- fitting
    def _set_design(self, L, sample_weight, covariates):
        n = L.shape[0]
        self._sw = _check_weights(sample_weight, n)
        self._covars = _check_covariates(covariates, n, self._sw)
        self._log_data = L
        self.n_covariates_ = 0 if self._covars is None else self._covars.shape[1]

    def _centred(self, Z):
        """Centred (or residualised) clr columns scaled by sqrt(weight), and
        the effective sample size (sum of weights minus covariates)."""
        R, n_eff = _residualise(Z, self._sw, self._covars)
        if self._sw is not None:
            R = R * np.sqrt(self._sw)[:, None]
        return R, n_eff

    def _t_df(self, n_eff, D):
        df = n_eff - D + 1
        return _as_count(df) if D >= 3 and df > 0 else None

    def _shrink_data(self, data):
        if self._covars is None:
            return data
        return _residualise(data, self._sw, self._covars)[0]

    def _refit(self, L, w, Z, fixed=False):
        est = type(self)(shrinkage=self.shrinkage, input="clr", ddof=self.ddof)
        if fixed and self.shrinkage is not None:
            est._fixed_lambda = float(self.shrinkage_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(L, sample_weight=w, covariates=Z)
            return est.partial_correlation_

    # ------------------------------------------------------ multiple testing
    def _edge_set(self, i, j, r, q):
        from ._pcor import PartialCorrelationEdges

        order = np.lexsort((j, i, -np.abs(r)))
        i, j, r, q = i[order], j[order], r[order], q[order]
        names = self.part_names_
        return PartialCorrelationEdges(
            i=i,
            j=j,
            source=names[i],
            target=names[j],
            partial_correlation=r,
            pvalue=self._pvalues(r),
            qvalue=q,
        )

    def _null_exceed(self, points, n_permutations, random_state):
        """Number of pooled permuted ``|rho|`` at or above each of ``points``
        (all pairs of all permuted data sets), in O(n_pairs) memory."""
        L, w, Z = self._log_data, self._sw, self._covars
        n, D = L.shape
        count = np.zeros(points.shape)
        for seed in spawn_seeds(random_state, n_permutations):
            rng = np.random.default_rng(seed)
            idx = np.argsort(rng.random((n, D)), axis=0)
            Lp = np.take_along_axis(L, idx, 0)
            null = np.sort(np.abs(_upper(self._refit(Lp, w, Z, fixed=True))[2]))
            count += null.size - np.searchsorted(null, points, side="left")
        return count

    def permutation_fdr(self, *, cutoffs=None, n_permutations=100, random_state=None):
        """Estimate the false discovery rate of ``|rho|`` cutoffs by permutation.

        Each permuted data set permutes every part (column of log-parts,
        i.e. of the composition) over the samples independently of the other
        parts, as propr's ``updateCutoffs`` does, then refits the same
        estimator (same weights and covariates, and with shrinkage the same
        intensity ``shrinkage_``: re-estimated on independent permuted
        parts it would be near 1 and the FDR would not be controlled). It
        works with shrinkage, where no t-test exists. The null it simulates
        is that of independent parts; with compositions this is not
        ``rho = 0`` for every pair (independent parts have positive partial
        correlations after closure), so the estimate is conservative for
        pairs whose true partial correlation is 0 (see the method page for
        a simulation of the realised FDR). Memory stays O(number of pairs)
        whatever ``n_permutations``.

        Parameters
        ----------
        cutoffs : array-like of float in [0, 1] or None, default=None
            Cutoffs on ``|partial correlation|``; None: 20 quantiles of the
            observed ``|rho|``.
        n_permutations : int, default=100
            Number of permuted data sets.
        random_state : int, RandomState instance or None, default=None
            Seeds the permutations.

        Returns
        -------
        result : PartialCorrelationFDR
            Cutoffs with the observed and mean permuted edge counts and the
            FDR estimate.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
        >>> res = est.permutation_fdr(cutoffs=[0.5], n_permutations=20,
        ...                           random_state=0)
        >>> int(res.n_edges[0]), round(float(res.fdr[0]), 2)
        (4, 0.36)
        """
        check_is_fitted(self)
        n_permutations = _check_count(n_permutations, "n_permutations")
        obs = np.sort(np.abs(_upper(self.partial_correlation_)[2]))
        if cutoffs is None:
            cutoffs = np.unique(np.quantile(obs, np.linspace(0.0, 0.95, 20)))
        else:
            cutoffs = np.sort(check_1d(cutoffs, name="cutoffs"))
            if cutoffs.min() < 0 or cutoffs.max() > 1:
                raise ValueError("cutoffs must lie in [0, 1].")
        n_edges = obs.size - np.searchsorted(obs, cutoffs, side="left")
        n_null = self._null_exceed(cutoffs, n_permutations, random_state) / (
            n_permutations
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            fdr = np.where(n_edges > 0, np.minimum(1.0, n_null / n_edges), 1.0)
        return PartialCorrelationFDR(
            cutoffs=cutoffs,
            n_edges=n_edges,
            n_null=n_null,
            fdr=fdr,
            n_permutations=n_permutations,
        )

    def _fdr_edges(self, fdr, method, n_permutations, random_state, max_edges):
        if isinstance(fdr, bool) or not isinstance(fdr, Real) or not 0 < fdr < 1:
            raise ValueError(
                f"fdr must be a float in the range (0, 1). Got {fdr!r} instead."
            )
        if method not in ("bh", "by", "permutation"):
            raise ValueError(
                f"method must be 'bh', 'by' or 'permutation'. Got {method!r} instead."
            )
        i, j, r = _upper(self.partial_correlation_)
        if method == "permutation":
            n_permutations = _check_count(n_permutations, "n_permutations")
            exceed = self._null_exceed(np.abs(r), n_permutations, random_state)
            p = (1.0 + exceed) / (1.0 + n_permutations * r.size)
            how = "bh"
        else:
            if self.df_ is None:
                raise ValueError(
                    f"method={method!r} needs the exact t-test p-values, which "
                    "do not exist with shrinkage or when samples do not outnumber "
                    "parts (df_ is None); use method='permutation'."
                )
            p = self._pvalues(r)
            how = method
        reject, q = _fdr_adjust(p, fdr, how)
        if reject.sum() > max_edges:
            raise ValueError(
                f"More than max_edges={max_edges} pairs pass fdr={fdr}; lower "
                "fdr or raise max_edges."
            )
        return self._edge_set(i[reject], j[reject], r[reject], q[reject])

    # ------------------------------------------------------------ intervals
    def confidence_interval(
        self,
        confidence_level=0.95,
        *,
        method="auto",
        n_bootstrap=200,
        random_state=None,
    ):
        """Confidence interval of every partial correlation.

        ``"fisher"``: ``tanh(atanh(rho) -/+ z / sqrt(df - 1))`` with
        ``df = n - D + 1 - n_covariates`` the t-test degrees of freedom: a
        pair is conditioned on ``D - 3`` log-ratios (and the covariates), and
        the Fisher z of a partial correlation given ``k`` variables has
        standard error ``1 / sqrt(n - k - 3)``. It needs more samples than
        parts (``df > 1``). With shrinkage, the Fisher interval is that of
        the exact (unshrunk) estimate of the same data, weights and
        covariates, which the result then holds in ``partial_correlation``
        (``estimator="unshrunk"``): the shrunk estimate is biased toward 0
        and no interval around it covers the true partial correlations at
        the nominal rate. ``"bootstrap"``: percentile intervals over
        ``n_bootstrap`` refits on samples drawn with replacement (same
        shrinkage, intensity re-estimated per resample; weights and
        covariates travel with their rows). Under shrinkage they describe the
        spread of the shrunk estimate around its own biased target: 90%
        intervals covered 0.72 of pairs with ``rho = 0.5`` (n = 40, D = 8),
        so they warn (``UserWarning``), and ``"auto"`` uses them only where
        no Fisher interval exists (no more samples than parts).

        Parameters
        ----------
        confidence_level : float, default=0.95
            Pointwise coverage, in (0, 1).
        method : {"auto", "fisher", "bootstrap"}, default="auto"
            ``"auto"``: Fisher when samples outnumber parts (of the unshrunk
            estimate under shrinkage), else bootstrap (with a warning under
            shrinkage).
        n_bootstrap : int, default=200
            Bootstrap resamples (``"bootstrap"`` only). Each refits the
            estimator; the draws take ``n_bootstrap * n_parts (n_parts - 1)
            / 2`` floats of memory.
        random_state : int, RandomState instance or None, default=None
            Seeds the bootstrap.

        Returns
        -------
        interval : PartialCorrelationInterval
            ``low`` and ``high`` matrices; ``estimator`` says which estimate
            they surround.

        Warns
        -----
        UserWarning
            Bootstrap intervals of a shrunk estimate (not nominal).

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> est = CompositionalPartialCorrelation("basis").fit(load_roman_cups().data)
        >>> ci = est.confidence_interval()
        >>> ci.method, ci.estimator, ci.df
        ('fisher', 'unshrunk', 37)
        >>> [round(float(v), 3) for v in (ci.low[1, 2], ci.high[1, 2])]  # Al-Fe
        [0.533, 0.848]
        """
        check_is_fitted(self)
        level = check_confidence_level(confidence_level)
        if method not in ("auto", "fisher", "bootstrap"):
            raise ValueError(
                "method must be 'auto', 'fisher' or 'bootstrap'. Got "
                f"{method!r} instead."
            )
        R, df, estimator = self.partial_correlation_, self.df_, "exact"
        if self.shrinkage is not None:
            R, df = self._unshrunk()
            estimator = "unshrunk"
        if method == "auto":
            method = "fisher" if df is not None and df > 1 else "bootstrap"
        if method == "fisher":
            if df is None or df <= 1:
                raise ValueError(
                    "method='fisher' needs more samples than parts (t-test df "
                    "> 1); use method='bootstrap'."
                )
            zq = stats.norm.ppf(0.5 + level / 2)
            se = 1.0 / np.sqrt(df - 1.0)
            with np.errstate(divide="ignore"):
                z = np.arctanh(np.clip(R, -1.0, 1.0))
            low, high = np.tanh(z - zq * se), np.tanh(z + zq * se)
            n_boot = 0
        else:
            n_boot = _check_count(n_bootstrap, "n_bootstrap")
            R = self.partial_correlation_
            if self.shrinkage is not None:
                estimator = "shrunk"
                warnings.warn(
                    "Bootstrap intervals of a shrunk partial correlation cover "
                    "the true value below the nominal rate (the estimate is "
                    "biased toward 0; 90% intervals covered 0.72 at rho = 0.5, "
                    "n = 40, D = 8). With more samples than parts use "
                    "method='fisher' (intervals of the unshrunk estimate).",
                    UserWarning,
                    stacklevel=2,
                )
            L, w, Zc = self._log_data, self._sw, self._covars
            n = L.shape[0]
            iu = np.triu_indices(R.shape[0], 1)
            draws = np.empty((n_boot, iu[0].size))  # upper triangles only
            for b, seed in enumerate(spawn_seeds(random_state, n_boot)):
                idx = check_random_state(int(seed)).randint(0, n, size=n)
                draws[b] = self._refit(
                    L[idx],
                    None if w is None else w[idx],
                    None if Zc is None else Zc[idx],
                )[iu]
            a = (1.0 - level) / 2
            q = np.quantile(draws, [a, 1.0 - a], axis=0)
            low, high = np.ones_like(R), np.ones_like(R)
            for M, v in ((low, q[0]), (high, q[1])):
                M[iu] = v
                M[iu[::-1]] = v
        np.fill_diagonal(low, 1.0)
        np.fill_diagonal(high, 1.0)
        return PartialCorrelationInterval(
            low=low,
            high=high,
            partial_correlation=R.copy(),
            confidence_level=level,
            method=method,
            df=df if method == "fisher" else None,
            n_bootstrap=n_boot,
            part_names=self.part_names_,
            estimator=estimator,
        )

    def _unshrunk(self):
        """Exact estimate and t-test df of the fitted data (same weights and
        covariates), without shrinkage."""
        est = type(self)(shrinkage=None, input="clr", ddof=self.ddof)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(self._log_data, sample_weight=self._sw, covariates=self._covars)
        return est.partial_correlation_, est.df_


def _check_count(v, name):
    if isinstance(v, bool) or not isinstance(v, Integral) or v < 1:
        raise ValueError(f"{name} must be a positive int. Got {v!r} instead.")
    return int(v)
