"""Disjoint train / validation / test indices per population."""

from numbers import Real
from typing import NamedTuple

import numpy as np

from .._validation import (
    RANDOM_STATE,
    Interval,
    check_classification_targets,
    check_random_state,
    validate_params,
)

__all__ = ["PopulationSplit", "split_populations"]


class PopulationSplit(NamedTuple):
    """Disjoint row indices returned by :func:`split_populations`.

    Attributes
    ----------
    train : ndarray of int
        Rows to fit a :class:`KernelLearner` on.
    validation : ndarray of int
        Rows for the learner's checkpoint selection (empty when
        ``validation_size=0``); they count as training rows for the held-out
        check of :class:`MMDTest`.
    test : ndarray of int
        Rows the kernel never saw: test on these only.
    """

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


@validate_params(
    {
        "y": ["array-like"],
        "train_size": [Interval(Real, 0, 1, closed="neither")],
        "validation_size": [Interval(Real, 0, 1, closed="left")],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def split_populations(y, *, train_size=0.5, validation_size=0.0, random_state=None):
    """Split the rows of every population into disjoint train/validation/test parts.

    A learned kernel is only valid on rows it never saw (Liu et al. 2020;
    Zhang et al. 2024 train on one split and test on another). This helper
    shuffles the rows of each label of ``y`` separately and cuts them into
    three disjoint parts of the requested proportions, so every population
    (the human reference and each machine) is represented in each part.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Population label of each row.
    train_size : float in (0, 1), default=0.5
        Fraction of each population's rows in the training part (rounded
        down, at least one row).
    validation_size : float in [0, 1), default=0.0
        Fraction of each population's rows in the validation part (rounded
        down). ``train_size + validation_size`` must be below 1 so that
        every population keeps test rows.
    random_state : int, RandomState instance or None, default=None
        Shuffling of the rows.

    Returns
    -------
    split : PopulationSplit
        ``train, validation, test = split``: sorted, disjoint integer index
        arrays whose union is ``range(n_samples)``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import split_populations
    >>> y = np.repeat(["human", "gpt"], [10, 6])
    >>> train, val, test = split_populations(
    ...     y, train_size=0.5, validation_size=0.2, random_state=0
    ... )
    >>> len(train), len(val), len(test)
    (8, 3, 5)
    >>> np.intersect1d(train, test).size
    0
    """
    if train_size + validation_size >= 1:
        raise ValueError(
            "train_size + validation_size must be below 1 (every population "
            f"needs test rows). Got {train_size} + {validation_size}."
        )
    classes, codes = check_classification_targets(y, min_classes=1)
    rng = check_random_state(random_state)
    parts = ([], [], [])
    for c in np.unique(codes):
        rows = rng.permutation(np.flatnonzero(codes == c))
        n = rows.size
        n_train = max(1, int(np.floor(train_size * n)))
        n_val = int(np.floor(validation_size * n))
        if n_train + n_val >= n:
            raise ValueError(
                f"population {classes[c]!r} has {n} rows: too few for a train part of "
                f"{n_train}, a validation part of {n_val} and a non-empty test part."
            )
        parts[0].append(rows[:n_train])
        parts[1].append(rows[n_train : n_train + n_val])
        parts[2].append(rows[n_train + n_val :])
    return PopulationSplit(*(np.sort(np.concatenate(p)).astype(np.intp) for p in parts))
