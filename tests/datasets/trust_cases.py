"""Trust-battery cases for statnorm.datasets (see tests/test_trust.py)."""

import numpy as np

from statnorm import datasets as d
from statnorm.utils._trust import Case

_BOOL = ["yes", 1, None]
_M = "statnorm.datasets"

CASES = {
    f"{_M}.list_datasets": Case(lambda: d.list_datasets(), {}),
    f"{_M}.load_cifar10_logits": Case(
        lambda split, as_frame, return_X_y: d.load_cifar10_logits(
            split, as_frame=as_frame, return_X_y=return_X_y
        ),
        {},
        params={"split": "validation", "as_frame": False, "return_X_y": True},
        bad_params={"split": ["train", 1], "as_frame": _BOOL, "return_X_y": _BOOL},
    ),
    f"{_M}.load_concrete": Case(
        lambda as_frame, return_X_y: d.load_concrete(
            as_frame=as_frame, return_X_y=return_X_y
        ),
        {},
        params={"as_frame": False, "return_X_y": True},
        bad_params={"as_frame": _BOOL, "return_X_y": _BOOL},
    ),
    f"{_M}.load_diamonds": Case(
        lambda as_frame, return_X_y: d.load_diamonds(
            as_frame=as_frame, return_X_y=return_X_y
        ),
        {},
        params={"as_frame": False, "return_X_y": True},
        bad_params={"as_frame": _BOOL, "return_X_y": _BOOL},
    ),
    f"{_M}.load_roman_cups": Case(
        lambda as_frame, return_X_y: d.load_roman_cups(
            as_frame=as_frame, return_X_y=return_X_y
        ),
        {},
        params={"as_frame": False, "return_X_y": True},
        bad_params={"as_frame": _BOOL, "return_X_y": _BOOL},
    ),
    f"{_M}.load_mgt_embeddings": Case(
        lambda corpus, machine, dtype, as_frame: d.load_mgt_embeddings(
            corpus, machine=machine, dtype=dtype, as_frame=as_frame
        ),
        {},
        params={
            "corpus": "squad1",
            "machine": "chatgpt",
            "dtype": np.float64,
            "as_frame": False,
        },
        bad_params={
            "corpus": ["nope", 3],
            "machine": ["nope"],
            "dtype": [np.int8, np.int64, "a", np.complex128],
            "as_frame": _BOOL,
        },
    ),
    f"{_M}.load_mgt_texts": Case(
        lambda corpus, machine, as_frame: d.load_mgt_texts(
            corpus, machine=machine, as_frame=as_frame
        ),
        {},
        params={"corpus": "squad1", "machine": "chatgpt", "as_frame": False},
        bad_params={"corpus": ["nope", 3], "machine": ["nope"], "as_frame": _BOOL},
    ),
}
