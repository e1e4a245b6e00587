"""A tiny Markdown report writer used by ``statnorm tour`` (and by methods' tours).

A method's tour receives a :class:`Report` and adds a section with text,
tables and figures; the CLI writes ``report.md`` and the PNG files into the
output folder.
"""

import os
from pathlib import Path

from .results import SummaryTable

__all__ = ["Report"]


def _have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


class Report:
    """Collect Markdown blocks and figures for one output folder.

    Parameters
    ----------
    outdir : str or path-like
        Folder to write into; created if missing.
    title : str, default="statnorm report"
        Top-level heading.

    Examples
    --------
    >>> import tempfile
    >>> from statnorm._report import Report
    >>> with tempfile.TemporaryDirectory() as d:
    ...     r = Report(d)
    ...     r.section("Demo")
    ...     r.text("Hello.")
    ...     path = r.write()
    ...     print(path.read_text().splitlines()[2])
    ## Demo
    """

    def __init__(self, outdir, title="statnorm report"):
        #: Whether matplotlib is importable: tours draw figures only then.
        self.plots = _have_matplotlib()
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.title = title
        self.blocks = []
        self.figures = []

    def section(self, heading):
        """Start a section with a second-level heading."""
        self.blocks.append(f"## {heading}")

    def text(self, markdown):
        """Add a paragraph of Markdown."""
        self.blocks.append(str(markdown).strip())

    def table(self, table):
        """Add a :class:`~statnorm.results.SummaryTable` (or any object with
        ``to_markdown``)."""
        if not isinstance(table, SummaryTable) and not hasattr(table, "to_markdown"):
            raise TypeError("table must be a SummaryTable.")
        self.blocks.append(f"**{table.title}**\n\n{table.to_markdown()}")

    def figure(self, fig, name, caption=""):
        """Save a matplotlib figure as ``<name>.png``, link it and close it.

        Returns
        -------
        path : pathlib.Path
            Where the PNG was written.
        """
        import matplotlib.pyplot as plt

        fname = f"{os.path.basename(name)}.png"
        path = self.outdir / fname
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        self.figures.append(path)
        self.blocks.append(
            f"![{caption or name}]({fname})" + (f"\n\n*{caption}*" if caption else "")
        )
        return path

    def write(self, filename="report.md"):
        """Write the Markdown file and return its path."""
        path = self.outdir / filename
        path.write_text(
            f"# {self.title}\n\n" + "\n\n".join(self.blocks) + "\n", encoding="utf-8"
        )
        return path
