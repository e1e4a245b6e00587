"""Chunked evaluation and seedable resampling that scale out to Dask.

Two building blocks, used by every method that has a scoring path or a
resampling loop:

:func:`map_row_blocks`
    Apply a row-wise computation to an array in row blocks. A NumPy input is
    processed block by block (bounded memory) and a NumPy array is returned; a
    ``dask.array.Array`` input is mapped lazily block by block and a Dask array
    is returned. The function receives plain NumPy blocks, so Numba kernels
    run unchanged on the workers; the estimator's fitted state (plain NumPy)
    travels with the pickled function.

:func:`run_tasks`
    Run ``n_tasks`` independent resampling tasks (permutations, bootstrap
    draws, CV folds) through :mod:`joblib`. Task ``i`` draws its randomness
    only from ``seeds[i]`` (:func:`statnorm._validation.spawn_seeds`), so the
    result is identical for the serial run, ``n_jobs=-1`` and a Dask cluster
    (``with joblib.parallel_backend("dask"):``).

Neither imports Dask unless a Dask array is passed in.
"""

import numpy as np

from ._validation import spawn_seeds

__all__ = [
    "check_dask_array",
    "finite_blocks",
    "is_dask_array",
    "map_row_blocks",
    "run_tasks",
]

DEFAULT_BLOCK_ROWS = 65536


def is_dask_array(X):
    """Return True if ``X`` is a ``dask.array.Array`` (without importing Dask).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._parallel import is_dask_array
    >>> is_dask_array(np.ones(3))
    False
    """
    cls = type(X)
    return cls.__name__ == "Array" and cls.__module__.startswith("dask.array")


def check_dask_array(X, *, n_features=None, estimator=None, name="X"):
    """Validate the shape of a 2-D Dask array eagerly (no computation).

    Row blocks are validated by the estimator when they are computed; what
    can only go silently wrong later is checked here, at graph-building
    time: the number of dimensions, unknown (NaN) chunk sizes, which arise
    from boolean indexing or ``dask.dataframe.to_dask_array()`` without
    ``lengths=True``, and the number of features.

    Parameters
    ----------
    X : dask.array.Array
        The array to check.
    n_features : int or None, default=None
        Expected number of columns (``n_features_in_`` of a fitted estimator).
    estimator : object or None, default=None
        Named in the error message.
    name : str, default="X"
        Name of the input in error messages.

    Returns
    -------
    X : dask.array.Array
        The same array.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, has unknown chunk sizes or the wrong number of
        columns.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array for {name}, got an array with {X.ndim} "
            f"dimension(s) (shape={X.shape})."
        )
    if any(np.isnan(c) for axis in X.chunks for c in axis):
        raise ValueError(
            f"{name} is a dask array with unknown chunk sizes (shape={X.shape}); "
            "the rows of each block must be known to return an array of the right "
            f"shape. Call {name}.compute_chunk_sizes() first, or build it with "
            "known lengths (e.g. dask.dataframe's to_dask_array(lengths=True))."
        )
    if n_features is not None and X.shape[1] != n_features:
        who = "the estimator" if estimator is None else type(estimator).__name__
        raise ValueError(
            f"{name} has {X.shape[1]} features, but {who} is expecting "
            f"{n_features} features as input."
        )
    return X


def _check_finite_block(block, name):
    block = np.asarray(block)
    if block.dtype.kind in "fc" and not np.isfinite(block).all():
        what = "NaN" if np.isnan(block).any() else "infinity"
        raise ValueError(
            f"Input {name} contains {what}; statnorm does not accept missing or "
            "infinite values (found in a block of the dask array, at compute time)."
        )
    return block


def finite_blocks(X, name="X"):
    """Return Dask array ``X`` with every block checked for NaN/inf when computed.

    The NumPy paths reject NaN and inf eagerly; a Dask array cannot be read
    before it is computed, so each block is checked as it is computed and a
    ``ValueError`` naming ``name`` is raised there, never a NaN result.

    Parameters
    ----------
    X : dask.array.Array
        The array.
    name : str, default="X"
        Name of the input in the error message.

    Returns
    -------
    X : dask.array.Array
        The same values, lazily validated.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from statnorm._parallel import finite_blocks
    >>> finite_blocks(da.from_array(np.array([1.0, np.nan]))).compute()
    Traceback (most recent call last):
    ...
    ValueError: Input X contains NaN; ...
    """
    return X.map_blocks(_check_finite_block, name, dtype=X.dtype, meta=X._meta)


def _apply(block, func):
    return func(block)


def map_row_blocks(func, X, *, n_outputs=None, dtype=np.float64, block_rows=None):
    """Apply ``func`` to row blocks of ``X``; NumPy in, NumPy out; Dask in, Dask out.

    Parameters
    ----------
    func : callable
        ``func(block) -> ndarray`` with ``len(block)`` rows; it must treat rows
        independently (the result for a row cannot depend on other rows).
    X : ndarray or dask.array.Array of shape (n_samples, n_features)
        Input. A Dask array is re-chunked to a single block along columns
        (chunks split along the feature axis are merged, never mapped
        separately); unknown (NaN) chunk sizes raise a ``ValueError``.
    n_outputs : int or None, default=None
        ``None`` if ``func`` returns shape ``(n,)``; else the number of output
        columns, for shape ``(n, n_outputs)``.
    dtype : dtype, default=np.float64
        Output dtype.
    block_rows : int or None, default=None
        Rows per block for NumPy input (default 65536). Ignored for Dask input,
        whose own row chunks are used.

    Returns
    -------
    out : ndarray or dask.array.Array
        Shape ``(n_samples,)`` or ``(n_samples, n_outputs)``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._parallel import map_row_blocks
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> map_row_blocks(lambda b: b.sum(axis=1), X, block_rows=2)
    array([ 1.,  5.,  9., 13., 17.])
    """
    if is_dask_array(X):
        check_dask_array(X)
        # Blocks split along the feature axis are merged (one rechunk step in
        # the graph): each row needs all of its features.
        import dask

        X = X.rechunk({1: -1})
        meta = np.empty((0,) if n_outputs is None else (0, n_outputs), dtype=dtype)
        # ``func`` (typically a bound method carrying the fitted state) is one
        # key of the graph, sent once to each worker, not pickled per block
        fkey = dask.delayed(func, pure=True, traverse=False)
        if n_outputs is None:
            return X.map_blocks(_apply, fkey, drop_axis=1, dtype=dtype, meta=meta)
        return X.map_blocks(
            _apply, fkey, chunks=(X.chunks[0], (n_outputs,)), dtype=dtype, meta=meta
        )
    block_rows = DEFAULT_BLOCK_ROWS if block_rows is None else int(block_rows)
    if block_rows < 1:
        raise ValueError(
            f"block_rows must be a positive int. Got {block_rows} instead."
        )
    n = len(X)
    if n <= block_rows:
        return np.asarray(func(X), dtype=dtype)
    return np.concatenate(
        [
            np.asarray(func(X[i : i + block_rows]), dtype=dtype)
            for i in range(0, n, block_rows)
        ]
    )


def _run_batch(func, seeds, args, kwargs):
    return [func(int(s), *args, **kwargs) for s in seeds]


def _run_chunks(func, chunks, args, kwargs):
    return [func(c, *args, **kwargs) for c in chunks]


def run_tasks(
    func,
    n_tasks,
    random_state,
    *args,
    n_jobs=None,
    n_batches=None,
    chunk_size=None,
    prefer=None,
    progress=None,
    **kwargs,
):
    """Run seeded independent tasks through joblib, reproducibly.

    Parameters
    ----------
    func : callable
        ``func(seed, *args, **kwargs) -> result`` for one task; ``seed`` is an
        int to pass to ``np.random.default_rng``.
    n_tasks : int
        Number of tasks.
    random_state : int, RandomState instance or None
        Source of the per-task seeds.
    *args, **kwargs
        Passed to every call of ``func`` (shipped once per batch).
    n_jobs : int or None, default=None
        joblib workers; the active joblib backend decides where they run
        (processes by default, a Dask cluster under
        ``joblib.parallel_backend("dask")``).
    n_batches : int or None, default=None
        Number of batches the tasks are grouped into (default: enough for
        every worker, at most ``n_tasks``). Results do not depend on it.
    chunk_size : int or None, default=None
        Vectorised mode: ``func`` receives an array of up to ``chunk_size``
        consecutive task seeds (task ``i`` still owns ``seeds[i]``) and
        returns one result for the whole chunk, e.g. a matrix product over a
        block of bootstrap draws. The chunks depend on ``n_tasks`` and
        ``chunk_size`` only, never on ``n_jobs``.
    prefer : {"processes", "threads"} or None, default=None
        joblib's hint for the default backend.
    progress : callable or None, default=None
        ``progress(done, n_tasks)`` is called in the calling process after
        each chunk (or batch) of tasks has finished, in task order, e.g.
        :func:`statnorm._optim.loop_progress`. It never changes the results.

    Returns
    -------
    results : list
        ``results[i] = func(seeds[i], ...)``, in task order; with
        ``chunk_size``, one result per chunk, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm._parallel import run_tasks
    >>> draw = lambda seed: np.random.default_rng(seed).normal()
    >>> run_tasks(draw, 4, 0) == run_tasks(draw, 4, 0, n_batches=3)
    True
    """
    from joblib import Parallel, delayed, effective_n_jobs

    seeds = spawn_seeds(random_state, n_tasks)
    if n_tasks == 0:
        return []
    if chunk_size is not None:
        groups = [seeds[i : i + chunk_size] for i in range(0, n_tasks, chunk_size)]
        run, parallel = _run_chunks, not (n_jobs in (None, 1) or len(groups) == 1)
        groups = [[c] for c in groups]
    else:
        run = _run_batch
        parallel = not (n_jobs in (None, 1) and n_batches is None)
        if parallel:
            if n_batches is None:
                n_batches = min(n_tasks, 4 * max(effective_n_jobs(n_jobs), 1))
            groups = np.array_split(seeds, min(int(n_batches), n_tasks))
        else:
            groups = (
                [seeds] if progress is None else np.array_split(seeds, min(n_tasks, 20))
            )
    if parallel:
        parts = Parallel(n_jobs=n_jobs, prefer=prefer, return_as="generator")(
            delayed(run)(func, g, args, kwargs) for g in groups if len(g)
        )
    else:
        parts = (run(func, g, args, kwargs) for g in groups if len(g))
    results, done = [], 0
    for g, part in zip([g for g in groups if len(g)], parts, strict=True):
        results.extend(part)
        done += sum(len(c) for c in g) if chunk_size is not None else len(g)
        if progress is not None:
            progress(done, n_tasks)
    return results
