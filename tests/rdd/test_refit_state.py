"""statnorm.rdd: a refit that fails or is interrupted keeps the previous fit."""

import numpy as np
import pytest

import statnorm.rdd._bootstrap as rdd_bootstrap
from statnorm.rdd import DistributionalRDD

Q3 = np.array([0.25, 0.5, 0.75])


def _data(seed, n=150, m=25):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    S = rng.normal(1 + x + (x >= 0), 1.0, size=(m, n)).T
    return x, S


def _fitted_state(est):
    """Every fitted attribute, stored or read from result_."""
    names = [n for n in dir(type(est)) if n.endswith("_") and not n.startswith("_")]
    names += [n for n in vars(est) if n.endswith("_") or n.startswith("_")]
    return {n: getattr(est, n) for n in sorted(set(names)) if hasattr(est, n)}


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_interrupted_refit_leaves_the_previous_fit(monkeypatch, error):
    x, S = _data(6)
    est = DistributionalRDD(q_grid=Q3, n_bootstrap=30, random_state=0).fit(x, S)
    before_vars = dict(vars(est))
    before = _fitted_state(est)
    assert {"tau_", "result_", "band_lower_", "bootstrap_draws_"} <= set(before)

    def boom(*args, **kwargs):
        raise error("interrupted during the bootstrap")

    # the bootstrap runs last, after the effect is estimated
    monkeypatch.setattr(rdd_bootstrap, "run_tasks", boom)
    x2, S2 = _data(7)
    with pytest.raises(error):
        est.fit(x2, S2 + 5.0)
    assert vars(est).keys() == before_vars.keys()
    for name, value in before_vars.items():
        assert vars(est)[name] is value, name
    after = _fitted_state(est)
    assert after.keys() == before.keys()
    for name, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[name], value, err_msg=name)
        else:
            assert after[name] is value or after[name] == value, name
    # the estimator still works: the same refit without the failure
    monkeypatch.undo()
    est.fit(x2, S2 + 5.0)
    assert not np.array_equal(est.tau_, before["tau_"])
    assert est.result_.tau is est.tau_


def test_failed_refit_on_bad_input_leaves_the_previous_fit():
    x, S = _data(8)
    est = DistributionalRDD(q_grid=Q3, n_bootstrap=20, random_state=0).fit(x, S)
    before_vars = dict(vars(est))
    with pytest.raises(ValueError, match="xi must have one row per unit"):
        est.fit(x, S + 1.0, xi=np.ones((3, 4)))
    assert all(vars(est)[k] is v for k, v in before_vars.items())
    assert vars(est).keys() == before_vars.keys()
