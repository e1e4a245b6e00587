"""statnorm.rdd input: one 1-D array per unit, pandas frames read as arrays."""

import numpy as np
import pandas as pd
import pytest

from statnorm.rdd import DistributionalRDD, quantile_matrix

Q3 = np.array([0.25, 0.5, 0.75])


def _data(seed, n=150, m=25):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    S = rng.normal(1 + x + (x >= 0), 1.0, size=(m, n)).T
    W = rng.uniform(0.5, 2.0, size=S.shape)
    return x, S, W


# ------------------------------------------------------------ one unit, 2-D
@pytest.mark.parametrize("i", [0, 7, -1])
def test_a_unit_given_as_a_2d_array_is_refused(i):
    x, S, _ = _data(0)
    samples = list(S)
    samples[i] = np.c_[S[i], S[i] + 100]
    k = i % len(samples)
    est = DistributionalRDD(q_grid=Q3, n_bootstrap=0)
    with pytest.raises(ValueError, match=rf"samples\[{k}\] must be 1-D"):
        est.fit(x, samples)
    with pytest.raises(ValueError, match=rf"samples\[{k}\] must be 1-D"):
        quantile_matrix(samples, Q3)


def test_a_weight_vector_given_as_a_2d_array_is_refused():
    x, S, W = _data(1)
    weights = list(W)
    weights[3] = W[3].reshape(5, 5)  # as many entries as draws, wrong shape
    with pytest.raises(ValueError, match=r"weights\[3\] must be 1-D"):
        DistributionalRDD(q_grid=Q3, n_bootstrap=0).fit(x, S, weights=weights)


def test_one_dimensional_units_of_any_length_still_work():
    x, S, _ = _data(2)
    ragged = [S[i, : 5 + i % 9] for i in range(len(x))]
    est = DistributionalRDD(q_grid=Q3, n_bootstrap=0).fit(x, ragged)
    assert np.all(np.isfinite(est.tau_))


# --------------------------------------------------------------- pandas input
def test_dataframe_samples_and_weights_equal_the_numpy_route():
    x, S, W = _data(3)
    kw = {"q_grid": Q3, "n_bootstrap": 50, "random_state": 0}
    frame = pd.DataFrame(S, columns=[f"draw{j}" for j in range(S.shape[1])])
    a = DistributionalRDD(**kw).fit(x, S, weights=W)
    b = DistributionalRDD(**kw).fit(
        pd.Series(x), frame, weights=pd.DataFrame(W, index=frame.index)
    )
    for name in ("tau_", "band_lower_", "std_error_", "bootstrap_draws_"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
    c = DistributionalRDD(**kw).fit(x, frame)
    np.testing.assert_array_equal(c.tau_, DistributionalRDD(**kw).fit(x, S).tau_)
    np.testing.assert_array_equal(
        quantile_matrix(frame, Q3, pd.DataFrame(W)), quantile_matrix(S, Q3, W)
    )
    # weights did matter: the test above compares two weighted fits
    assert not np.array_equal(a.tau_, c.tau_)


def test_dataframe_with_a_label_column_points_to_long_format():
    x, S, _ = _data(4)
    long = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], 2), "value": np.ones(6)})
    with pytest.raises(TypeError, match="long_to_samples"):
        DistributionalRDD(q_grid=Q3).fit(x[:3], long)
    # numeric unit ids cannot be told from draws: the row count gives it away
    long["unit"] = np.repeat([1.0, 2.0, 3.0], 2)
    with pytest.raises(ValueError, match="long_to_samples"):
        DistributionalRDD(q_grid=Q3).fit(x[:3], long)
    frame = pd.DataFrame(S).assign(firm="a")
    with pytest.raises(TypeError, match="column 'firm'"):
        quantile_matrix(frame, Q3)


def test_dataframe_with_missing_draws_is_refused():
    x, S, _ = _data(5)
    frame = pd.DataFrame(S)
    frame.iloc[2, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DistributionalRDD(q_grid=Q3).fit(x, frame)
