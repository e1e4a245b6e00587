"""Result containers shared by statnorm's tests and inference procedures.

Statistical tests return frozen dataclasses in the style of SciPy 1.17 and
statsmodels 0.15: named fields, ``stat, p = result`` unpacking of the first
two, extra fields attribute-only. Fitted inference estimators store such a
result in ``result_`` and expose ``summary()`` returning a
:class:`SummaryTable`, which prints as text and renders as HTML in notebooks.
"""

from dataclasses import dataclass, field, fields
from html import escape

import numpy as np

__all__ = ["SummaryTable", "TestResult"]


@dataclass(frozen=True)
class TestResult:
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
    >>> from statnorm._results import TestResult
    >>> stat, p = TestResult(statistic=2.0, pvalue=0.05)
    >>> p
    0.05
    """

    __test__ = False  # not a pytest test class

    statistic: float
    pvalue: float

    def __iter__(self):
        yield self.statistic
        yield self.pvalue

    def __len__(self):
        return 2

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
    >>> from statnorm._results import SummaryTable
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

    def to_markdown(self):
        """Return the table as GitHub-flavoured Markdown.

        Returns
        -------
        text : str
            Markdown source.

        Examples
        --------
        >>> from statnorm._results import SummaryTable
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
