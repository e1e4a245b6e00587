"""h-calibration is bit-identical across n_jobs and backends, and a function
of the multiset of rows (the folds come from a canonical order of the rows)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning

from statnorm.calibration import HCalibrator, hcalibration_loss


def _logits(n, C, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    Z = rng.normal(size=(n, C))
    Z[np.arange(n), y] += 2
    return 3 * Z, y


@pytest.mark.parametrize("C", [2, 3, 10, 37])
def test_loss_and_gradient_bit_identical_over_n_jobs(C):
    Z, y = _logits(1500, C, C)
    P = softmax(Z, axis=1)
    ref, gref = hcalibration_loss(y, P, n_jobs=1, return_gradient=True)
    for n_jobs in (2, -1):
        val, g = hcalibration_loss(y, P, n_jobs=n_jobs, return_gradient=True)
        assert val == ref
        np.testing.assert_array_equal(g, gref)


def _fit(Z, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return HCalibrator(random_state=0, **kw).fit(Z, y)


AUTO = {"map": "auto", "cv": 3, "max_iter": 60}


def test_auto_cv_fit_bit_identical_over_n_jobs():
    # 20 classes: the leave-one-class-out passes are sub-sampled per step
    # (random draws), and run in several blocks of classes
    Z, y = _logits(600, 20, 1)
    Q = _logits(40, 20, 2)[0]
    ref = _fit(Z, y, n_jobs=1, **AUTO)
    other = _fit(Z, y, n_jobs=2, **AUTO)
    np.testing.assert_array_equal(other.predict_proba(Q), ref.predict_proba(Q))
    assert other.cv_results_["best_scores"] == ref.cv_results_["best_scores"]


def test_auto_cv_fit_bit_identical_under_dask():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")
    Z, y = _logits(400, 5, 3)
    ref = _fit(Z, y, n_jobs=1, **AUTO).predict_proba(Z[:30])
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2):
        with joblib.parallel_backend("dask"):
            got = _fit(Z, y, n_jobs=2, **AUTO).predict_proba(Z[:30])
    np.testing.assert_array_equal(got, ref)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(seed=st.integers(0, 2**16), C=st.sampled_from([2, 4]))
def test_default_fit_invariant_to_row_order(seed, C):
    Z, y = _logits(240, C, seed)
    Z = np.round(Z, 1)  # coarse grid: many tied scores across rows
    perm = np.random.default_rng(seed + 1).permutation(len(y))
    a = _fit(Z, y, max_iter=40)
    b = _fit(Z[perm], y[perm], max_iter=40)
    Q = _logits(30, C, seed + 2)[0]
    np.testing.assert_allclose(b.predict_proba(Q), a.predict_proba(Q), rtol=0, atol=1e-10)


def test_row_order_with_weights_and_auto_map():
    Z, y = _logits(300, 3, 7)
    w = np.random.default_rng(0).integers(0, 3, len(y))
    perm = np.random.default_rng(1).permutation(len(y))
    a = HCalibrator(random_state=0, **AUTO)
    b = HCalibrator(random_state=0, **AUTO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(Z, y, sample_weight=w)
        b.fit(Z[perm], y[perm], sample_weight=w[perm])
    np.testing.assert_allclose(b.predict_proba(Z), a.predict_proba(Z), rtol=0, atol=1e-10)
