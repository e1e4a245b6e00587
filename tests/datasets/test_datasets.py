"""Shapes, dtypes and known figures of the bundled data sets."""

from pathlib import Path

import numpy as np
import pytest

from statnorm import datasets


@pytest.mark.parametrize(("split", "n"), [("validation", 5000), ("test", 10000)])
def test_cifar10_logits(split, n):
    b = datasets.load_cifar10_logits(split)
    assert b.data.shape == (n, 10) and b.data.dtype == np.float32
    assert b.target.shape == (n,) and set(np.unique(b.target)) == set(range(10))
    assert len(b.target_names) == 10
    assert "Licence" in b.DESCR


def test_cifar10_known_figures():
    logits, y = datasets.load_cifar10_logits("test", return_X_y=True)
    assert (logits.argmax(1) == y).mean() == pytest.approx(0.9242, abs=5e-5)
    z = logits.astype(np.float64)
    z -= z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    nll = -logp[np.arange(len(y)), y].mean()
    assert nll == pytest.approx(0.4301, abs=5e-4)


def test_roman_cups_and_known_partial_correlations():
    b = datasets.load_roman_cups()
    assert b.data.shape == (47, 11)
    assert b.feature_names == [
        "Si",
        "Al",
        "Fe",
        "Mg",
        "Ca",
        "Na",
        "K",
        "Ti",
        "P",
        "Mn",
        "Sb",
    ]
    assert (b.data > 0).all()
    assert np.allclose(b.data.sum(1), 100, atol=0.2)
    # partial correlations from the pseudo-inverse of the clr covariance (Erb 2020)
    L = np.log(b.data)
    clr = L - L.mean(1, keepdims=True)
    P = np.linalg.pinv(np.cov(clr, rowvar=False))
    d = np.sqrt(np.diag(P))
    pcor = -P / np.outer(d, d)
    i = {n: k for k, n in enumerate(b.feature_names)}
    assert pcor[i["Al"], i["Fe"]] == pytest.approx(0.7267, abs=5e-5)
    assert pcor[i["Si"], i["Fe"]] == pytest.approx(-0.6631, abs=5e-5)


@pytest.mark.parametrize(
    ("corpus", "machine", "n"),
    [
        ("truthfulqa", "chatgpt", 817),
        ("truthfulqa", "chatgpt_prompt1", 817),
        ("truthfulqa", "chatgpt_prompt2", 817),
        ("squad1", "chatgpt", 1000),
    ],
)
def test_mgt_embeddings_and_texts(corpus, machine, n):
    e = datasets.load_mgt_embeddings(corpus, machine=machine)
    assert e.human.shape == e.machine.shape == (n, 384)
    assert e.human.dtype == np.float32
    assert np.allclose(np.linalg.norm(e.machine, axis=1), 1, atol=2e-3)
    assert np.array_equal(e.qid, np.arange(n))
    t = datasets.load_mgt_texts(corpus, machine=machine)
    assert t.human.shape == t.machine.shape == t.question.shape == (n,)
    assert np.array_equal(t.qid, np.arange(n))
    assert all(isinstance(s, str) and s for s in t.human)


def test_mgt_paired_rows_are_closer_than_mismatched():
    e = datasets.load_mgt_embeddings("truthfulqa")
    paired = np.einsum("ij,ij->i", e.human, e.machine).mean()
    mismatched = np.einsum("ij,ij->i", e.human, np.roll(e.machine, 1, axis=0)).mean()
    assert paired == pytest.approx(0.64, abs=0.01)
    assert mismatched < 0.25


def test_mgt_bad_variant():
    with pytest.raises(ValueError, match="machine must be one of"):
        datasets.load_mgt_embeddings("squad1", machine="chatgpt_prompt1")
    with pytest.raises(ValueError, match=r"corpus. parameter of load_mgt_texts"):
        datasets.load_mgt_texts("hc3")


def test_diamonds():
    b = datasets.load_diamonds()
    assert b.data.shape == (53940, 9) and b.target.shape == (53940,)
    assert b.feature_names == [
        "carat",
        "cut",
        "color",
        "clarity",
        "depth",
        "table",
        "x",
        "y",
        "z",
    ]
    assert b.target.min() == 326 and b.target.max() == 18823
    assert set(np.unique(b.data[:, 1])) == set(range(5))
    assert set(np.unique(b.data[:, 3])) == set(range(8))
    assert (b.data[:, 6] == 0).sum() == 8  # a documented quirk of the original


def test_concrete():
    X, y = datasets.load_concrete(return_X_y=True)
    assert X.shape == (1030, 8) and y.shape == (1030,)
    assert datasets.load_concrete().feature_names[-1] == "age"


def test_as_frame():
    pd = pytest.importorskip("pandas")
    df = datasets.load_roman_cups(as_frame=True).data
    assert isinstance(df, pd.DataFrame) and df.shape == (47, 11)


def test_every_data_file_is_listed_with_source_and_licence():
    shipped = {p.name for p in (Path(datasets.__file__).parent / "data").iterdir()}
    listed = {f for d in datasets.list_datasets() for f in d["files"]}
    assert shipped == listed
    notice = Path(datasets.__file__).parents[2] / "NOTICE"
    if notice.exists():  # source checkout
        text = notice.read_text()
        for f in listed:
            assert f.split(".")[0].split("_chatgpt")[0] in text, f
    for d in datasets.list_datasets():
        assert d["source"] and d["licence"]


def test_loaders_return_fresh_arrays():
    a = datasets.load_roman_cups(return_X_y=True)
    a[0, 0] = -1
    assert datasets.load_roman_cups(return_X_y=True)[0, 0] > 0


_FRAME_LOADERS = {
    "cifar10_logits": lambda **kw: datasets.load_cifar10_logits("validation", **kw),
    "diamonds": datasets.load_diamonds,
    "concrete": datasets.load_concrete,
}


@pytest.mark.parametrize("name", sorted(_FRAME_LOADERS))
def test_as_frame_mirrors_load_iris(name):
    """data/target/frame have the types and layout of load_iris(as_frame=True)."""
    pd = pytest.importorskip("pandas")
    from sklearn.datasets import load_iris

    load = _FRAME_LOADERS[name]
    ref = load_iris(as_frame=True)
    b = load(as_frame=True)
    plain = load()
    assert plain.frame is None and load_iris().frame is None
    for key in ("data", "target", "frame"):
        assert type(b[key]) is type(ref[key]), key
    # frame: the feature columns, then the target column(s), on a RangeIndex
    n_feat = len(b.feature_names)
    assert list(b.frame.columns[:n_feat]) == list(b.feature_names)
    assert list(ref.frame.columns[:-1]) == list(ref.feature_names)
    assert list(b.data.columns) == list(b.feature_names)
    assert b.target.name == b.frame.columns[-1]
    assert ref.target.name == ref.frame.columns[-1]
    assert isinstance(b.frame.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(b.data, b.frame[b.feature_names])
    pd.testing.assert_series_equal(b.target, b.frame[b.target.name])
    np.testing.assert_array_equal(b.data.to_numpy(), plain.data)
    np.testing.assert_array_equal(b.target.to_numpy(), plain.target)
    assert b.data.dtypes.iloc[0] == plain.data.dtype
    assert b.target.dtype == plain.target.dtype
    # return_X_y with as_frame: (DataFrame, Series), as scikit-learn
    X, y = load(as_frame=True, return_X_y=True)
    Xr, yr = load_iris(as_frame=True, return_X_y=True)
    assert (type(X), type(y)) == (type(Xr), type(yr))
    pd.testing.assert_frame_equal(X, b.data)


def test_as_frame_without_target_and_paired_corpora():
    pd = pytest.importorskip("pandas")
    cups = datasets.load_roman_cups(as_frame=True)
    assert cups.frame is cups.data and list(cups.frame.columns) == cups.feature_names
    X = datasets.load_roman_cups(as_frame=True, return_X_y=True)
    pd.testing.assert_frame_equal(X, cups.data)
    assert datasets.load_roman_cups().frame is None
    e = datasets.load_mgt_embeddings("squad1", as_frame=True)
    e0 = datasets.load_mgt_embeddings("squad1")
    assert isinstance(e.human, pd.DataFrame) and isinstance(e.qid, pd.Series)
    np.testing.assert_array_equal(e.machine.to_numpy(), e0.machine)
    assert e.frame.shape == (2000, 384 + 2)
    assert list(e.frame.columns[-2:]) == ["qid", "source"]
    assert e.frame["source"].value_counts().to_dict() == {
        "human": 1000,
        "machine": 1000,
    }
    np.testing.assert_array_equal(
        e.frame.loc[e.frame["source"] == "human", e.feature_names].to_numpy(), e0.human
    )
    np.testing.assert_array_equal(e.frame["qid"].to_numpy()[1000:], e0.qid)
    t = datasets.load_mgt_texts("squad1", as_frame=True)
    t0 = datasets.load_mgt_texts("squad1")
    assert isinstance(t.frame, pd.DataFrame) and isinstance(t.human, pd.Series)
    assert list(t.frame["machine"]) == list(t0.machine)
    assert t0.frame is None
