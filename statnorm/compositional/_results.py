"""Results of :class:`CompositionalPartialCorrelation`: edge lists,
confidence intervals and permutation FDR tables.

Plain frozen dataclasses (no estimator code), shared by the estimator
(``_pcor.py``) and its inference (``_inference.py``).
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ..results import ConfidenceInterval, Result, SummaryTable, _pandas

__all__ = [
    "PartialCorrelationEdges",
    "PartialCorrelationFDR",
    "PartialCorrelationInterval",
]


@dataclass(frozen=True, repr=False)
class PartialCorrelationEdges(Result):
    """Pairs of parts with their partial correlations, strongest first.

    Returned by :meth:`CompositionalPartialCorrelation.top_edges` and
    :meth:`CompositionalPartialCorrelation.edges`.

    Parameters
    ----------
    i, j : ndarray of int
        Column indices of the two parts (``i < j``).
    source, target : ndarray of str
        Names of the two parts.
    partial_correlation : ndarray of float
        Partial correlation of each pair.
    pvalue : ndarray of float
        Two-sided p-value (NaN when no valid t-test exists, see
        ``df_`` of :class:`CompositionalPartialCorrelation`).
    qvalue : ndarray of float or None, default=None
        Multiplicity-adjusted p-value of each pair (``edges(fdr=...)``
        only): Benjamini-Hochberg or Benjamini-Yekutieli on the t-test
        p-values, or Benjamini-Hochberg on the permutation p-values.

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> e = est.top_edges(2)
    >>> len(e), e.source[0], e.target[0], round(float(e.partial_correlation[0]), 4)
    (2, 'Al', 'Fe', 0.7267)
    """

    i: np.ndarray
    j: np.ndarray
    source: np.ndarray
    target: np.ndarray
    partial_correlation: np.ndarray
    pvalue: np.ndarray
    qvalue: np.ndarray | None = None

    def __len__(self):
        return int(self.i.size)

    def summary(self, *, max_rows=None):
        """Return the edges as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many edges (None: all).

        Returns
        -------
        table : SummaryTable
        """
        rows = [
            (s, t, float(r), float(p))
            for s, t, r, p in zip(
                self.source, self.target, self.partial_correlation, self.pvalue
            )
        ][:max_rows]
        header = ("part 1", "part 2", "partial corr.", "p-value")
        if self.qvalue is not None:
            rows = [(*row, float(q)) for row, q in zip(rows, self.qvalue)]
            header = (*header, "q-value")
        return SummaryTable("Partial correlations", header, tuple(rows))

    def __str__(self):
        return str(self.summary())

    def to_frame(self):
        """Return a pandas DataFrame (requires pandas)."""
        import pandas as pd

        cols = {
            "source": self.source,
            "target": self.target,
            "partial_correlation": self.partial_correlation,
            "pvalue": self.pvalue,
        }
        if self.qvalue is not None:
            cols["qvalue"] = self.qvalue
        return pd.DataFrame(cols)

    def to_networkx(self):
        """Return an undirected ``networkx.Graph`` (requires networkx).

        Edge attributes: ``weight`` (the absolute partial correlation),
        ``partial_correlation`` and ``pvalue``.
        """
        try:
            import networkx as nx
        except ImportError as exc:
            raise ImportError(
                "to_networkx requires networkx; install it with 'pip install networkx'."
            ) from exc
        G = nx.Graph()
        for s, t, r, p in zip(
            self.source, self.target, self.partial_correlation, self.pvalue
        ):
            G.add_edge(
                str(s),
                str(t),
                weight=abs(float(r)),
                partial_correlation=float(r),
                pvalue=float(p),
            )
        return G


@dataclass(frozen=True, repr=False, kw_only=True)
class PartialCorrelationInterval(ConfidenceInterval):
    """Confidence intervals of every partial correlation.

    Returned by :meth:`CompositionalPartialCorrelation.confidence_interval`.
    A :class:`~statnorm.results.ConfidenceInterval` of ``n_parts x n_parts``
    matrices: it unpacks as ``lower, upper = ci`` and has ``width`` and
    ``contains()``; :meth:`to_frame` gives one row per pair of parts.

    Parameters
    ----------
    lower, upper : ndarray of shape (n_parts, n_parts)
        Lower and upper ends (symmetric; 1 on the diagonal).
    confidence_level : float
        Nominal coverage of each interval (not simultaneous over pairs).
    kind : str
        ``"fisher"`` or ``"bootstrap"`` (as ``method``).
    estimate : ndarray of shape (n_parts, n_parts)
        The point estimates (also ``partial_correlation``).
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
        the same data by a shrinkage estimator, which then ``estimate``
        holds) or ``"shrunk"`` (bootstrap of the shrunk estimate; coverage
        of non-zero partial correlations below nominal, see the method
        page).

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> from statnorm.compositional import CompositionalPartialCorrelation
    >>> cups = load_roman_cups(as_frame=True)
    >>> est = CompositionalPartialCorrelation().fit(cups.data)
    >>> lower, upper = est.confidence_interval(0.95)
    >>> [round(float(v), 3) for v in (lower[1, 2], upper[1, 2])]  # Al-Fe
    [0.533, 0.848]
    """

    method: str
    df: float | None
    n_bootstrap: int
    part_names: np.ndarray
    estimator: str = "exact"

    @property
    def partial_correlation(self):
        """The point estimates, ``estimate``."""
        return self.estimate

    @property
    def low(self):
        """Deprecated name of ``lower`` (FutureWarning)."""
        warnings.warn(
            "PartialCorrelationInterval.low is deprecated; use lower/upper.",
            FutureWarning,
            stacklevel=2,
        )
        return self.lower

    @property
    def high(self):
        """Deprecated name of ``upper`` (FutureWarning)."""
        warnings.warn(
            "PartialCorrelationInterval.high is deprecated; use lower/upper.",
            FutureWarning,
            stacklevel=2,
        )
        return self.upper

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
        R = self.estimate
        i, j = np.triu_indices(R.shape[0], 1)
        order = np.lexsort((j, i, -np.abs(R[i, j])))[:max_rows]
        names = self.part_names
        rows = tuple(
            (
                names[a],
                names[b],
                float(R[a, b]),
                float(self.lower[a, b]),
                float(self.upper[a, b]),
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
            ("part 1", "part 2", "partial corr.", "lower", "upper"),
            rows,
            (f"{how}; pointwise, not simultaneous over pairs.",),
        )

    def to_frame(self):
        """Return one row per pair of parts (requires pandas).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``part_i``, ``part_j`` (names, ``i < j`` in part order),
            ``i``, ``j`` (their indices), ``partial_correlation``, ``lower``
            and ``upper``; ``n_parts (n_parts - 1) / 2`` rows. The scalar
            fields (``confidence_level``, ``kind``, ``method``, ``df``,
            ``n_bootstrap``, ``estimator``) are in ``frame.attrs``.

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
        pd = _pandas(f"{type(self).__name__}.to_frame")
        R = np.asarray(self.estimate)
        i, j = np.triu_indices(R.shape[0], 1)
        names = np.asarray(self.part_names, dtype=object)
        frame = pd.DataFrame(
            {
                "part_i": names[i],
                "part_j": names[j],
                "i": i,
                "j": j,
                "partial_correlation": R[i, j],
                "lower": np.asarray(self.lower)[i, j],
                "upper": np.asarray(self.upper)[i, j],
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
