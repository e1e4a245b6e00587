"""Class labels other than 0..C-1 on the plain calibrators (scikit-learn's
``classes_ = np.unique(y)``, logit column ``k`` is class ``classes_[k]``)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import LabelEncoder

from statnorm.calibration import (
    BetaCalibration,
    HCalibrator,
    HistogramBinning,
    IsotonicCalibrator,
    MatrixScaling,
    MatrixScalingCV,
    SigmoidCalibration,
    TemperatureScaling,
    VectorScaling,
)
from statnorm.utils._test_common import init_params

MULTICLASS = [
    TemperatureScaling,
    VectorScaling,
    MatrixScaling,
    MatrixScalingCV,
    IsotonicCalibrator,
    HistogramBinning,
    HCalibrator,
]
LABELS = {
    "str": np.array(["cat", "dog", "fox"]),
    "int": np.array([3, 7, 9]),
    "negative": np.array([-2, -1, 5]),
    "float": np.array([0.0, 10.0, 20.0]),
}


def _problem(seed=0, n=150, C=3):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, C)) * 2
    return Z, (Z + rng.gumbel(size=Z.shape)).argmax(1)


@pytest.mark.parametrize("cls", MULTICLASS)
@pytest.mark.parametrize("kind", sorted(LABELS))
def test_labels_are_classes_as_in_scikit_learn(cls, kind):
    Z, yi = _problem()
    names = LABELS[kind]
    y = names[yi]
    est = cls(**init_params(cls)).fit(Z, y)
    ref = cls(**init_params(cls)).fit(Z, yi)
    # classes_ as a scikit-learn classifier fitted on the same labels
    sk = LogisticRegression().fit(Z, y)
    np.testing.assert_array_equal(est.classes_, sk.classes_)
    assert est.classes_.dtype == sk.classes_.dtype
    # the fit is the one of the encoded labels (column k is classes_[k])
    np.testing.assert_allclose(est.predict_proba(Z), ref.predict_proba(Z), rtol=1e-12)
    np.testing.assert_array_equal(est.predict(Z), names[ref.predict(Z)])
    assert est.predict(Z).dtype == names.dtype
    assert est.score(Z, y) == pytest.approx(ref.score(Z, yi), rel=1e-12)
    bad = y.astype(object)
    bad[0] = "wolf" if kind == "str" else 11
    with pytest.raises(ValueError, match="y contains labels not seen in fit"):
        est.score(Z, bad)


@pytest.mark.parametrize("cls", [SigmoidCalibration, BetaCalibration])
def test_binary_scores_with_named_labels(cls):
    """A 1-D score is the logit of ``classes_[1]``, as scikit-learn's
    ``CalibratedClassifierCV`` reads a binary decision function."""
    rng = np.random.default_rng(1)
    s = rng.normal(size=200) * 2
    yi = (s + rng.logistic(size=200) > 0).astype(int)
    names = np.array(["neg", "pos"])
    est = cls().fit(s, names[yi])
    ref = cls().fit(s, yi)
    np.testing.assert_array_equal(est.classes_, ["neg", "pos"])
    np.testing.assert_allclose(est.predict_proba(s), ref.predict_proba(s), rtol=1e-12)
    np.testing.assert_array_equal(est.predict(s), names[ref.predict(s)])


def test_index_labels_keep_their_contract():
    """Integer labels in 0..C-1 still index the columns, absent classes too."""
    Z, yi = _problem()
    keep = yi != 1
    est = TemperatureScaling().fit(Z[keep], yi[keep])  # class 1 never seen
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(Z).shape == (len(Z), 3)
    # pandas labels (Series, categorical) are labels like any other
    pd = pytest.importorskip("pandas")
    names = np.array(["cat", "dog", "fox"])
    for y in (pd.Series(names[yi]), pd.Categorical(names[yi])):
        est = TemperatureScaling().fit(Z, y)
        np.testing.assert_array_equal(est.classes_, names)
    enc = LabelEncoder().fit(names[yi])
    np.testing.assert_array_equal(est.classes_, enc.classes_)


@pytest.mark.parametrize("cls", MULTICLASS)
def test_bad_labels_name_the_problem(cls):
    Z, yi = _problem()
    est = cls(**init_params(cls))
    with pytest.raises(ValueError, match="y holds 2 distinct labels but logits has 3"):
        est.fit(Z, np.where(yi == 0, "a", "b"))
    with pytest.raises(ValueError, match="y holds 4 distinct labels but logits has 3"):
        est.fit(Z, np.r_[["a", "b", "c", "d"], np.array(["a", "b", "c"])[yi[4:]]])
    mixed = np.array(["a", "b", "c"], dtype=object)[yi]
    mixed[0] = 1
    with pytest.raises(ValueError, match="Unknown label type: y has dtype object"):
        est.fit(Z, mixed)
    with pytest.raises(ValueError, match="only 1 class"):
        est.fit(Z, np.full(len(yi), "a"))
