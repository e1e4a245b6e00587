"""The single Numba convention of statnorm.

Kernel modules (``statnorm/<method>/_kernels.py``) import ``njit`` from here::

    from .._numba import njit, prange, FASTMATH_SAFE

    @njit
    def _kernel(x):
        ...

    _kernel_parallel = njit(_kernel_py, parallel=True)  # compiled variants at
                                                        # module level, never
                                                        # inside a function

Rules:

- ``cache=True`` (opt out with ``STATNORM_NUMBA_CACHE=0``) and ``nogil=True``.
- Never ``fastmath=True`` where NaN or infinity may appear: it makes
  ``np.isnan`` return False. ``FASTMATH_SAFE`` is the subset that keeps them.
- Kernels receive validated, C-contiguous float64 arrays and never raise.
- Parallel regions run inside :func:`parallel_threads`, which sets Numba's
  thread count from an sklearn-style ``n_jobs`` and pins BLAS to one thread
  so the two pools do not oversubscribe the machine.

This module imports Numba; ``import statnorm`` does not import this module.

Compilation is announced: the first time a kernel compiles in a process (a
cache miss, usually the first call after installing statnorm), the logger
``statnorm.numba`` records "compiling Numba kernels (first use only ...)" at
INFO level, and each compiled kernel at DEBUG level. The command line shows
the INFO line unless ``--quiet``, so a first call that compiles is never
silent.
"""

import contextlib
import functools
import logging
import os
import time

import numba
from numba import prange
from numba.core import event as _event

_logger = logging.getLogger("statnorm.numba")


class _CompileAnnouncer(_event.Listener):
    """Log the first compilation in a process (INFO) and every kernel (DEBUG)."""

    def __init__(self):
        self.announced = False
        self._starts = {}

    def on_start(self, event):
        if not self.announced:
            self.announced = True
            _logger.info(
                "compiling Numba kernels (first use only; cached afterwards, this "
                "takes a few seconds once)"
            )
        self._starts[id(event.data)] = time.perf_counter()

    def on_end(self, event):
        t0 = self._starts.pop(id(event.data), None)
        if t0 is not None and _logger.isEnabledFor(logging.DEBUG):
            func = getattr((event.data or {}).get("dispatcher"), "py_func", None)
            module = getattr(func, "__module__", "") or ""
            if module.startswith("statnorm"):  # not Numba's own overloads
                _logger.debug(
                    "compiled %s.%s in %.2f s",
                    module,
                    func.__qualname__,
                    time.perf_counter() - t0,
                )


_ANNOUNCER = _CompileAnnouncer()
_event.register("numba:compile", _ANNOUNCER)

__all__ = ["FASTMATH_SAFE", "effective_n_threads", "njit", "parallel_threads", "prange"]

_CACHE = os.environ.get("STATNORM_NUMBA_CACHE", "1").lower() not in {"0", "false", "no"}

njit = functools.partial(numba.njit, cache=_CACHE, nogil=True)
"""``numba.njit`` with statnorm's defaults (``cache``, ``nogil``)."""

FASTMATH_SAFE = {"nsz", "arcp", "contract", "afn", "reassoc"}
"""Fast-math flags that keep NaN and infinity semantics (no ``nnan``/``ninf``)."""


def effective_n_threads(n_jobs):
    """Translate an sklearn-style ``n_jobs`` into a Numba thread count.

    Parameters
    ----------
    n_jobs : int or None
        ``None`` or 1 means one thread; -1 means all of Numba's threads;
        -2 all but one, and so on.

    Returns
    -------
    n_threads : int
        A count in ``[1, numba.config.NUMBA_NUM_THREADS]``.

    Examples
    --------
    >>> from statnorm._numba import effective_n_threads
    >>> effective_n_threads(None)
    1
    >>> effective_n_threads(10**6) == effective_n_threads(-1)
    True
    """
    limit = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None:
        return 1
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, a positive int or -1.")
    if n_jobs < 0:
        return max(limit + 1 + n_jobs, 1)
    return min(n_jobs, limit)


@contextlib.contextmanager
def parallel_threads(n_jobs):
    """Run a block with ``n_jobs`` Numba threads and single-threaded BLAS.

    Parameters
    ----------
    n_jobs : int or None
        sklearn-style thread count, see :func:`effective_n_threads`.

    Yields
    ------
    n_threads : int
        The Numba thread count in effect inside the block.

    Examples
    --------
    >>> import numba
    >>> from statnorm._numba import parallel_threads
    >>> before = numba.get_num_threads()
    >>> with parallel_threads(1) as n:
    ...     n
    1
    >>> numba.get_num_threads() == before
    True
    """
    from ._threads import blas_threads

    n = effective_n_threads(n_jobs)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        with blas_threads(1 if n > 1 else None):
            yield n
    finally:
        numba.set_num_threads(old)
