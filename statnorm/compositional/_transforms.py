"""Log-ratio transforms of compositions, zero replacement, and transformers.

All functions accept one composition (1-D) or a matrix with one composition
per row (2-D), return new arrays (inputs are never modified) and validate
their input: negative parts, NaN/inf and all-zero rows are errors, and zeros
are an error for every log-ratio transform (replace them first with
:func:`multiplicative_replacement`).
"""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    Interval,
    StrOptions,
    as_array,
    check_2d,
    check_composition,
    fit_context,
    validate_data,
)

__all__ = [
    "ALRTransformer",
    "CLRTransformer",
    "ILRTransformer",
    "alr",
    "alr_inv",
    "closure",
    "clr",
    "clr_inv",
    "ilr",
    "ilr_basis",
    "ilr_inv",
    "multiplicative_replacement",
]


def _as_2d(X, name="X"):
    """Return (2-D view, was_1d) without validating."""
    if isinstance(X, str | bytes) or X is None:
        return X, False
    arr = X if hasattr(X, "ndim") else as_array(X, name=name)
    if getattr(arr, "ndim", 2) == 1:
        return np.asarray(arr)[None, :], True
    return X, False


def _out(Y, was_1d):
    return Y[0] if was_1d else Y


def _reject_non_arrays(X, name="X"):
    """TypeError for None and strings (complex data is left to scikit-learn's
    "Complex data not supported" ValueError)."""
    if X is None or isinstance(X, str | bytes):
        raise TypeError(
            f"{name} must be an array-like of numbers. Got {type(X).__name__} instead."
        )


def _check_parts(X, *, name="X", allow_zeros=False, min_parts=2):
    return check_composition(X, name=name, allow_zeros=allow_zeros, min_parts=min_parts)


def closure(X):
    """Rescale each composition so that its parts sum to one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts) or (n_parts,)
        Non-negative parts (any scale); zeros are allowed, all-zero rows
        are not.

    Returns
    -------
    P : ndarray of the same shape
        Proportions; each row sums to 1.

    Raises
    ------
    ValueError
        On negative parts, NaN or infinity, or an all-zero row.

    Examples
    --------
    >>> from statnorm.compositional import closure
    >>> closure([2.0, 1.0, 1.0])
    array([0.5 , 0.25, 0.25])
    """
    X, was_1d = _as_2d(X)
    X = _check_parts(X, allow_zeros=True, min_parts=1)
    return _out(X / X.sum(axis=1, keepdims=True), was_1d)


def multiplicative_replacement(X, *, delta=None):
    """Replace zeros by a small proportion and shrink the other parts to keep the sum.

    The multiplicative replacement of Martín-Fernández, Barceló-Vidal and
    Pawlowsky-Glahn (2003): each composition is closed to 1, each zero
    becomes ``delta`` and each non-zero part ``x`` becomes
    ``x * (1 - k * delta)``, where ``k`` is the number of zeros in that row.
    Ratios between non-zero parts are unchanged, and rows still sum to 1.
    The same rule as scikit-bio's ``multi_replace``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts) or (n_parts,)
        Non-negative parts; all-zero rows are rejected.
    delta : float, default=None
        Replacement proportion in (0, 1). ``None`` uses ``1 / n_parts**2``.

    Returns
    -------
    P : ndarray of the same shape
        Strictly positive closed compositions (rows sum to 1).

    Raises
    ------
    ValueError
        On negative parts, NaN, all-zero rows, a ``delta`` outside (0, 1),
        or when ``k * delta >= 1`` for some row (too many zeros for this
        ``delta``).

    Examples
    --------
    >>> from statnorm.compositional import multiplicative_replacement
    >>> multiplicative_replacement([0.2, 0.4, 0.4, 0.0])
    array([0.1875, 0.375 , 0.375 , 0.0625])
    """
    X, was_1d = _as_2d(X)
    X = _check_parts(X, allow_zeros=True, min_parts=1)
    D = X.shape[1]
    if delta is None:
        delta = 1.0 / D**2
    if isinstance(delta, bool) or not isinstance(delta, Real) or not 0 < delta < 1:
        raise ValueError(
            f"delta must be a float in the range (0, 1) or None. Got {delta!r} instead."
        )
    P = X / X.sum(axis=1, keepdims=True)
    zeros = P == 0
    k = zeros.sum(axis=1, keepdims=True)
    keep = 1.0 - k * delta
    if (keep <= 0).any():
        row = int(np.flatnonzero(keep[:, 0] <= 0)[0])
        raise ValueError(
            f"delta={delta:g} is too large: row {row} has {int(k[row, 0])} zeros, "
            f"and {int(k[row, 0])} * delta >= 1 leaves no mass for the other parts. "
            "Pass a smaller delta."
        )
    return _out(np.where(zeros, delta, P * keep), was_1d)


def clr(X):
    """Centred log-ratio: log of each part over the geometric mean of its row.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts) or (n_parts,)
        Strictly positive parts (any scale; closure is not needed).

    Returns
    -------
    Z : ndarray of the same shape
        ``log(X) - mean(log(X), axis=-1)``; each row sums to 0.

    Raises
    ------
    ValueError
        On zeros (with a hint to :func:`multiplicative_replacement`),
        negative parts, NaN or infinity.

    See Also
    --------
    clr_inv : The inverse (up to closure).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import clr
    >>> np.round(clr([1.0, 2.0, 4.0]), 4)
    array([-0.6931,  0.    ,  0.6931])
    """
    X, was_1d = _as_2d(X)
    L = np.log(_check_parts(X))
    L -= L.mean(axis=1, keepdims=True)  # in place: L is a new array
    return _out(L, was_1d)


def clr_inv(Z):
    """Inverse of :func:`clr`: closed compositions from clr coordinates.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_parts) or (n_parts,)
        clr coordinates (rows need not sum to 0; any row constant cancels).

    Returns
    -------
    P : ndarray of the same shape
        Compositions closed to 1 (a numerically stable softmax of the rows).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import clr, clr_inv
    >>> np.round(clr_inv(clr([1.0, 2.0, 5.0])), 3)
    array([0.125, 0.25 , 0.625])
    """
    Z, was_1d = _as_2d(Z, name="Z")
    Z = check_2d(Z, name="Z")
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return _out(E / E.sum(axis=1, keepdims=True), was_1d)


def _check_reference(reference, D, name="reference"):
    if isinstance(reference, bool) or not isinstance(reference, Integral):
        raise TypeError(
            f"{name} must be an int (index of the reference part). "
            f"Got {reference!r} instead."
        )
    if not -D <= reference < D:
        raise ValueError(
            f"{name}={reference} is out of range for {D} parts; expected an index "
            f"in [{-D}, {D - 1}]."
        )
    return int(reference) % D


def alr(X, *, reference=-1):
    """Additive log-ratio: log of each part over a reference part.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts) or (n_parts,)
        Strictly positive parts.
    reference : int, default=-1
        Index of the reference (denominator) part; it is dropped from the
        output.

    Returns
    -------
    A : ndarray of shape (n_samples, n_parts - 1) or (n_parts - 1,)
        ``log(X[:, j] / X[:, reference])`` for every ``j != reference``, in
        the original order.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import alr
    >>> np.round(alr([1.0, 2.0, 4.0]), 4)
    array([-1.3863, -0.6931])
    """
    X, was_1d = _as_2d(X)
    L = np.log(_check_parts(X))
    r = _check_reference(reference, L.shape[1])
    return _out(np.delete(L, r, axis=1) - L[:, [r]], was_1d)


def alr_inv(A, *, reference=-1):
    """Inverse of :func:`alr`: closed compositions from alr coordinates.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_parts - 1) or (n_parts - 1,)
        alr coordinates.
    reference : int, default=-1
        Position of the reference part in the output (``n_parts`` columns).

    Returns
    -------
    P : ndarray of shape (n_samples, n_parts) or (n_parts,)
        Compositions closed to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import alr, alr_inv
    >>> np.round(alr_inv(alr([1.0, 2.0, 5.0])), 3)
    array([0.125, 0.25 , 0.625])
    """
    A, was_1d = _as_2d(A, name="A")
    A = check_2d(A, name="A")
    r = _check_reference(reference, A.shape[1] + 1)
    Z = np.insert(A, r, 0.0, axis=1)
    return _out(clr_inv(Z), was_1d)


def ilr_basis(n_parts):
    """Orthonormal basis of the clr hyperplane used by :func:`ilr` (Helmert/pivot).

    Row ``k`` (``k = 0 .. n_parts - 2``) is the balance of the first
    ``k + 1`` parts against part ``k + 1``::

        sqrt((k+1)/(k+2)) * (1/(k+1), ..., 1/(k+1), -1, 0, ..., 0)

    so ``ilr(x)[k] = sqrt((k+1)/(k+2)) * log(g(x_0..x_k) / x_{k+1})`` with
    ``g`` the geometric mean. Rows are orthonormal and orthogonal to the
    vector of ones. This is also scikit-bio's default (Gram-Schmidt) basis.

    Parameters
    ----------
    n_parts : int
        Number of parts ``D >= 2``.

    Returns
    -------
    V : ndarray of shape (n_parts - 1, n_parts)
        The basis, one contrast per row.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import ilr_basis
    >>> V = ilr_basis(3)
    >>> np.allclose(V @ V.T, np.eye(2)), np.allclose(V.sum(axis=1), 0)
    (True, True)
    """
    if isinstance(n_parts, bool) or not isinstance(n_parts, Integral) or n_parts < 2:
        raise ValueError(f"n_parts must be an int >= 2. Got {n_parts!r} instead.")
    D = int(n_parts)
    V = np.zeros((D - 1, D))
    for k in range(D - 1):
        V[k, : k + 1] = 1.0 / (k + 1)
        V[k, k + 1] = -1.0
        V[k] *= np.sqrt((k + 1) / (k + 2))
    return V


def _check_basis(basis, D):
    if basis is None:
        return ilr_basis(D)
    V = check_2d(basis, name="basis")
    if V.shape != (D - 1, D):
        raise ValueError(
            f"basis must have shape (n_parts - 1, n_parts) = {(D - 1, D)}; "
            f"got {V.shape}."
        )
    if not (
        np.allclose(V @ V.T, np.eye(D - 1), atol=1e-8)
        and np.allclose(V.sum(axis=1), 0, atol=1e-8)
    ):
        raise ValueError(
            "basis must have orthonormal rows that each sum to 0 (an orthonormal "
            "basis of the clr hyperplane)."
        )
    return V


def ilr(X, *, basis=None):
    """Isometric log-ratio coordinates: clr projected on an orthonormal basis.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_parts) or (n_parts,)
        Strictly positive parts.
    basis : array-like of shape (n_parts - 1, n_parts), default=None
        Orthonormal rows orthogonal to the ones vector; ``None`` uses
        :func:`ilr_basis` (the Helmert/pivot balances).

    Returns
    -------
    Y : ndarray of shape (n_samples, n_parts - 1) or (n_parts - 1,)
        ``clr(X) @ basis.T``.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import ilr
    >>> np.round(ilr([1.0, 2.0, 4.0]), 4)
    array([-0.4901, -0.8489])
    """
    X, was_1d = _as_2d(X)
    Z = clr(X)
    V = _check_basis(basis, Z.shape[1])
    return _out(Z @ V.T, was_1d)


def ilr_inv(Y, *, basis=None):
    """Inverse of :func:`ilr`: closed compositions from ilr coordinates.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_parts - 1) or (n_parts - 1,)
        ilr coordinates.
    basis : array-like of shape (n_parts - 1, n_parts), default=None
        The basis used by :func:`ilr`.

    Returns
    -------
    P : ndarray of shape (n_samples, n_parts) or (n_parts,)
        Compositions closed to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import ilr, ilr_inv
    >>> np.round(ilr_inv(ilr([1.0, 1.0, 2.0])), 3)
    array([0.25, 0.25, 0.5 ])
    """
    Y, was_1d = _as_2d(Y, name="Y")
    Y = check_2d(Y, name="Y")
    V = _check_basis(basis, Y.shape[1] + 1)
    return _out(clr_inv(Y @ V), was_1d)


class _LogRatioTransformer(TransformerMixin, BaseEstimator):
    """Shared validation: strictly positive parts, optional zero replacement."""

    _parameter_constraints: ClassVar[dict] = {
        "zero_replacement": [StrOptions({"multiplicative"}), None],
    }

    def _validate_parts(self, X, reset):
        _reject_non_arrays(X)
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        zeros_ok = self.zero_replacement == "multiplicative"
        X = _check_parts(X, allow_zeros=zeros_ok, min_parts=2)
        if zeros_ok and (X == 0).any():
            X = multiplicative_replacement(X)
        return X

    def fit(self, X, y=None):
        """Validate ``X`` and record the number of parts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Non-negative parts (strictly positive unless ``zero_replacement``
            is set).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        return self._fit(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.requires_fit = True
        return tags


class CLRTransformer(OneToOneFeatureMixin, _LogRatioTransformer):
    """Centred log-ratio transform as a scikit-learn transformer.

    Stateless apart from validation: ``transform`` applies :func:`clr` row by
    row, ``inverse_transform`` applies :func:`clr_inv` (compositions closed
    to 1).

    Parameters
    ----------
    zero_replacement : {"multiplicative"} or None, default=None
        ``None`` rejects zeros with an error; ``"multiplicative"`` applies
        :func:`multiplicative_replacement` (default delta) to rows with zeros.

    Attributes
    ----------
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Part names, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import CLRTransformer
    >>> Z = CLRTransformer().fit_transform([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]])
    >>> np.round(Z, 4)
    array([[-0.6931,  0.    ,  0.6931],
           [ 0.    ,  0.    ,  0.    ]])
    """

    def __init__(self, zero_replacement=None):
        self.zero_replacement = zero_replacement

    @fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X):
        self._validate_parts(X, reset=True)
        return self

    def transform(self, X):
        """Return the clr coordinates of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_parts)
            clr coordinates.
        """
        check_is_fitted(self)
        X = self._validate_parts(X, reset=False)
        L = np.log(X)
        L -= L.mean(axis=1, keepdims=True)
        return L

    def inverse_transform(self, X):
        """Map clr coordinates back to compositions closed to 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            clr coordinates.

        Returns
        -------
        P : ndarray of shape (n_samples, n_parts)
            Compositions.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return clr_inv(X)


class ALRTransformer(_LogRatioTransformer):
    """Additive log-ratio transform against a reference part.

    Parameters
    ----------
    reference : int, default=-1
        Index of the reference part (dropped from the output).
    zero_replacement : {"multiplicative"} or None, default=None
        ``None`` rejects zeros; ``"multiplicative"`` replaces them first.

    Attributes
    ----------
    reference_ : int
        Non-negative index of the reference part.
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Part names, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import ALRTransformer
    >>> t = ALRTransformer(reference=0).fit([[1.0, 2.0, 4.0]])
    >>> np.round(t.transform([[1.0, 2.0, 4.0]]), 4)
    array([[0.6931, 1.3863]])
    >>> t.get_feature_names_out()
    array(['alr(x1/x0)', 'alr(x2/x0)'], dtype=object)
    """

    _parameter_constraints: ClassVar[dict] = {
        **_LogRatioTransformer._parameter_constraints,
        "reference": [Interval(Integral, None, None, closed="neither")],
    }

    def __init__(self, reference=-1, *, zero_replacement=None):
        self.reference = reference
        self.zero_replacement = zero_replacement

    @fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X):
        X = self._validate_parts(X, reset=True)
        self.reference_ = _check_reference(self.reference, X.shape[1])
        return self

    def transform(self, X):
        """Return ``log(X[:, j] / X[:, reference])`` for ``j != reference``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions.

        Returns
        -------
        A : ndarray of shape (n_samples, n_parts - 1)
            alr coordinates.
        """
        check_is_fitted(self)
        L = np.log(self._validate_parts(X, reset=False))
        r = self.reference_
        return np.delete(L, r, axis=1) - L[:, [r]]

    def inverse_transform(self, X):
        """Map alr coordinates back to compositions closed to 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts - 1)
            alr coordinates.

        Returns
        -------
        P : ndarray of shape (n_samples, n_parts)
            Compositions.
        """
        check_is_fitted(self)
        A = check_2d(X, name="X")
        if A.shape[1] != self.n_features_in_ - 1:
            raise ValueError(
                f"X has {A.shape[1]} features, but ALRTransformer.inverse_transform "
                f"is expecting {self.n_features_in_ - 1} alr coordinates as input."
            )
        return alr_inv(A, reference=self.reference_)

    def get_feature_names_out(self, input_features=None):
        """Names of the alr coordinates, ``alr(part/reference)``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Part names; defaults to ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        names : ndarray of str objects
            One name per output column.
        """
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        ref = names[self.reference_]
        return np.asarray(
            [f"alr({n}/{ref})" for i, n in enumerate(names) if i != self.reference_],
            dtype=object,
        )


class ILRTransformer(ClassNamePrefixFeaturesOutMixin, _LogRatioTransformer):
    """Isometric log-ratio transform on an orthonormal basis.

    Parameters
    ----------
    basis : array-like of shape (n_parts - 1, n_parts), default=None
        Orthonormal rows orthogonal to the ones vector. ``None`` uses
        :func:`ilr_basis` (Helmert/pivot balances, scikit-bio's default).
    zero_replacement : {"multiplicative"} or None, default=None
        ``None`` rejects zeros; ``"multiplicative"`` replaces them first.

    Attributes
    ----------
    basis_ : ndarray of shape (n_parts - 1, n_parts)
        The basis used.
    n_features_in_ : int
        Number of parts seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Part names, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.compositional import ILRTransformer
    >>> t = ILRTransformer().fit([[1.0, 2.0, 4.0], [1.0, 2.0, 3.0]])
    >>> np.round(t.transform([[1.0, 2.0, 4.0]]), 4)
    array([[-0.4901, -0.8489]])
    >>> np.round(t.inverse_transform(t.transform([[1.0, 1.0, 2.0]])), 3)
    array([[0.25, 0.25, 0.5 ]])
    """

    _parameter_constraints: ClassVar[dict] = {
        **_LogRatioTransformer._parameter_constraints,
        "basis": ["array-like", None],
    }

    def __init__(self, basis=None, *, zero_replacement=None):
        self.basis = basis
        self.zero_replacement = zero_replacement

    @fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X):
        X = self._validate_parts(X, reset=True)
        self.basis_ = _check_basis(self.basis, X.shape[1])
        self._n_features_out = X.shape[1] - 1
        return self

    def transform(self, X):
        """Return the ilr coordinates ``clr(X) @ basis_.T``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts)
            Compositions.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_parts - 1)
            ilr coordinates.
        """
        check_is_fitted(self)
        L = np.log(self._validate_parts(X, reset=False))
        return (L - L.mean(axis=1, keepdims=True)) @ self.basis_.T

    def inverse_transform(self, X):
        """Map ilr coordinates back to compositions closed to 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_parts - 1)
            ilr coordinates.

        Returns
        -------
        P : ndarray of shape (n_samples, n_parts)
            Compositions.
        """
        check_is_fitted(self)
        Y = check_2d(X, name="X")
        if Y.shape[1] != self.basis_.shape[0]:
            raise ValueError(
                f"X has {Y.shape[1]} features, but ILRTransformer.inverse_transform "
                f"is expecting {self.basis_.shape[0]} ilr coordinates as input."
            )
        return clr_inv(Y @ self.basis_)
