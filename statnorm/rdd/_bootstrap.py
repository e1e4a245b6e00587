"""R3D's multiplier bootstrap, chunked on :func:`statnorm._parallel.run_tasks`.

Draw ``b`` gives the ``k``-th unit that enters some residual block the
``k``-th standard normal of its own generator (seed ``b`` of
:func:`statnorm._validation.spawn_seeds`), so the draws do not depend on how
they are chunked or where the chunks run (threads, processes, a Dask cluster
under ``joblib.parallel_backend("dask")``). Each chunk is two GEMMs, one per
side of the cutoff, on one BLAS thread.
"""

import numpy as np

from .._parallel import run_tasks
from .._threads import blas_threads

#: Multiplier entries per chunk (draws x units), about 32 MB of float64.
CHUNK_ENTRIES = 4_000_000


def _side_sums(XI, blocks, tblocks):
    out = []
    for side in "+-":
        idx, EW = blocks[side]
        out.append(XI[:, idx] @ EW)
    nut = np.zeros(XI.shape[0])
    if tblocks is not None:
        for side, sign in (("+", 1.0), ("-", -1.0)):
            idx, ew = tblocks[side]
            nut += sign * (XI[:, idx] @ ew)
    out.append(nut)
    return out


def _seeded_chunk(seeds, n_used, blocks, tblocks):
    XI = np.stack([np.random.default_rng(sd).standard_normal(n_used) for sd in seeds])
    with blas_threads(1):
        return _side_sums(XI, blocks, tblocks)


def multiplier_draws(
    blocks, tblocks, n_used, n_draws, *, random_state, xi, n_jobs, progress=None
):
    """Bootstrap side sums ``(nu_plus, nu_minus, nu_treatment)``, one row per draw.

    Parameters
    ----------
    blocks, tblocks : dict
        ``{side: (unit positions, residual x weight)}`` for the outcome and
        (fuzzy) the treatment; positions index the ``n_used`` units that need
        a multiplier.
    n_used : int
        Units with a multiplier.
    n_draws : int
        Number of draws.
    random_state : int, RandomState, Generator or None
        Source of the per-draw seeds (ignored with ``xi``).
    xi : ndarray of shape (n_used, n_draws) or None
        Fixed multipliers (to reproduce another implementation's draws).
    n_jobs : int or None
        joblib workers (threads by default).

    Returns
    -------
    nu_plus, nu_minus : ndarray of shape (n_draws, n_q)
    nu_treatment : ndarray of shape (n_draws,)
    """
    chunk = max(1, min(n_draws, int(CHUNK_ENTRIES // max(n_used, 1))))
    if xi is not None:
        parts = [
            _side_sums(xi[:, s : s + chunk].T, blocks, tblocks)
            for s in range(0, n_draws, chunk)
        ]
    else:
        parts = run_tasks(
            _seeded_chunk,
            n_draws,
            random_state,
            n_used,
            blocks,
            tblocks,
            n_jobs=n_jobs,
            chunk_size=chunk,
            prefer="threads",
            progress=progress,
        )
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))
