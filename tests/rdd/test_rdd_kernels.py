"""The one-pass stage-2 statistics of the bandwidth rule equal the full fit's."""

import numpy as np
import pytest

from statnorm.rdd._locpoly import _local_poly_resid_var, local_poly


@pytest.mark.parametrize("kernel", ["triangular", "epanechnikov", "uniform"])
@pytest.mark.parametrize("side", ["+", "-"])
def test_resid_var_pass_equals_dense_fit(kernel, side):
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, 400)
    Y = np.sort(rng.normal(size=(400, 7)), axis=1) + x[:, None]
    h = np.linspace(0.3, 0.9, 7)
    fit = local_poly(x, Y, h, side, 2, kernel)
    pos = fit.weights > 0
    r = Y[fit.idx] - fit.fitted()
    num = np.where(pos, fit.weights * r * r, 0.0).sum(axis=0)
    den = np.where(pos, fit.weights, 0.0).sum(axis=0)
    alpha, num1, den1 = _local_poly_resid_var(x, Y, h, side, 2, kernel)
    np.testing.assert_array_equal(alpha, fit.alpha)
    np.testing.assert_allclose(num1, num, rtol=1e-12, atol=0)
    np.testing.assert_allclose(den1, den, rtol=1e-12, atol=0)


def test_resid_var_pass_raises_like_local_poly():
    x = np.array([-0.5, 0.1, 0.2, 0.9])
    Y = np.ones((4, 1))
    with pytest.raises(ValueError, match="Too few units within the bandwidth above"):
        _local_poly_resid_var(x, Y, 0.25, "+", 2, "triangular")
    with pytest.raises(ValueError, match="Too few units within the bandwidth above"):
        local_poly(x, Y, 0.25, "+", 2, "triangular")


def test_spd_inverse_matches_numpy_and_flags_non_definite():
    from statnorm.rdd._kernels import spd_inverse

    g = np.random.default_rng(7)
    for k in (1, 2, 3, 5):
        A = g.normal(size=(k + 3, k))
        G = A.T @ A
        inv, ok = spd_inverse(G)
        assert ok
        np.testing.assert_allclose(inv, np.linalg.inv(G), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(inv, spd_inverse.py_func(G)[0], rtol=1e-12)
    assert not spd_inverse(np.array([[1.0, 2.0], [2.0, 1.0]]))[1]
    assert not spd_inverse(np.zeros((2, 2)))[1]
