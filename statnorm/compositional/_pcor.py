"""Reference-independent partial correlations of compositions (Erb, 2020)."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    Interval,
    StrOptions,
    check_2d,
    check_confidence_level,
    fit_context,
    validate_data,
)
from ..results import SummaryTable
from . import _inference
from ._estimate import clr_covariance, fit_partial_correlation, pcor_block, pvalues
from ._transforms import _check_parts, _reject_non_arrays, multiplicative_replacement

__all__ = ["CompositionalPartialCorrelation"]

_BLOCK_ELEMENTS = 1 << 21  # ~16 MB of float64 per block of rows


class CompositionalPartialCorrelation(BaseEstimator):
    """Reference-independent partial correlations of compositional parts (Erb 2020).

    For strictly positive compositions, the partial correlation of parts
    ``i`` and ``j`` is the correlation of the log-ratios ``log(x_i/x_r)`` and
    ``log(x_j/x_r)`` after regressing out all other log-ratios; it does not
    depend on the reference part ``r``. It is computed from the
    Moore-Penrose inverse ``P`` of the clr covariance::

        rho_ij = -P_ij / sqrt(P_ii P_jj),    partial variance pi_i = 1 / P_ii

    Read more in the :doc:`method page </methods/compositional>`.

    Parameters
    ----------
    shrinkage : {"basis", "direct"}, float in [0, 1] or None, default=None
        ``None``: the sample clr covariance, inverted in closed form
        ``(G + 11^T/D)^-1 - 11^T/D`` when samples outnumber parts, otherwise
        from the thin SVD of the centred clr data (the minimum-norm
        pseudo-inverse; a :class:`~statnorm.exceptions.DataDimensionalityWarning`
        says it is not a consistent estimate then). ``"basis"``: basis
        shrinkage (Jin, Notredame & Erb; propr's ``pcor.bshrink``): the
        covariance of log-proportions is shrunk with the Schäfer-Strimmer
        analytic intensity (corpcor's ``cov.shrink``), projected to clr and
        pseudo-inverted. A float fixes that correlation shrinkage intensity
        (the variance intensity is still estimated). ``"direct"``: the same
        shrinkage applied to the clr covariance itself (propr's
        ``pcor.shrink``), for comparison only: it biases partial
        correlations negative (closure artefact).
    input : {"composition", "clr"}, default="composition"
        ``"composition"``: non-negative parts, any scale. ``"clr"``: clr
        coordinates or log-parts (any real numbers; each row is centred, so
        adding a constant to a row changes nothing), e.g. batch-corrected
        clr data.
    zero_replacement : {"multiplicative"} or None, default=None
        ``None``: zeros raise an error. ``"multiplicative"``: rows with
        zeros go through :func:`multiplicative_replacement` first.
    ddof : int, default=1
        Delta degrees of freedom of the clr covariance (1 as R's ``cov``).
        Changes the scale of ``precision_`` and ``partial_variance_``, not
        the partial correlations. Ignored by shrinkage (which uses n - 1).

    Attributes
    ----------
    partial_correlation_ : ndarray of shape (n_parts, n_parts)
        Partial correlations (unit diagonal). Computed on first access.
    partial_variance_ : ndarray of shape (n_parts,)
        ``1 / diag(precision_)``: the residual variance of ``log(x_i/x_r)``
        given all other log-ratios (independent of ``r``).
    precision_ : ndarray of shape (n_parts, n_parts)
        Moore-Penrose inverse of the (shrunk) clr covariance; rows sum to 0.
        Computed on first access.
    clr_covariance_ : ndarray of shape (n_parts, n_parts)
        The (shrunk) clr covariance that was inverted. Computed on first
        access.
    pvalues_ : ndarray of shape (n_parts, n_parts)
        Two-sided p-values of the t-test of zero partial correlation with
        ``df_`` degrees of freedom (NaN on the diagonal, and everywhere
        when ``df_`` is None). Computed on first access.
    df_ : int or None
        ``n_samples - n_parts + 1``: in the ``n_parts - 1`` log-ratio
        coordinates, a pair is conditioned on ``n_parts - 3`` others, so the
        usual partial-correlation t-test has ``n - (n_parts - 3) - 2``
        degrees of freedom. None with shrinkage, with fewer than 3 parts,
        or when samples do not outnumber parts (no
        exact test exists). With ``sample_weight``, ``n_samples`` is the sum
        of the weights (a float if it is not whole); each covariate
        subtracts one.
    n_covariates_ : int
        Number of covariates conditioned on (0 without ``covariates``).
    shrinkage_ : float
        Correlation shrinkage intensity used (0.0 without shrinkage).
    shrinkage_variance_ : float
        Variance shrinkage intensity used (0.0 without shrinkage).
    rank_ : int
        Rank of the covariance that was inverted (``n_parts - 1`` when the
        estimate is well defined).
    solver_ : str
        ``"closed-form"``, ``"svd"``, ``"dense"`` (shrinkage, few parts) or
        ``"woodbury"`` (shrinkage, more parts than samples).
    part_names_ : ndarray of shape (n_parts,)
        ``feature_names_in_`` if available, else ``x0, x1, ...``.
    n_samples_ : int
        Number of samples seen in ``fit``.
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Part names, when ``X`` has string column names.

    Notes
    -----
    Inference: :meth:`edges` with ``fdr=`` controls the false discovery
    rate over all ``n_parts (n_parts - 1) / 2`` pairs (Benjamini-Hochberg or
    Benjamini-Yekutieli on the t-test p-values, or a permutation FDR that
    also works with shrinkage); :meth:`permutation_fdr` gives propr's
    cutoff table; :meth:`confidence_interval` gives Fisher-z intervals with
    standard error ``1 / sqrt(df_ - 1)`` (under shrinkage, those of the
    unshrunk estimate) or bootstrap intervals.

    See Also
    --------
    clr : The centred log-ratio transform.
    multiplicative_replacement : Replace zeros before fitting.

    References
    ----------
    .. [1] I. Erb, "Partial correlations in compositional data analysis",
       Applied Computing and Geosciences 6 (2020) 100026.
    .. [2] S. Jin, C. Notredame, I. Erb, "Compositional covariance shrinkage
       and regularised partial correlations", SORT (2023), arXiv:2212.00496.
    .. [3] J. Schäfer, K. Strimmer, "A shrinkage approach to large-scale
       covariance matrix estimation", Stat. Appl. Genet. Mol. Biol. 4 (2005).

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> round(float(est.partial_correlation_[1, 2]), 4)  # Al-Fe
    0.7267
    >>> est.df_
    37
    """

    _parameter_constraints: ClassVar[dict] = {
        "shrinkage": [
            StrOptions({"basis", "direct"}),
            Interval(Real, 0, 1, closed="both"),
            None,
        ],
        "input": [StrOptions({"composition", "clr"})],
        "zero_replacement": [StrOptions({"multiplicative"}), None],
        "ddof": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, shrinkage=None, *, input="composition", zero_replacement=None, ddof=1
    ):
        self.shrinkage = shrinkage
        self.input = input
        self.zero_replacement = zero_replacement
        self.ddof = ddof

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.input == "composition"
        return tags

    # ------------------------------------------------------------------ fit
    def _log_parts(self, X):
        _reject_non_arrays(X)
        X = validate_data(self, X, dtype=np.float64)
        if self.input == "composition":
            zeros_ok = self.zero_replacement is not None
            X = _check_parts(X, min_parts=2, allow_zeros=zeros_ok)
            if zeros_ok and (X == 0).any():
                X = multiplicative_replacement(X)
            L = np.log(X)
        else:
            L = check_2d(X, min_features=2)
        if L.shape[0] < 3:
            raise ValueError(
                f"X has {L.shape[0]} sample(s) (shape={L.shape}) while a minimum of "
                "3 is required to estimate a covariance."
            )
        return L

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, *, covariates=None):
        """Estimate the partial correlations of the parts of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions (rows are samples, columns are parts), or clr/log
            data with ``input="clr"``. Needs at least 3 samples and 2 parts.
            With 2 parts there is a single log-ratio and no reference part
            outside the pair: the partial correlation is +1 by construction
            and ``df_`` is None.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative frequency weights (a row of weight 2 counts as two
            rows): weighted means and covariance with divisor
            ``sum(sample_weight) - ddof``, and the t-test uses
            ``sum(sample_weight)`` as the sample size. Integer weights give
            the fit of the data with rows repeated.
        covariates : array-like of shape (n_samples,) or (n_samples, n_covariates), default=None
            Non-compositional variables (not closed with the parts: age,
            pH, batch indicators, ...) to condition on in addition to the
            other parts. The log-ratios are regressed on them (with an
            intercept, weighted when ``sample_weight`` is given) and the
            partial correlations are those of the residuals; each covariate
            costs one degree of freedom.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        L = self._log_parts(X)
        n, D = L.shape
        names = getattr(self, "feature_names_in_", None)
        names = (
            np.asarray(names, dtype=object)
            if names is not None
            else np.asarray([f"x{k}" for k in range(D)], dtype=object)
        )
        fit = fit_partial_correlation(
            L,
            sample_weight,
            covariates,
            shrinkage=self.shrinkage,
            ddof=self.ddof,
            part_names=names,
        )
        self._precision = fit.precision
        self._cov_parts = fit.cov_parts
        self._model = _inference._Model(
            log_parts=L,
            sample_weight=fit.sample_weight,
            covariates=fit.covariates,
            shrinkage=self.shrinkage,
            ddof=self.ddof,
            lam=None if self.shrinkage is None else float(fit.shrinkage),
        )
        self._cache = {}
        self.n_samples_ = n
        self.part_names_ = names
        self.n_covariates_ = 0 if fit.covariates is None else fit.covariates.shape[1]
        self.shrinkage_ = fit.shrinkage
        self.shrinkage_variance_ = fit.shrinkage_variance
        self.df_ = fit.df
        self.solver_ = fit.solver
        self.rank_ = fit.rank
        self.partial_variance_ = fit.partial_variance
        return self

    # ------------------------------------------------------------ matrices
    def _cached(self, key, fn):
        check_is_fitted(self)
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def precision_(self):
        return self._cached("precision", self._precision.full)

    @property
    def clr_covariance_(self):
        return self._cached("covariance", lambda: clr_covariance(self._cov_parts))

    @property
    def partial_correlation_(self):
        return self._cached(
            "pcor", lambda: pcor_block(self._precision, 0, self.n_features_in_)
        )

    @property
    def pvalues_(self):
        return self._cached(
            "pvalues", lambda: pvalues(self.partial_correlation_, self.df_)
        )

    # -------------------------------------------------------------- edges
    def _block_rows(self, block_size):
        D = self.n_features_in_
        if block_size is None:
            block_size = max(1, min(D, _BLOCK_ELEMENTS // D))
        elif (
            isinstance(block_size, bool)
            or not isinstance(block_size, Integral)
            or block_size < 1
        ):
            raise ValueError(
                f"block_size must be None or a positive int. Got {block_size!r}."
            )
        return int(block_size)

    def _scan(self, block_size, select):
        """Visit the upper triangle of rho in blocks of rows.

        ``select(strength, i0, j0, R)`` receives a block ``R`` of rows
        ``i0:`` and columns ``j0:`` and ``strength = |R|`` with the entries
        on or below the diagonal set to -1.
        """
        D = self.n_features_in_
        b = self._block_rows(block_size)
        for i0 in range(0, D - 1, b):
            i1 = min(D - 1, i0 + b)
            j0 = i0 + 1
            R = pcor_block(self._precision, i0, i1, j0)
            strength = np.abs(R)
            strength[np.tril_indices(i1 - i0, -1, m=R.shape[1])] = -1.0
            select(strength, i0, j0, R)

    def _make_edges(self, i, j, r):
        return _inference.edge_set(i, j, r, self.part_names_, self.df_)

    def top_edges(self, k=10, *, block_size=None):
        """Return the ``k`` pairs of parts with the largest absolute partial correlation.

        Works through blocks of rows of the partial-correlation matrix built
        from the factored precision, so the ``n_parts x n_parts`` matrix is
        never held in memory (about ``block_size * n_parts`` numbers at a
        time).

        Parameters
        ----------
        k : int, default=10
            Number of pairs (at most ``n_parts * (n_parts - 1) / 2``).
        block_size : int, default=None
            Rows per block; ``None`` keeps each block near 16 MB.

        Returns
        -------
        edges : PartialCorrelationEdges
            Pairs sorted by decreasing ``|partial correlation|``.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> cups = load_roman_cups(as_frame=True)
        >>> est = CompositionalPartialCorrelation().fit(cups.data)
        >>> print(est.top_edges(2))
        Partial correlations
        ===========================================
        part 1   part 2   partial corr.   p-value
        -------------------------------------------
        Al       Fe       0.7267          1.625e-07
        Si       Al       0.7215          2.187e-07
        ===========================================
        """
        check_is_fitted(self)
        D = self.n_features_in_
        n_pairs = D * (D - 1) // 2
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive int. Got {k!r} instead.")
        k = min(int(k), n_pairs)
        best = [np.empty(0, int), np.empty(0, int), np.empty(0)]

        def select(strength, i0, j0, R):
            flat = strength.ravel()
            top = (
                np.argpartition(-flat, k - 1)[:k]
                if flat.size > k
                else np.arange(flat.size)
            )
            top = top[flat[top] >= 0]
            a, c = np.divmod(top, R.shape[1])
            ci = np.concatenate([best[0], a + i0])
            cj = np.concatenate([best[1], c + j0])
            cr = np.concatenate([best[2], R.ravel()[top]])
            if cr.size > k:
                keep = np.argpartition(-np.abs(cr), k - 1)[:k]
                ci, cj, cr = ci[keep], cj[keep], cr[keep]
            best[:] = [ci, cj, cr]

        self._scan(block_size, select)
        return self._make_edges(*best)

    def edges(
        self,
        threshold=None,
        *,
        fdr=None,
        method="bh",
        n_permutations=100,
        random_state=None,
        max_edges=1_000_000,
        block_size=None,
    ):
        """Return every pair with ``|partial correlation| >= threshold``, or
        the pairs significant at a false discovery rate ``fdr``.

        With ``fdr``, the ``D (D - 1) / 2`` pairs are tested together:
        ``method="bh"`` (Benjamini-Hochberg) or ``"by"`` (Benjamini-Yekutieli,
        valid under any dependence) on the exact t-test p-values (see
        ``df_``), through ``scipy.stats.false_discovery_control``;
        ``"permutation"`` applies Benjamini-Hochberg to permutation p-values
        of ``|rho|`` against the pooled null of :meth:`permutation_fdr`
        (every part permuted independently over samples), which also works
        with shrinkage. The kept pairs are those whose estimated FDR (mean
        permuted count over observed count at their ``|rho|``, as propr's
        ``updateCutoffs``) is at most ``fdr``.

        Parameters
        ----------
        threshold : float or None, default=None
            Smallest absolute partial correlation kept, in [0, 1]; None
            means 0.5 unless ``fdr`` is given.
        fdr : float in (0, 1) or None, default=None
            Target false discovery rate (exclusive with ``threshold``).
        method : {"bh", "by", "permutation"}, default="bh"
            Multiple-testing procedure (with ``fdr`` only).
        n_permutations : int, default=100
            Permuted data sets (``method="permutation"`` only).
        random_state : int, RandomState instance or None, default=None
            Seeds the permutations.
        max_edges : int, default=1_000_000
            Error out instead of returning more pairs than this.
        block_size : int, default=None
            Rows per block (see :meth:`top_edges`).

        Returns
        -------
        edges : PartialCorrelationEdges
            Pairs sorted by decreasing ``|partial correlation|``.

        Examples
        --------
        >>> from statnorm.datasets import load_roman_cups
        >>> from statnorm.compositional import CompositionalPartialCorrelation
        >>> est = CompositionalPartialCorrelation().fit(load_roman_cups().data)
        >>> len(est.edges(threshold=0.55))
        4
        >>> e = est.edges(fdr=0.05, method="by")
        >>> len(e), round(float(e.qvalue.max()), 4)
        (4, 0.0038)
        """
        check_is_fitted(self)
        if fdr is not None:
            if threshold is not None:
                raise ValueError("Pass either threshold or fdr, not both.")
            _inference.check_fdr(fdr, method)
            return _inference.fdr_edges(
                self._model,
                self.partial_correlation_,
                self.df_,
                self.part_names_,
                fdr,
                method,
                n_permutations,
                random_state,
                max_edges,
            )
        if threshold is None:
            threshold = 0.5
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, Real)
            or not 0 <= threshold <= 1
        ):
            raise ValueError(
                f"threshold must be a float in the range [0, 1]. Got {threshold!r} "
                "instead."
            )
        found = []
        count = [0]

        def select(strength, i0, j0, R):
            a, c = np.nonzero(strength >= threshold)
            count[0] += a.size
            if count[0] > max_edges:
                raise ValueError(
                    f"More than max_edges={max_edges} pairs have |partial "
                    f"correlation| >= {threshold}; raise the threshold or max_edges, "
                    "or use top_edges(k)."
                )
            found.append((a + i0, c + j0, R[a, c]))

        self._scan(block_size, select)
        if not found:
            return self._make_edges(np.empty(0, int), np.empty(0, int), np.empty(0))
        return self._make_edges(*(np.concatenate(a) for a in zip(*found)))

    # ------------------------------------------------------------ inference
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
        n_permutations = _inference._check_count(n_permutations, "n_permutations")
        return _inference.permutation_fdr(
            self._model, self.partial_correlation_, cutoffs, n_permutations, random_state
        )

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
            ``lower`` and ``upper`` matrices (``lower, upper = interval``);
            ``estimator`` says which estimate they surround.

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
        >>> [round(float(v), 3) for v in (ci.lower[1, 2], ci.upper[1, 2])]  # Al-Fe
        [0.533, 0.848]
        """
        check_is_fitted(self)
        level = check_confidence_level(confidence_level)
        _inference.check_interval_method(method)
        return _inference.confidence_interval(
            self._model,
            self.partial_correlation_,
            self.df_,
            self.part_names_,
            level,
            method,
            n_bootstrap,
            random_state,
        )

    def summary(self, *, max_rows=10):
        """Return the ``max_rows`` strongest pairs as a printable table.

        Parameters
        ----------
        max_rows : int, default=10
            Number of pairs.

        Returns
        -------
        table : SummaryTable
            Pairs with partial correlations, p-values and the partial
            variances of both parts.
        """
        e = self.top_edges(max_rows)
        pv = self.partial_variance_
        rows = tuple(
            (s, t, float(r), float(p), float(pv[a]), float(pv[b]))
            for s, t, r, p, a, b in zip(
                e.source, e.target, e.partial_correlation, e.pvalue, e.i, e.j
            )
        )
        df = "none (no exact test)" if self.df_ is None else str(self.df_)
        note = (
            f"n = {self.n_samples_} samples, D = {self.n_features_in_} parts, "
            f"t-test df = {df}, shrinkage = {self.shrinkage_:.4g}, "
            f"solver = {self.solver_}."
        )
        notes = (note,)
        return SummaryTable(
            "Compositional partial correlations",
            ("part 1", "part 2", "partial corr.", "p-value", "pvar 1", "pvar 2"),
            rows,
            notes,
        )
