"""Disjoint train / validation / test rows per population."""

import numpy as np

from .._validation import check_random_state


def split_populations(y, *, train_size=0.5, validation_size=0.0, random_state=None):
    """Split row indices into disjoint train, validation and test sets.

    Each population (each label of ``y``) is shuffled and cut on its own, so
    every set holds the same shares of every population. Learn a kernel on the
    training rows (checkpoints on the validation rows) and test on the test
    rows only: :class:`MMDTest` refuses a learned kernel on samples that hold
    more than ``max(1, ceil(0.2 n))`` of its training rows.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Population label of each row (e.g. 0 = human, 1, 2, ... = machines).
    train_size : float, default=0.5
        Share of each population used for training, in (0, 1).
    validation_size : float, default=0.0
        Share of each population held out for validation, in [0, 1);
        ``train_size + validation_size`` must be below 1.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the shuffles.

    Returns
    -------
    train, validation, test : ndarray of int
        Disjoint row indices, sorted; together every row once.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import split_populations
    >>> y = np.repeat([0, 1], [10, 6])
    >>> tr, va, te = split_populations(y, train_size=0.5, validation_size=0.2,
    ...                                random_state=0)
    >>> [np.bincount(y[s], minlength=2).tolist() for s in (tr, va, te)]
    [[5, 3], [2, 1], [3, 2]]
    """
    y = np.asarray(y)
    if y.dtype.kind == "c":
        raise TypeError("y must hold population labels (ints or strings); got complex.")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y holds NaN or infinite labels.")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"y must be a non-empty 1-D array of labels; got shape {y.shape}."
        )
    for name, v, lo_ok in (
        ("train_size", train_size, False),
        ("validation_size", validation_size, True),
    ):
        if isinstance(v, bool) or not isinstance(v, int | float | np.floating):
            raise TypeError(f"{name} must be a float; got {v!r}.")
        if not (np.isfinite(v) and (0 <= v < 1 if lo_ok else 0 < v < 1)):
            raise ValueError(
                f"{name} must be in {'[0, 1)' if lo_ok else '(0, 1)'}; got {v!r}."
            )
    if train_size + validation_size >= 1:
        raise ValueError(
            f"train_size + validation_size must be below 1 to leave test rows; got "
            f"{train_size} + {validation_size}."
        )
    rng = check_random_state(random_state)
    parts = ([], [], [])
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        idx = idx[rng.permutation(idx.size)]
        n_tr = round(train_size * idx.size)
        n_va = round(validation_size * idx.size)
        if n_tr < 1 or idx.size - n_tr - n_va < 1:
            raise ValueError(
                f"population {label!r} has {idx.size} row(s): too few for a "
                "training and a test part at these sizes."
            )
        parts[0].append(idx[:n_tr])
        parts[1].append(idx[n_tr : n_tr + n_va])
        parts[2].append(idx[n_tr + n_va :])
    return tuple(np.sort(np.concatenate(p)).astype(np.intp) for p in parts)
