"""statnorm.mmd: KernelLearner's validation split, checkpoint selection and stopping."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from statnorm.mmd import KernelLearner, MMDTest


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = np.vstack([rng.normal(size=(120, 6)), rng.normal(size=(120, 6))])
    X[120:, 0] *= 1.8
    return X, np.repeat([0, 1], 120)


def test_checkpoint_is_the_best_validation_epoch(data):
    X, y = data
    kw = dict(n_components=3, batch_size=40, validation_fraction=0.3, random_state=0)
    kl = KernelLearner(max_iter=15, learning_rate_init=0.05, **kw).fit(X, y)
    assert kl.validation_scores_.shape == (15,)
    assert kl.best_iteration_ == int(np.argmax(kl.validation_scores_)) + 1
    assert kl.n_iter_ == 15
    # the kept kernel is the one after best_iteration_ epochs of the same run
    again = KernelLearner(max_iter=kl.best_iteration_, learning_rate_init=0.05, **kw)
    again.fit(X, y)
    np.testing.assert_array_equal(kl.kernel_.weights["W"], again.kernel_.weights["W"])
    assert kl.kernel_.sigma == again.kernel_.sigma


def test_validation_interval(data):
    X, y = data
    kl = KernelLearner(
        n_components=2,
        batch_size=40,
        max_iter=7,
        validation_fraction=0.25,
        validation_interval=3,
        random_state=0,
    ).fit(X, y)
    assert kl.validation_scores_.shape == (3,)  # epochs 3, 6 and the last (7)
    assert kl.best_iteration_ in (3, 6, 7)


def test_no_validation_keeps_the_last_epoch(data):
    X, y = data
    kl = KernelLearner(
        n_components=2, max_iter=3, validation_fraction=0.0, random_state=0
    ).fit(X, y)
    assert kl.best_iteration_ == 3 and kl.validation_scores_.size == 0


def test_n_iter_no_change_stops_and_warns_at_the_limit(data):
    X, y = data
    kw = dict(n_components=2, batch_size=40, validation_fraction=0.3, random_state=0)
    kl = KernelLearner(
        max_iter=300,
        learning_rate_init=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        **kw,
    ).fit(X, y)
    assert kl.n_iter_ < 300
    assert kl.n_iter_ == kl.best_iteration_ + 3
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        KernelLearner(max_iter=2, early_stopping=True, n_iter_no_change=5, **kw).fit(
            X, y
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelLearner(max_iter=2, **kw).fit(X, y)  # no stopping rule: no warning


def test_validation_rows_count_as_training_rows(data):
    X, y = data
    kl = KernelLearner(
        n_components=2, max_iter=2, validation_fraction=0.5, random_state=0
    ).fit(X, y)
    assert kl.kernel_.seen_in_training(X).all()
    with pytest.raises(ValueError, match="used to train"):
        MMDTest(kl, n_permutations=9).test(X[:120], X[120:])


def test_validation_bad_input(data):
    X, y = data
    with pytest.raises(ValueError, match="optimizer='adam'"):
        KernelLearner(optimizer="lbfgs", early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 of each"):
        KernelLearner(validation_fraction=0.01).fit(X[::10], y[::10])
    with pytest.raises(ValueError, match="validation_fraction"):
        KernelLearner(validation_fraction=1.0).fit(X, y)


def test_lbfgs_checkpoint_is_the_best_validation_iteration(data):
    X, y = data
    kl = KernelLearner(
        optimizer="lbfgs", n_components=2, batch_size=40, max_iter=15, random_state=0
    ).fit(X, y)
    assert kl.validation_scores_.size == kl.loss_curve_.size
    assert kl.best_iteration_ == int(np.argmax(kl.validation_scores_)) + 1


def test_fit_with_two_samples_points_to_pooled_rows_and_labels():
    import numpy as np
    import pytest

    from statnorm.mmd import KernelLearner

    rng = np.random.default_rng(0)
    X_ref, X_test = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    with pytest.raises(ValueError, match=r"pooled rows .* population labels"):
        KernelLearner().fit(X_ref, X_test)


def test_the_old_names_still_work_with_a_future_warning(data):
    """Before 0.1: n_iter_no_change alone stopped early; best_epoch_,
    validation_history_ and objective_history_ named the histories."""
    X, y = data
    kw = dict(n_components=2, batch_size=40, validation_fraction=0.3, random_state=0)
    new = KernelLearner(
        max_iter=300, learning_rate_init=0.05, early_stopping=True, n_iter_no_change=3
    )
    new.set_params(**kw).fit(X, y)
    old = KernelLearner(max_iter=300, learning_rate_init=0.05, n_iter_no_change=3)
    old.set_params(**kw)
    with pytest.warns(FutureWarning, match="early_stopping=True"):
        old.fit(X, y)
    assert old.n_iter_ == new.n_iter_ < 300
    np.testing.assert_array_equal(old.kernel_.weights["W"], new.kernel_.weights["W"])
    with pytest.warns(FutureWarning, match="best_iteration_"):
        assert old.best_epoch_ == new.best_iteration_
    with pytest.warns(FutureWarning, match="validation_scores_"):
        np.testing.assert_array_equal(old.validation_history_, new.validation_scores_)
    with pytest.warns(FutureWarning, match="its negative"):
        np.testing.assert_array_equal(old.objective_history_, -new.loss_curve_)
    with pytest.raises(ValueError, match="optimizer='adam'"):
        KernelLearner(optimizer="lbfgs", n_iter_no_change=3).fit(X, y)
