"""Chunked evaluation and seeded resampling, in memory and on a Dask cluster."""

import numpy as np
import pytest

from statnorm._parallel import is_dask_array, map_row_blocks, run_tasks


def _row_norms(block):
    return np.sqrt((block * block).sum(axis=1))


def _two_cols(block):
    return np.column_stack([block.min(axis=1), block.max(axis=1)])


def _perm_stat(seed, x):
    rng = np.random.default_rng(seed)
    return float(rng.permutation(x)[: len(x) // 2].mean())


def test_map_row_blocks_numpy_matches_direct(rng):
    X = rng.standard_normal((1001, 7))
    direct = _row_norms(X)
    for block in (1, 10, 1000, 5000):
        np.testing.assert_array_equal(
            map_row_blocks(_row_norms, X, block_rows=block), direct
        )
    np.testing.assert_array_equal(
        map_row_blocks(_two_cols, X, n_outputs=2, block_rows=100), _two_cols(X)
    )
    with pytest.raises(ValueError, match="block_rows must be a positive int"):
        map_row_blocks(_row_norms, X, block_rows=0)


def test_run_tasks_does_not_depend_on_batching():
    x = np.arange(50.0)
    serial = run_tasks(_perm_stat, 40, 7, x)
    assert run_tasks(_perm_stat, 40, 7, x, n_batches=7) == serial
    assert run_tasks(_perm_stat, 40, 7, x, n_jobs=2) == serial
    assert run_tasks(_perm_stat, 40, 8, x) != serial
    assert run_tasks(_perm_stat, 0, 7, x) == []


def test_on_a_local_cluster(dask_client, rng):
    import dask.array as da
    import joblib

    X = rng.standard_normal((2000, 5))
    dX = da.from_array(X, chunks=(300, 2))  # several row and column chunks
    assert is_dask_array(dX) and not is_dask_array(X)
    out = map_row_blocks(_row_norms, dX)
    assert is_dask_array(out) and out.shape == (2000,)
    np.testing.assert_allclose(out.compute(), _row_norms(X), rtol=1e-12, atol=0)
    out2 = map_row_blocks(_two_cols, dX, n_outputs=2)
    np.testing.assert_array_equal(out2.compute(), _two_cols(X))

    x = np.arange(30.0)
    serial = run_tasks(_perm_stat, 24, 3, x)
    with joblib.parallel_backend("dask"):
        on_cluster = run_tasks(_perm_stat, 24, 3, x, n_jobs=-1)
    assert on_cluster == serial


def _chunk_sum(seeds, scale):
    return np.array(
        [np.random.default_rng(int(s)).normal() * scale for s in seeds]
    ).sum()


def test_run_tasks_chunked_mode_is_reproducible():
    """chunk_size: one result per chunk, the same for any n_jobs."""
    serial = run_tasks(_chunk_sum, 10, 4, 2.0, chunk_size=3)
    assert len(serial) == 4
    assert run_tasks(_chunk_sum, 10, 4, 2.0, chunk_size=3, n_jobs=2) == serial
    # the per-task seeds are those of the unchunked mode
    singles = run_tasks(lambda s, scale: _chunk_sum([s], scale), 10, 4, 2.0)
    assert np.isclose(sum(serial), sum(singles), rtol=1e-12)


def test_run_tasks_progress_reports_in_order_and_never_changes_results():
    import numpy as np

    from statnorm._parallel import run_tasks

    def draw(seed):
        return np.random.default_rng(seed).normal()

    def draws(seeds):
        return np.array([np.random.default_rng(int(s)).normal() for s in seeds])

    seen = []
    ref = run_tasks(draw, 50, 3)
    got = run_tasks(draw, 50, 3, progress=lambda d, t: seen.append((d, t)))
    assert got == ref
    assert seen[-1] == (50, 50) and [d for d, _ in seen] == sorted({d for d, _ in seen})
    seen.clear()
    ref = run_tasks(draws, 50, 3, chunk_size=16)
    got = run_tasks(
        draws, 50, 3, chunk_size=16, n_jobs=2, progress=lambda d, t: seen.append(d)
    )
    assert all(np.array_equal(a, b) for a, b in zip(got, ref, strict=True))
    assert seen == [16, 32, 48, 50]
