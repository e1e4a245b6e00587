"""Real data sets bundled with statnorm (no network access, ever).

Each loader returns a :class:`sklearn.utils.Bunch` with numpy arrays (pandas
objects and a ``frame`` with ``as_frame=True``, as scikit-learn's loaders) and
a ``DESCR`` text giving the source and licence; the same facts are in the
``NOTICE`` file at the root of the distribution.

=============================  ======================================  ==========
loader                         data                                    used by
=============================  ======================================  ==========
:func:`load_cifar10_logits`    DenseNet-40 logits on CIFAR-10          calibration
:func:`load_roman_cups`        11-part compositions of 47 glass cups   compositional
:func:`load_mgt_embeddings`    MiniLM embeddings, human vs ChatGPT     depth, mmd
:func:`load_mgt_texts`         the texts behind those embeddings       depth, mmd
:func:`load_diamonds`          53,940 diamonds, price regression       quantile
:func:`load_concrete`          1,030 concrete mixtures, strength       quantile
=============================  ======================================  ==========

Examples
--------
>>> from statnorm.datasets import list_datasets
>>> [d["name"] for d in list_datasets()][:2]
['cifar10_logits', 'roman_cups']
"""

from ._base import (
    list_datasets,
    load_cifar10_logits,
    load_concrete,
    load_diamonds,
    load_mgt_embeddings,
    load_mgt_texts,
    load_roman_cups,
)

__all__ = [
    "list_datasets",
    "load_cifar10_logits",
    "load_concrete",
    "load_diamonds",
    "load_mgt_embeddings",
    "load_mgt_texts",
    "load_roman_cups",
]
