"""BLAS thread control that is cheap enough to use around every kernel call.

``threadpoolctl.threadpool_limits`` rescans the loaded libraries on each call
(about 5 ms); :func:`blas_threads` reuses one cached
:class:`threadpoolctl.ThreadpoolController`. Use it around small matrix
products in loops (multi-threaded BLAS is slower there) and around parallel
Numba regions (two thread pools oversubscribe the cores);
:func:`statnorm._numba.parallel_threads` does the latter for you.
"""

import contextlib
import functools

__all__ = ["blas_threads"]


@functools.cache
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def blas_threads(limit):
    """Limit BLAS to ``limit`` threads inside the block (``None``: no change).

    Parameters
    ----------
    limit : int or None
        Thread count for BLAS libraries inside the block.

    Yields
    ------
    None

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from statnorm._threads import blas_threads
    >>> with blas_threads(1):
    ...     all(p["num_threads"] == 1 for p in threadpool_info()
    ...         if p["user_api"] == "blas")
    True
    """
    if limit is None:
        yield
        return
    with _controller().limit(limits=int(limit), user_api="blas"):
        yield
