"""Result objects shared by every statnorm method.

Every result a statnorm method returns (a hypothesis test, an effect estimate,
a regime diagnosis, ...) derives from :class:`Result`: a frozen dataclass with

- ``summary()`` returning a :class:`SummaryTable` (prints as text, renders as
  HTML in notebooks, ``to_markdown()`` for reports); ``print(result)`` and a
  notebook cell ending in a result show that table;
- ``to_dict()`` (field name to value) and ``to_frame()`` (a pandas DataFrame;
  pandas is needed for this method only);
- ``confidence_interval(confidence_level)`` where the method has one.

Hypothesis tests derive from :class:`TestResult` and unpack as
``stat, p = result``, as in SciPy and statsmodels. Every
``confidence_interval()`` returns a :class:`ConfidenceInterval` (or a
subclass of it), which unpacks as ``lower, upper = ci``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from html import escape
from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = ["ConfidenceInterval", "Result", "SummaryTable", "TestResult"]


def _scalar(v):
    """A plain Python scalar for a NumPy scalar or 0-d array; else None."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, Integral):
        return int(v)
    if isinstance(v, Real):
        return float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "biuf":
        return v.item()
    return None


@dataclass(frozen=True)
class SummaryTable:
    """A small table with a title, printable as text and rendered as HTML.

    Parameters
    ----------
    title : str
        Caption of the table.
    header : sequence of str
        Column names.
    rows : sequence of sequence
        Cell values, one sequence per row; floats are shown with 4 significant
        digits.
    notes : sequence of str, default=()
        Lines printed under the table.

    Examples
    --------
    >>> from statnorm.results import SummaryTable
    >>> print(SummaryTable("Demo", ["name", "value"], [["a", 1.23456]]))
    Demo
    ============
    name   value
    ------------
    a      1.235
    ============
    """

    title: str
    header: tuple
    rows: tuple
    notes: tuple = field(default=())

    @staticmethod
    def _fmt(v):
        if isinstance(v, float | np.floating):
            return f"{float(v):.4g}"
        return str(v)

    def _cells(self):
        return [list(map(str, self.header))] + [
            [self._fmt(v) for v in row] for row in self.rows
        ]

    def __str__(self):
        cells = self._cells()
        widths = [max(len(r[j]) for r in cells) for j in range(len(cells[0]))]
        lines = [
            "   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells
        ]
        rule = max(len(line) for line in lines)
        out = [self.title, "=" * rule, lines[0], "-" * rule, *lines[1:], "=" * rule]
        out += list(self.notes)
        return "\n".join(out)

    def to_markdown(self) -> str:
        """Return the table as GitHub-flavoured Markdown.

        Returns
        -------
        text : str
            Markdown source.

        Examples
        --------
        >>> from statnorm.results import SummaryTable
        >>> print(SummaryTable("T", ["a"], [[1]]).to_markdown())
        | a |
        | --- |
        | 1 |
        """
        cells = self._cells()
        lines = ["| " + " | ".join(cells[0]) + " |"]
        lines.append("| " + " | ".join("---" for _ in cells[0]) + " |")
        lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
        notes = ["", *self.notes] if self.notes else []
        return "\n".join(lines + notes)

    def to_dict(self) -> dict[str, list]:
        """Return the table as ``{column: [values]}`` (unformatted values).

        Returns
        -------
        table : dict
            One list of cell values per column, in row order.

        Examples
        --------
        >>> from statnorm.results import SummaryTable
        >>> SummaryTable("T", ["a", "b"], [[1, 2.5]]).to_dict()
        {'a': [1], 'b': [2.5]}
        """
        return {
            str(h): [row[j] for row in self.rows] for j, h in enumerate(self.header)
        }

    def to_frame(self):
        """Return the table as a :class:`pandas.DataFrame` (needs pandas).

        Returns
        -------
        frame : pandas.DataFrame
            One column per header entry.

        Examples
        --------
        >>> from statnorm.results import SummaryTable
        >>> SummaryTable("T", ["a"], [[1], [2]]).to_frame().shape
        (2, 1)
        """
        pd = _pandas("SummaryTable.to_frame")
        return pd.DataFrame(self.to_dict())

    def _repr_html_(self):
        cells = self._cells()
        head = "".join(f"<th>{escape(c)}</th>" for c in cells[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
            for r in cells[1:]
        )
        notes = "".join(f"<p>{escape(n)}</p>" for n in self.notes)
        return (
            f"<table><caption>{escape(self.title)}</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>{notes}"
        )


def _pandas(caller):
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is in every extra
        raise ImportError(
            f"{caller} needs pandas; install it with 'pip install pandas'."
        ) from exc
    return pd


@dataclass(frozen=True)
class Result:
    """Base of every statnorm result: a frozen dataclass with a summary.

    Subclasses are frozen dataclasses that add fields. ``summary()`` lists
    the scalar fields by default; a subclass overrides it (keeping the
    signature ``summary(*, max_rows=None)``) when a richer table helps, and
    adds ``confidence_interval(confidence_level=...)`` when the method has one.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from statnorm.results import Result
    >>> @dataclass(frozen=True)
    ... class Mean(Result):
    ...     mean: float
    ...     n: int
    >>> Mean(1.5, 10).to_dict()
    {'mean': 1.5, 'n': 10}
    >>> print(Mean(1.5, 10))
    Mean
    =============
    field   value
    -------------
    mean    1.5
    n       10
    =============
    """

    def __repr__(self):
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray) and v.size > 6:
                v = f"<array of shape {v.shape}>"
            elif isinstance(v, float | np.floating):
                v = f"{float(v):.6g}"
            else:
                v = repr(v)
            parts.append(f"{f.name}={v}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __str__(self):
        # print(result) shows the summary table, in every method.
        return str(self.summary())

    def _repr_html_(self):
        # A notebook cell ending in a result renders its summary table.
        return self.summary()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a dict (NumPy scalars become Python scalars).

        Returns
        -------
        fields : dict
            Field name to value; arrays are returned as they are stored.
        """
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            s = _scalar(v)
            out[f.name] = v if s is None else s
        return out

    def _scalar_items(self):
        return [(k, v) for k, v in self.to_dict().items() if _scalar(v) is not None]

    def to_frame(self):
        """Return the result as a :class:`pandas.DataFrame` (needs pandas).

        The default is one row holding the scalar fields; results indexed by a
        grid (quantile levels, parts, ...) return one row per grid point.

        Returns
        -------
        frame : pandas.DataFrame
            The result in tidy form.
        """
        pd = _pandas(f"{type(self).__name__}.to_frame")
        return pd.DataFrame([dict(self._scalar_items())])

    def summary(self, *, max_rows: int | None = None) -> SummaryTable:
        """Return the result as a :class:`~statnorm.results.SummaryTable`.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many rows (None: all).

        Returns
        -------
        table : SummaryTable
            Prints as text; ``to_markdown()``, ``to_frame()`` and HTML in
            notebooks.
        """
        rows = [[k, v] for k, v in self._scalar_items()]
        if max_rows is not None:
            rows = rows[:max_rows]
        return SummaryTable(type(self).__name__, ("field", "value"), tuple(rows))


@dataclass(frozen=True, repr=False)
class TestResult(Result):
    """Base result of a hypothesis test.

    Subclasses add fields (``null_distribution``, ``df``, ...) after these two.

    Parameters
    ----------
    statistic : float
        Value of the test statistic.
    pvalue : float
        p-value of the test.

    Examples
    --------
    >>> from statnorm.results import TestResult
    >>> stat, p = TestResult(statistic=2.0, pvalue=0.05)
    >>> p
    0.05
    >>> TestResult(2.0, 0.05).to_dict()
    {'statistic': 2.0, 'pvalue': 0.05}
    """

    __test__ = False  # not a pytest test class

    statistic: float
    pvalue: float

    def __iter__(self):
        yield self.statistic
        yield self.pvalue

    def __len__(self):
        return 2


@dataclass(frozen=True, repr=False)
class ConfidenceInterval(Result):
    """Confidence interval(s): what every ``confidence_interval()`` returns.

    Unpacks as ``lower, upper = ci`` (as the tuples it replaces did). The
    ends are scalars for one interval, or arrays for a grid of them (one
    interval per quantile level, per pair of parts, ...).

    Parameters
    ----------
    lower, upper : float or ndarray
        Lower and upper ends, of the same shape.
    confidence_level : float
        Nominal coverage (simultaneous over the grid only where ``kind`` says
        so, e.g. a uniform band).
    kind : str
        How the interval was computed (e.g. ``"uniform"``, ``"pointwise"``,
        ``"normal"``, ``"robust"``, ``"fisher"``).
    estimate : float, ndarray or None, default=None
        The point estimate the interval surrounds, where there is one.

    Examples
    --------
    >>> from statnorm.results import ConfidenceInterval
    >>> ci = ConfidenceInterval(lower=0.1, upper=0.5, confidence_level=0.95,
    ...                         kind="normal", estimate=0.3)
    >>> lo, hi = ci
    >>> lo, hi
    (0.1, 0.5)
    >>> bool(ci.contains(0.2)), round(float(ci.width), 2)
    (True, 0.4)
    """

    lower: Any
    upper: Any
    confidence_level: float
    kind: str
    estimate: Any = None

    def __iter__(self):
        yield self.lower
        yield self.upper

    def __len__(self):
        return 2

    @property
    def width(self):
        """``upper - lower``."""
        return np.subtract(self.upper, self.lower)

    def contains(self, value):
        """Whether ``value`` (broadcast against the ends) lies in the interval.

        Parameters
        ----------
        value : float or array-like
            Values to check, e.g. a known truth in a simulation.

        Returns
        -------
        inside : bool or ndarray of bool
            ``lower <= value <= upper``, element by element.
        """
        v = np.asarray(value, dtype=np.float64)
        return (np.asarray(self.lower) <= v) & (v <= np.asarray(self.upper))

    def _columns(self):
        cols = {}
        if self.estimate is not None:
            cols["estimate"] = np.ravel(self.estimate)
        cols["lower"] = np.ravel(self.lower)
        cols["upper"] = np.ravel(self.upper)
        return cols

    def to_frame(self):
        """One row per interval: ``estimate`` (where known), ``lower``,
        ``upper``; ``confidence_level`` and ``kind`` in ``DataFrame.attrs``.

        Returns
        -------
        frame : pandas.DataFrame
        """
        pd = _pandas(f"{type(self).__name__}.to_frame")
        frame = pd.DataFrame(self._columns())
        frame.attrs.update(confidence_level=self.confidence_level, kind=self.kind)
        return frame

    def summary(self, *, max_rows=None):
        """The intervals as a table, one row each.

        Parameters
        ----------
        max_rows : int or None, default=None
            Show at most this many rows (None: all).

        Returns
        -------
        table : SummaryTable
        """
        cols = self._columns()
        n = len(cols["lower"])
        keep = n if max_rows is None else min(n, max_rows)
        rows = tuple((i, *(float(c[i]) for c in cols.values())) for i in range(keep))
        notes = (f"{self.kind} intervals at confidence level {self.confidence_level}",)
        if keep < n:
            notes += (f"{n - keep} more rows not shown",)
        return SummaryTable(type(self).__name__, ("", *cols), rows, notes)
