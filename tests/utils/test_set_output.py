"""``set_output(transform="pandas")`` on every statnorm transformer.

The transformers are discovered (``all_estimators("transformer")``), so a new
one is covered without editing this file; its fit data are chosen by the
subpackage it lives in.
"""

import numpy as np
import pytest
from sklearn.base import clone

from statnorm.utils import all_estimators
from statnorm.utils._test_common import init_params

pd = pytest.importorskip("pandas")


def _data(cls):
    """``(X, y, column_names)`` a transformer of ``cls``'s subpackage fits."""
    rng = np.random.default_rng(0)
    module = cls.__module__.split(".")[1]
    if module == "calibration":
        X = rng.normal(size=(90, 3)) * 2
        y = np.array(["cat", "dog", "fox"])[(X + rng.gumbel(size=X.shape)).argmax(1)]
        return X, y, ["cat", "dog", "fox"]
    if module == "compositional":
        X = rng.lognormal(size=(40, 4))
        return X, None, ["Si", "Al", "Fe", "Mg"]
    if module == "mmd":
        X = np.vstack([rng.normal(size=(40, 3)), rng.normal(0.5, 1, size=(40, 3))])
        y = np.repeat([0, 1], 40)
        return X, y, ["a", "b", "c"]
    raise AssertionError(f"no fit data for {cls.__name__}: add them here")


TRANSFORMERS = [
    pytest.param(cls, id=name) for name, cls in all_estimators("transformer")
]


def test_every_transformer_is_covered():
    assert len(TRANSFORMERS) >= 10
    for p in TRANSFORMERS:
        cls = p.values[0]
        assert hasattr(cls, "get_feature_names_out"), cls.__name__


@pytest.mark.parametrize("cls", TRANSFORMERS)
@pytest.mark.parametrize("frame_input", [False, True])
def test_set_output_pandas_equals_the_array_output(cls, frame_input):
    X, y, names = _data(cls)
    if frame_input:
        X = pd.DataFrame(X, columns=names, index=np.arange(len(X)) + 100)
    est = cls(**init_params(cls))
    ref = clone(est).fit(X, y)
    Z = ref.transform(X)
    assert isinstance(Z, np.ndarray)
    out = clone(est).set_output(transform="pandas").fit(X, y)
    df = out.transform(X)
    assert isinstance(df, pd.DataFrame)
    cols = list(out.get_feature_names_out())
    assert list(df.columns) == cols and len(cols) == Z.shape[1]
    assert len(set(cols)) == len(cols)
    np.testing.assert_allclose(df.to_numpy(), Z, rtol=1e-12, atol=0)
    if frame_input:
        assert df.index.equals(X.index)
    # fit_transform follows set_output too, with the same values
    ft = clone(est).set_output(transform="pandas").fit_transform(X, y)
    assert isinstance(ft, pd.DataFrame) and list(ft.columns) == cols
    np.testing.assert_allclose(ft.to_numpy(), Z, rtol=1e-9, atol=1e-12)
    # and "default" goes back to arrays
    assert isinstance(out.set_output(transform="default").transform(X), np.ndarray)


def test_calibrator_output_names_and_ndarray_methods():
    """Calibrators: ``<classname>0..C-1`` in the order of ``classes_``; the
    probability methods stay ndarrays under ``set_output``."""
    from statnorm.calibration import HCalibrator, TemperatureScaling

    X, y, _ = _data(TemperatureScaling)
    for cls in (TemperatureScaling, HCalibrator):
        est = cls(**init_params(cls)).set_output(transform="pandas").fit(X, y)
        name = cls.__name__.lower()
        assert list(est.get_feature_names_out()) == [f"{name}{k}" for k in range(3)]
        assert isinstance(est.predict_log_proba(X), np.ndarray)
        assert isinstance(est.predict_proba(X), np.ndarray)
        assert isinstance(est.score(X, y), float)
        np.testing.assert_allclose(
            est.predict_log_proba(X), est.transform(X).to_numpy(), rtol=1e-12
        )


def test_set_output_in_a_pipeline_with_scikit_learn_steps():
    """As a scikit-learn transformer: the names flow through a Pipeline."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from statnorm.compositional import CLRTransformer

    X, _, names = _data(CLRTransformer)
    X = pd.DataFrame(X, columns=names)
    pipe = make_pipeline(CLRTransformer(), StandardScaler()).set_output(
        transform="pandas"
    )
    out = pipe.fit_transform(X)
    ref = make_pipeline(CLRTransformer(), StandardScaler()).fit_transform(X.to_numpy())
    assert list(out.columns) == names
    np.testing.assert_allclose(out.to_numpy(), ref, rtol=1e-12)
