"""The one plotting pattern of statnorm: scikit-learn's Display objects.

Every public plot is a ``<Name>Display`` class that

- is built from computed values (``__init__`` only stores them);
- has ``from_estimator(estimator, ...)`` and/or ``from_predictions(...)`` /
  ``from_result(result, ...)`` class methods that compute those values and
  call :meth:`plot`;
- has ``plot(*, ax=None, **kwargs)`` that draws on ``ax`` (a new figure when
  None), stores ``ax_`` and ``figure_`` (and named artists, e.g. ``line_``),
  and returns ``self``.

matplotlib is an optional dependency (the ``plot`` extra): import it only
through :func:`check_matplotlib_support` / :func:`get_axes`, at plot time.
"""

from __future__ import annotations

__all__ = ["DisplayMixin", "check_matplotlib_support", "get_axes"]


def check_matplotlib_support(caller: str):
    """Import and return ``matplotlib.pyplot``, or raise a clear ImportError.

    Parameters
    ----------
    caller : str
        Name of the function or method that needs matplotlib (in the message).

    Returns
    -------
    plt : module
        ``matplotlib.pyplot``.

    Examples
    --------
    >>> from statnorm._plotting import check_matplotlib_support
    >>> check_matplotlib_support("demo").__name__
    'matplotlib.pyplot'
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib. Install it with "
            "'pip install \"statnorm[plot]\"' (or 'pip install matplotlib')."
        ) from exc
    return plt


def get_axes(ax, caller: str, **subplots_kw):
    """Return ``(figure, ax)``, creating a figure when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib Axes or None
        Where to draw.
    caller : str
        Name used in the error message when matplotlib is missing.
    **subplots_kw
        Passed to ``plt.subplots`` when a figure is created.

    Returns
    -------
    figure, ax : matplotlib Figure and Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm._plotting import get_axes
    >>> fig, ax = get_axes(None, "demo")
    >>> ax.figure is fig
    True
    """
    plt = check_matplotlib_support(caller)
    if ax is None:
        fig, ax = plt.subplots(**subplots_kw)
        return fig, ax
    return ax.figure, ax


class DisplayMixin:
    """Shared behaviour of statnorm Displays: ``_start_plot`` sets ``ax_``/``figure_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statnorm._plotting import DisplayMixin
    >>> class LineDisplay(DisplayMixin):
    ...     def __init__(self, y):
    ...         self.y = y
    ...     def plot(self, *, ax=None):
    ...         ax = self._start_plot(ax)
    ...         (self.line_,) = ax.plot(self.y)
    ...         return self
    >>> LineDisplay([1, 2]).plot().ax_ is not None
    True
    """

    def _start_plot(self, ax, **subplots_kw):
        fig, ax = get_axes(ax, f"{type(self).__name__}.plot", **subplots_kw)
        self.ax_, self.figure_ = ax, fig
        return ax
