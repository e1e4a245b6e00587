"""The depth rank-sum test (Liu & Singh 1993) between two corpora, and Q."""

from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from scipy.special import ndtr
from sklearn.base import clone

from .._optim import loop_progress
from .._parallel import run_tasks
from .._validation import check_1d, check_2d, check_same_n_features, spawn_seeds
from ..results import SummaryTable, TestResult
from ._base import _BaseDepth, _unit_rows
from ._tte import TTEDepth

__all__ = ["DepthTestResult", "depth_rank_sum_test", "q_liu_singh", "q_tte_depth"]


@dataclass(frozen=True, repr=False)
class DepthTestResult(TestResult):
    """Result of :func:`depth_rank_sum_test`.

    ``stat, p = result`` unpacks the z-score and the p-value.

    Parameters
    ----------
    statistic : float
        Standardised Wilcoxon rank-sum statistic **z** of the reference
        depths against the sample depths (``scipy.stats.ranksums``: average
        ranks for ties, no tie or continuity correction), as the reference
        package reports it under the name ``W``. Positive when the reference
        is deeper, i.e. the sample is more outlying.
    pvalue : float
        p-value for ``alternative``: from the normal approximation
        (``method="asymptotic"``) or from re-computing depths and z under
        random relabellings of the pooled corpora (``method="permutation"``).
    rank_sum : float
        Sum of the (average) ranks of the reference depths in the pooled
        sample: Wilcoxon's W.
    u_statistic : float
        Mann-Whitney U of the reference, ``rank_sum - n(n+1)/2``: the number
        of (reference, sample) pairs where the reference point is deeper,
        ties counting 1/2.
    q_liu_singh : float
        Liu & Singh's quality index ``Q = (1/(n m)) sum_ij 1{D(f_i) <= D(g_j)}``:
        the mean fraction of reference points no deeper than a sample point.
        About 0.5 when the corpora have the same distribution, smaller when
        the sample is more outlying.
    q_tte_depth : float
        The ``tte-depth`` package's Q: for each sample point, the fraction of
        the *pooled* depths strictly below it, averaged over the sample. Its
        null mean is about ``(N - 1) / (2 N)``, not 0.5.
    alternative : str
        ``"greater"`` (the reference is deeper: the sample is more outlying),
        ``"less"`` or ``"two-sided"``.
    method : str
        The method that ran: ``"asymptotic"`` or ``"permutation"``
        (``method="auto"`` resolves to one of them by the corpus sizes).
    depths_reference : ndarray of shape (n,)
        Leave-one-out (TTE) or in-sample depths of the reference rows.
    depths_sample : ndarray of shape (m,)
        Depths of the sample rows with respect to the reference.
    n_permutations : int
        Number of relabellings (0 for the asymptotic p-value).
    null_distribution : ndarray of shape (n_permutations,) or None
        z-scores under the relabellings (permutation method only).
    mean_resultant_length : float
        Length of the reference's mean direction (cosine TTE depth; NaN for
        other depths). Near ``1/sqrt(n)`` the cosine depth is uninformative.
    """

    rank_sum: float = float("nan")
    u_statistic: float = float("nan")
    q_liu_singh: float = float("nan")
    q_tte_depth: float = float("nan")
    alternative: str = "greater"
    method: str = "asymptotic"
    depths_reference: np.ndarray = field(default=None)
    depths_sample: np.ndarray = field(default=None)
    n_permutations: int = 0
    null_distribution: np.ndarray | None = None
    mean_resultant_length: float = float("nan")

    def summary(self, *, max_rows=None):
        """Return the result as a :class:`~statnorm.results.SummaryTable`.

        Returns
        -------
        table : SummaryTable
            Printable (text), ``to_markdown()`` and HTML in notebooks.
        """
        n, m = len(self.depths_reference), len(self.depths_sample)
        rows = [
            ["z (rank-sum, standardised)", self.statistic],
            ["p-value", self.pvalue],
            ["rank sum W of reference", self.rank_sum],
            ["Mann-Whitney U of reference", self.u_statistic],
            ["Q (Liu-Singh)", self.q_liu_singh],
            ["Q (tte-depth pooled)", self.q_tte_depth],
            ["median depth, reference", float(np.median(self.depths_reference))],
            ["median depth, sample", float(np.median(self.depths_sample))],
        ]
        how = (
            "normal approximation"
            if self.method == "asymptotic"
            else f"{self.n_permutations} relabellings"
        )
        note = (
            f"reference n={n}, sample m={m}; alternative={self.alternative} "
            "(greater: the sample is more outlying than the reference); "
            f"p-value from the {how}."
        )
        notes = (note,)
        return SummaryTable("Depth rank-sum test", ("quantity", "value"), rows, notes)


def _rank_stats(x, y):
    """Rank sum of x in the pooled sample and its z-score (scipy.stats.ranksums)."""
    from scipy.stats import rankdata

    n1, n2 = len(x), len(y)
    ranks = rankdata(np.concatenate([x, y]))
    s = ranks[:n1].sum()
    expected = n1 * (n1 + n2 + 1) / 2.0
    z = (s - expected) / np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0)
    return float(s), float(z)


def _pvalue_normal(z, alternative):
    if alternative == "greater":
        return float(ndtr(-z))
    if alternative == "less":
        return float(ndtr(z))
    return float(min(1.0, 2.0 * ndtr(-abs(z))))


def _check_depths(depths_reference, depths_sample):
    """Two 1-D arrays of finite depths, each with at least one value."""
    return (
        check_1d(depths_reference, name="depths_reference"),
        check_1d(depths_sample, name="depths_sample"),
    )


def q_liu_singh(depths_reference, depths_sample):
    """Liu & Singh's Q: mean fraction of reference depths <= each sample depth.

    ``Q = (1/(n m)) sum_i sum_j 1{D(f_i) <= D(g_j)}``, computed in
    O((n + m) log n) with a sorted search.

    Parameters
    ----------
    depths_reference : array-like of shape (n,)
        Depths of the reference points.
    depths_sample : array-like of shape (m,)
        Depths of the sample points (w.r.t. the same reference).

    Returns
    -------
    q : float
        In [0, 1]; 0.5 under equal distributions (no ties).

    Examples
    --------
    >>> from statnorm.depth import q_liu_singh
    >>> q_liu_singh([1.0, 2.0, 3.0], [2.0, 0.5])
    0.3333333333333333
    """
    x, y = _check_depths(depths_reference, depths_sample)
    x = np.sort(x)
    return float(np.searchsorted(x, y, side="right").mean() / x.size)


def q_tte_depth(depths_reference, depths_sample):
    """The ``tte-depth`` package's Q (pooled ranks, strict inequality).

    For each sample depth, the fraction of the pooled depths (reference and
    sample together, ``N = n + m``) strictly below it, averaged over the
    sample. Equal to the package's ``q_score`` (an O(N^2) loop there,
    O(N log N) here). Its null expectation is about ``(N - 1) / (2N)``.

    Parameters
    ----------
    depths_reference : array-like of shape (n,)
        Depths of the reference points.
    depths_sample : array-like of shape (m,)
        Depths of the sample points.

    Returns
    -------
    q : float
        In [0, 1).

    Examples
    --------
    >>> from statnorm.depth import q_tte_depth
    >>> q_tte_depth([1.0, 2.0, 3.0], [2.0, 0.5])
    0.2
    """
    x, y = _check_depths(depths_reference, depths_sample)
    pooled = np.sort(np.concatenate([x, y]))
    return float(np.searchsorted(pooled, y, side="left").mean() / pooled.size)


def _as_depth(depth):
    if depth is None:
        return TTEDepth()
    if isinstance(depth, str):
        return TTEDepth(metric=depth)
    if isinstance(depth, _BaseDepth):
        return clone(depth)
    raise TypeError(
        "depth must be None, 'cosine', 'chord' or a statnorm.depth estimator "
        f"(TTEDepth, SpatialDepth, ...). Got {type(depth).__name__} instead."
    )


_BATCH = 64  # relabellings per task

# method="auto" uses the permutation p-value below this corpus size. The
# asymptotic test's measured size at level 0.05 in 20 dimensions (20,000 reps,
# SE 0.002) is 0.061 at 30 vs 30, 0.053 at 50, 0.049 at 100 and 0.050 at 200
# (docs/methods/depth.rst, benchmarks/size_depth_ranksum.py); 200 leaves a
# margin for higher dimensions.
AUTO_MIN_SIZE = 200


def _z_batch(dF, dG):
    """Rank-sum z of each row of dF against the same row of dG (average ranks)."""
    from ._kernels import rank_sums_rows

    n1, n2 = dF.shape[1], dG.shape[1]
    s = rank_sums_rows(np.ascontiguousarray(np.concatenate([dF, dG], axis=1)), n1)
    return (s - n1 * (n1 + n2 + 1) / 2.0) / np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0)


def _relabel(seed, N, n, size):
    """``size`` random relabellings: index arrays of the reference and sample."""
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((size, N)), axis=1)
    return perms[:, :n], perms[:, n:]


class _PooledCosine:
    """Relabellings of the pooled corpora for the cosine TTE depth.

    A batch of relabellings costs two matrix products: the reference sums
    ``S_b = 1_{F_b}' U`` and the projections ``U S_b``.
    """

    def __init__(self, Z, n, d_sup):
        self.U = _unit_rows(Z, name="F and G")
        self.n = n
        self.d_sup = d_sup

    def __call__(self, seed, size=1):
        N, n = self.U.shape[0], self.n
        fi, gi = _relabel(seed, N, n, size)
        ind = np.zeros((size, N))
        np.put_along_axis(ind, fi, 1.0, axis=1)
        proj = (ind @ self.U) @ self.U.T  # (size, N): u_k . S_b
        dF = self.d_sup - 1.0 + (np.take_along_axis(proj, fi, axis=1) - 1.0) / (n - 1)
        dG = self.d_sup - 1.0 + np.take_along_axis(proj, gi, axis=1) / n
        return _z_batch(dF, dG)


class _PooledMatrix:
    """Relabellings from one pooled distance matrix (chord / custom TTE)."""

    def __init__(self, D, n, d_sup):
        self.D = D
        self.n = n
        self.d_sup = d_sup

    def __call__(self, seed, size=1):
        N, n = self.D.shape[0], self.n
        fi, gi = _relabel(seed, N, n, size)
        ind = np.zeros((size, N))
        np.put_along_axis(ind, fi, 1.0, axis=1)
        sums = ind @ self.D  # diagonal is zero; D is symmetric
        dF = self.d_sup - np.take_along_axis(sums, fi, axis=1) / (n - 1)
        dG = self.d_sup - np.take_along_axis(sums, gi, axis=1) / n
        return _z_batch(dF, dG)


class _Refit:
    """Relabellings that refit a depth estimator (any statnorm depth)."""

    def __init__(self, Z, n, depth):
        self.Z = Z
        self.n = n
        self.depth = depth

    def __call__(self, seed, size=1):
        fi, gi = _relabel(seed, self.Z.shape[0], self.n, size)
        z = np.empty(size)
        for b in range(size):
            est = clone(self.depth).fit(self.Z[fi[b]])
            z[b] = _rank_stats(est.depths_, est.score_samples(self.Z[gi[b]]))[1]
        return z


def depth_rank_sum_test(
    F,
    G,
    *,
    depth=None,
    alternative="greater",
    method="auto",
    n_permutations=999,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Depth-based Wilcoxon rank-sum test of a sample against a reference.

    The Liu & Singh (1993) construction used by TTE depth (Seegmiller &
    Preum, 2023): compute the depths of both corpora with respect to the
    reference ``F`` (leave-one-out for ``F``'s own rows), then compare the two
    sets of depths with a Wilcoxon rank-sum test. With the default one-sided
    ``alternative="greater"``, a small p-value says the sample ``G`` is more
    outlying than ``F``'s own points (``G`` sits away from ``F``'s centre);
    a ``G`` concentrated *inside* ``F``'s centre is not flagged by it.

    Parameters
    ----------
    F : array-like of shape (n, d)
        Reference corpus (embeddings); depths are computed with respect to it.
    G : array-like of shape (m, d)
        Sample corpus to compare. Any sizes, including ``n == m`` (which the
        reference package gets wrong).
    depth : {"cosine", "chord"}, statnorm depth estimator or None, default=None
        Depth to rank by: ``None`` is ``TTEDepth()`` (cosine TTE depth); a
        string is a ``TTEDepth`` metric; an unfitted estimator such as
        ``SpatialDepth()`` is cloned and fitted to ``F``.
    alternative : {"greater", "less", "two-sided"}, default="greater"
        ``"greater"``: reference depths are stochastically larger (the sample
        is more outlying), the reference package's one-sided test;
        ``"less"``: the sample is more central; ``"two-sided"``: either.
    method : {"auto", "asymptotic", "permutation"}, default="auto"
        ``"asymptotic"``: normal approximation of the rank-sum statistic, as
        ``scipy.stats.ranksums`` and the reference package. It ignores that
        all depths are computed from the same estimated reference, and is
        liberal in small corpora (size 0.061 at level 0.05 for 30 vs 30
        points in 20 dimensions; see the size table in the documentation).
        ``"permutation"``: the corpora are randomly relabelled (sizes kept)
        and depths and z are recomputed each time, giving a p-value that is
        valid at every sample size when the corpora are exchangeable under
        the null. For the cosine TTE depth each relabelling costs
        O((n + m) d). ``"auto"``: ``"permutation"`` when
        ``min(n, m) < 200``, ``"asymptotic"`` otherwise (the threshold is
        where the measured size of the asymptotic test reaches the nominal
        level). ``result.method`` says which one ran.
    n_permutations : int, default=999
        Number of relabellings when the permutation p-value is computed.
    random_state : int, RandomState instance or None, default=None
        Seed of the relabellings (one seed per relabelling) and of the
        random directions of projection and halfspace depths. As in every
        statnorm test and in ``scipy.stats.permutation_test``, ``None``
        draws fresh relabellings: pass an int for a p-value that is the same
        on every call (the ``statnorm depth`` command passes
        ``--random-state``, 0 by default).
    n_jobs : int or None, default=None
        joblib workers for the relabellings.
    verbose : int, default=0
        Print the progress of the relabellings (about every 10 %).

    Returns
    -------
    result : DepthTestResult
        ``statistic`` (the z-score), ``pvalue``, ``rank_sum``,
        ``u_statistic``, ``q_liu_singh``, ``q_tte_depth``, the depths, and
        ``summary()``.

    Raises
    ------
    ValueError
        If ``F`` has fewer than 2 rows, ``G`` is empty, the dimensions
        differ, an input holds NaN or infinity, or a zero vector is given to
        the cosine or chord depth.

    See Also
    --------
    TTEDepth : the depth itself.
    scipy.stats.ranksums : the asymptotic rank-sum test on given values.

    Notes
    -----
    The p-value of ``method="asymptotic"`` equals the reference package's
    ``depth_rank_test`` p-value wherever that package computes the right
    depths (corpora of different sizes). ``q_liu_singh`` is Liu & Singh's Q;
    ``q_tte_depth`` reproduces the package's pooled-rank variant.

    References
    ----------
    R. Y. Liu and K. Singh, "A quality index based on data depth and
    multivariate rank tests", JASA 88, 1993.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.depth import depth_rank_sum_test
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(120, 16)) + 1.0
    >>> G = rng.normal(size=(80, 16)) + 1.0
    >>> G[:, :8] *= 3.0
    >>> res = depth_rank_sum_test(F, G)
    >>> z, p = res
    >>> bool(p < 0.01), round(res.q_liu_singh, 2) < 0.5
    (True, True)
    """
    F = check_2d(F, name="F", min_samples=2)
    G = check_2d(G, name="G", min_samples=1)
    check_same_n_features(F, G, names=("F", "G"))
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(
            "alternative must be 'greater', 'less' or 'two-sided'. "
            f"Got {alternative!r} instead."
        )
    if method not in ("auto", "asymptotic", "permutation"):
        raise ValueError(
            "method must be 'auto', 'asymptotic' or 'permutation'. "
            f"Got {method!r} instead."
        )
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, Integral)
        or n_permutations < 1
    ):
        raise ValueError(
            f"n_permutations must be a positive int. Got {n_permutations!r} instead."
        )
    est = _as_depth(depth)
    if est.get_params().get("random_state", 0) is None:
        # One fixed set of directions for the observed and relabelled data.
        est.set_params(random_state=int(spawn_seeds(random_state, 1)[0]))
    est.fit(F)
    dF = est.depths_
    dG = est.score_samples(G)
    n = len(dF)
    if method == "auto":
        method = "permutation" if min(n, len(dG)) < AUTO_MIN_SIZE else "asymptotic"
    rank_sum, z = _rank_stats(dF, dG)
    null = None
    if method == "asymptotic":
        p = _pvalue_normal(z, alternative)
        n_perm = 0
    else:
        n_perm = int(n_permutations)
        task = _permutation_task(est, F, G)
        # Tasks of _BATCH relabellings, one seed each: the same numbers for any
        # n_jobs or joblib backend.
        n_tasks = -(-n_perm // _BATCH)
        size = min(_BATCH, n_perm)
        report = loop_progress("depth_rank_sum_test", "permutations", verbose=verbose)
        parts = run_tasks(
            _run_batch,
            n_tasks,
            random_state,
            task,
            size,
            n_jobs=n_jobs,
            progress=lambda done, _: report(min(done * size, n_perm), n_perm),
        )
        null = np.concatenate(parts)[:n_perm].astype(np.float64)
        # Ties with the observed value (up to rounding) count as exceedances.
        tol = 1e-12 * max(1.0, abs(z))
        if alternative == "greater":
            k = np.sum(null >= z - tol)
        elif alternative == "less":
            k = np.sum(null <= z + tol)
        else:
            k = np.sum(np.abs(null) >= abs(z) - tol)
        p = float((1 + k) / (1 + n_perm))
    mrl = float(getattr(est, "mean_resultant_length_", float("nan")))
    return DepthTestResult(
        statistic=z,
        pvalue=p,
        rank_sum=rank_sum,
        u_statistic=rank_sum - n * (n + 1) / 2.0,
        q_liu_singh=q_liu_singh(dF, dG),
        q_tte_depth=q_tte_depth(dF, dG),
        alternative=alternative,
        method=method,
        depths_reference=dF,
        depths_sample=dG,
        n_permutations=n_perm,
        null_distribution=null,
        mean_resultant_length=mrl,
    )


def _run_batch(seed, task, size):
    # Small matrix products are far slower with a multi-threaded BLAS (thread
    # start-up and synchronisation dominate), so one batch uses one thread.
    from .._threads import blas_threads

    with blas_threads(1):
        return task(seed, size=size)


def _permutation_task(est, F, G):
    Z = np.vstack([F, G])
    n = F.shape[0]
    if isinstance(est, TTEDepth):
        if est.metric == "cosine":
            return _PooledCosine(Z, n, est.d_sup)
        if Z.shape[0] <= 6000:
            if est.metric == "chord":
                from ._tte import _chord_from_cos

                U = _unit_rows(Z, name="F and G")
                D = _chord_from_cos(U @ U.T)
            else:
                from scipy.spatial.distance import cdist

                D = cdist(Z, Z, metric=est.metric)
            np.fill_diagonal(D, 0.0)
            return _PooledMatrix(D, n, est.d_sup)
    return _Refit(Z, n, est)
