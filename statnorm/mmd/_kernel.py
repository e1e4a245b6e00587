"""Kernels for MMD: Gaussian, energy (distance-induced) and the deep kernel of Liu et al.

Convention (the paper's, *not* scikit-learn's): bandwidths are squared length
scales that divide the squared distance directly, with no factor 2::

    gaussian:  k(a, b) = exp(-||a - b||^2 / sigma)
    deep:      k(a, b) = [(1 - eps) exp(-||phi(a) - phi(b)||^2 / sigma0) + eps]
                         * exp(-||a - b||^2 / sigma)

so ``sigma = 1 / gamma`` of :func:`sklearn.metrics.pairwise.rbf_kernel` and
``sigma = 2 * ell**2`` for a length scale ``ell`` in the ``exp(-d^2 / (2 ell^2))``
convention. The energy kernel is the distance-induced kernel of Sejdinovic et
al. (2013), ``k(a, b) = (|a - c|^p + |b - c|^p - |a - b|^p) / 2``; its MMD^2
is half the energy distance of Szekely and Rizzo whatever the centre ``c``.
"""

from numbers import Real

import numpy as np

__all__ = ["DeepKernel", "EnergyKernel", "GaussianKernel"]

_MEDIAN_MAX_POINTS = 4000


def _points(A, name="A"):
    """A 2-D finite float array (the rows a kernel is evaluated on)."""
    from .._validation import check_2d

    return check_2d(A, name=name)


def _finite(D):
    if not np.all(np.isfinite(D)):
        raise ValueError(
            "Squared distances overflow float64 (values of magnitude above about "
            "1e150); divide the data by a common scale."
        )
    return D


def _sq_dists(A, B=None):
    """Squared Euclidean distances by one GEMM, clipped at 0 (diagonal exact 0)."""
    a2 = np.einsum("ij,ij->i", A, A)
    if B is None:
        D = a2[:, None] + a2[None, :] - 2.0 * (A @ A.T)
        np.maximum(D, 0.0, out=D)
        np.fill_diagonal(D, 0.0)
        return D
    b2 = np.einsum("ij,ij->i", B, B)
    D = a2[:, None] + b2[None, :] - 2.0 * (A @ B.T)
    np.maximum(D, 0.0, out=D)
    return D


def _paired_sq_dists(A, B):
    diff = A - B
    return np.einsum("ij,ij->i", diff, diff)


#: Pairs whose squared distance is below this fraction of ``|a|^2 + |b|^2``
#: are recomputed from the difference: the GEMM form loses about
#: ``eps (|a|^2 + |b|^2) / d^2`` of relative accuracy to cancellation.
_REFINE = 1e-4
_REFINE_PAIRS = 2**16  # pairs recomputed per chunk (memory: chunk x n_features)


def _pow2_scale(*arrays):
    """A power of two ``s`` with ``max |s a|`` in [0.5, 1) (1.0 for all zeros)."""
    big = max(float(np.abs(a).max()) if a.size else 0.0 for a in arrays)
    return 1.0 if big == 0 else float(2.0 ** -np.ceil(np.log2(big)))


def _dists(A, B=None):
    """Euclidean distances ``|A[i] - B[j]|``, accurate for close pairs too.

    The rows are first scaled by a power of two (exact), so no magnitude
    overflows; the GEMM form then gives the squared distances, and the pairs
    where it would cancel (squared distance below ``1e-4 (|a|^2 + |b|^2)``,
    including exact duplicates) are recomputed from their difference, so
    every distance is accurate to a few units in the last place relative to
    ``|a| + |b|`` times ``1e-6`` at worst, and exact zeros stay zero.
    """
    s = _pow2_scale(A) if B is None else _pow2_scale(A, B)
    A = A * s
    Bs = A if B is None else B * s
    D2 = _sq_dists(A, None if B is None else Bs)
    a2 = np.einsum("ij,ij->i", A, A)
    b2 = a2 if B is None else np.einsum("ij,ij->i", Bs, Bs)
    close = np.less(D2, _REFINE * (a2[:, None] + b2[None, :]))
    if B is None:
        np.fill_diagonal(close, False)
    i, j = np.nonzero(close)
    for start in range(0, i.size, _REFINE_PAIRS):
        ii, jj = i[start : start + _REFINE_PAIRS], j[start : start + _REFINE_PAIRS]
        diff = A[ii] - Bs[jj]
        D2[ii, jj] = np.einsum("ij,ij->i", diff, diff)
    D = np.sqrt(D2, out=D2)
    D /= s
    return D


def _norms(A):
    """Euclidean norms of the rows of ``A`` (no overflow for huge values)."""
    s = _pow2_scale(A)
    As = A * s
    return np.sqrt(np.einsum("ij,ij->i", As, As)) / s


def _median_offdiag(D):
    """Median of the off-diagonal entries of a symmetric matrix with zero diagonal.

    Sorted, the N^2 entries are the N diagonal zeros followed by each
    off-diagonal value twice, so the k-th smallest of the M = N(N-1)/2 distinct
    pairs sits at position N + 2k: one ``np.partition``, no index arrays.
    """
    N = D.shape[0]
    M = N * (N - 1) // 2
    pos = [N + M - 1] if M % 2 else [N + M - 2, N + M]
    vals = np.partition(D.ravel(), pos)[pos]
    return float(vals.mean())


def _median_or_raise(med):
    if not med > 0:
        raise ValueError(
            "The median heuristic gave a zero bandwidth: at least half of the "
            "pairwise distances between the samples are zero (e.g. a constant "
            "sample). Pass an explicit bandwidth, e.g. "
            "kernel=GaussianKernel(bandwidth=1.0)."
        )
    return med


def median_sq_distance(Z):
    """Median of the off-diagonal squared distances of the rows of ``Z``.

    For more than 4,000 rows an evenly spaced subsample of 4,000 rows is used.

    Raises
    ------
    ValueError
        If the median is zero (e.g. a constant sample), which would make the
        median-heuristic bandwidth zero.
    """
    N = Z.shape[0]
    if N > _MEDIAN_MAX_POINTS:
        Z = Z[np.linspace(0, N - 1, _MEDIAN_MAX_POINTS).astype(np.intp)]
    return _median_or_raise(_median_offdiag(_sq_dists(Z)))


def bind_and_gram(kernel, Z):
    """Bind ``kernel`` to ``Z`` and return ``(bound_kernel, K(Z, Z))``.

    For a Gaussian kernel the squared distances are computed once (on the
    centred rows) and serve both the median heuristic and the Gram matrix.
    """
    if isinstance(kernel, GaussianKernel):
        kernel._check()
        # centred first: the distances are the same, but the GEMM form
        # |a|^2 + |b|^2 - 2ab no longer cancels a large common offset
        D = _sq_dists(Z - Z.mean(axis=0))
        if kernel.bandwidth == "median":
            if Z.shape[0] > _MEDIAN_MAX_POINTS:
                sigma = median_sq_distance(Z)
            else:
                sigma = _median_or_raise(_median_offdiag(D))
        else:
            sigma = float(kernel.bandwidth)
        D *= -1.0 / sigma
        return GaussianKernel(sigma), np.exp(D, out=D)
    kernel = kernel.bind(Z)
    return kernel, kernel(Z)


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive float. Got {value!r} instead.")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"{name} must be a positive finite float. Got {value!r} instead."
        )
    return float(value)


class GaussianKernel:
    """Gaussian kernel ``k(a, b) = exp(-||a - b||^2 / bandwidth)``.

    Parameters
    ----------
    bandwidth : float or "median", default="median"
        Squared length scale ``sigma`` (the paper's convention: no factor 2;
        scikit-learn's ``gamma`` is ``1 / sigma``). ``"median"`` takes the
        median squared distance between the rows of the data the kernel is
        bound to (the pooled sample in :class:`MMDTest`, the reference set in
        :class:`MMDDetector`).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import GaussianKernel
    >>> k = GaussianKernel(bandwidth=2.0)
    >>> k(np.zeros((1, 2)), np.ones((1, 2)))
    array([[0.36787944]])
    """

    def __init__(self, bandwidth="median"):
        self.bandwidth = bandwidth

    def __repr__(self):
        b = self.bandwidth
        return f"GaussianKernel(bandwidth={b if isinstance(b, str) else f'{b:.6g}'})"

    def _check(self):
        if isinstance(self.bandwidth, str):
            if self.bandwidth != "median":
                raise ValueError(
                    "bandwidth must be a positive float or 'median'. "
                    f"Got {self.bandwidth!r} instead."
                )
        else:
            _check_positive(self.bandwidth, "bandwidth")

    def bind(self, Z):
        """Return a kernel with a numeric bandwidth (median of ``Z`` if asked).

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features)
            Data the median heuristic is computed on.

        Returns
        -------
        kernel : GaussianKernel
            A kernel whose ``bandwidth`` is a float.
        """
        self._check()
        if self.bandwidth == "median":
            return GaussianKernel(median_sq_distance(_points(Z, "Z")))
        return GaussianKernel(float(self.bandwidth))

    def _sigma(self):
        if isinstance(self.bandwidth, str):
            raise ValueError(  # noqa: TRY004 (a value, 'median', not a type error)
                "This GaussianKernel has bandwidth='median'; call bind(Z) first."
            )
        return _check_positive(self.bandwidth, "bandwidth")

    def __call__(self, A, B=None):
        """Gram matrix ``K[i, j] = k(A[i], B[j])`` (``B=None``: ``B = A``)."""
        A = _points(A, "A")
        B = None if B is None else _points(B, "B")
        return np.exp(-_finite(_sq_dists(A, B)) / self._sigma())

    def paired(self, A, B):
        """Row-wise values ``k(A[i], B[i])``."""
        A, B = _points(A, "A"), _points(B, "B")
        return np.exp(-_finite(_paired_sq_dists(A, B)) / self._sigma())

    def diag(self, A):
        """Values ``k(A[i], A[i])`` (all ones)."""
        return np.ones(_points(A, "A").shape[0])


def _check_exponent(exponent):
    if isinstance(exponent, bool) or not isinstance(exponent, Real):
        raise TypeError(
            f"exponent must be a float in (0, 2). Got {exponent!r} instead."
        )
    if not 0 < exponent < 2:
        raise ValueError(
            f"exponent must lie in the open interval (0, 2). Got {exponent!r} instead."
        )
    return float(exponent)


class EnergyKernel:
    """Distance-induced kernel ``k(a, b) = (|a - c|^p + |b - c|^p - |a - b|^p) / 2``.

    The kernel of Sejdinovic et al. (2013) induced by the semimetric
    ``|a - b|^p``, ``0 < p < 2``, centred at ``c``: with it the MMD^2
    (biased or unbiased, :func:`mmd2`) is *half the energy distance* of
    Szekely and Rizzo, ``2 E|X - Y|^p - E|X - X'|^p - E|Y - Y'|^p``, and
    does not depend on ``c`` (the ``|a - c|^p`` terms cancel).
    :func:`energy_test` runs the energy-distance test with it on the
    permutation engine of :class:`MMDTest`. The kernel has no bandwidth: the
    statistic is invariant to translations and rotations of the data and
    scales as ``t^p`` when the data are multiplied by ``t``.

    Parameters
    ----------
    exponent : float, default=1.0
        Exponent ``p`` of the Euclidean distance, in (0, 2) (``dcor``'s
        ``exponent``); 1 is the energy distance proper.
    center : array-like of shape (n_features,) or None, default=None
        Centre ``c`` (None: the origin). :class:`MMDTest` binds the kernel to
        the pooled sample, which sets ``c`` to its mean (the statistic is the
        same; the distances to ``c`` are then small, which keeps the kernel
        matrix accurate for data far from the origin).

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import EnergyKernel
    >>> k = EnergyKernel()
    >>> k(np.array([[3.0, 4.0]]), np.array([[0.0, 0.0], [3.0, 0.0]]))
    array([[0., 2.]])
    """

    def __init__(self, exponent=1.0, *, center=None):
        self.exponent = exponent
        self.center = center

    def __repr__(self):
        c = "" if self.center is None else ", center=<bound>"
        p = self.exponent
        return (
            f"EnergyKernel(exponent={p:g}{c})"
            if isinstance(p, Real)
            else (f"EnergyKernel(exponent={p!r}{c})")
        )

    def _check(self):
        p = _check_exponent(self.exponent)
        c = self.center
        if c is not None:
            c = np.asarray(c, dtype=np.float64)
            if c.ndim != 1 or not np.all(np.isfinite(c)):
                raise ValueError(
                    "center must be None or a finite 1-D array of length "
                    f"n_features. Got an array of shape {c.shape}."
                )
        return p, c

    def bind(self, Z):
        """Return the kernel centred at the mean of the rows of ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features)
            Data the centre is computed on (the pooled sample in
            :class:`MMDTest`).

        Returns
        -------
        kernel : EnergyKernel
            The same exponent, ``center = Z.mean(axis=0)``.
        """
        p, _ = self._check()
        Z = _points(Z, "Z")
        return EnergyKernel(p, center=_mean_rows(Z))

    def _centred(self, A, c):
        A = _points(A, "A")
        if c is None:
            return A
        if A.shape[1] != c.shape[0]:
            raise ValueError(
                f"A has {A.shape[1]} features, but the kernel's center has "
                f"{c.shape[0]}."
            )
        return A - c

    def __call__(self, A, B=None):
        """Gram matrix ``K[i, j] = k(A[i], B[j])`` (``B=None``: ``B = A``)."""
        p, c = self._check()
        Ac = self._centred(A, c)
        Bc = None if B is None else self._centred(_points(B, "B"), c)
        D = _dists(Ac, Bc)
        ra = _norms(Ac)
        rb = ra if B is None else _norms(Bc)
        if p != 1.0:
            D **= p
            ra, rb = ra**p, rb**p
        D *= -1.0
        D += ra[:, None]
        D += rb[None, :]
        D *= 0.5
        return _finite(D)

    def paired(self, A, B):
        """Row-wise values ``k(A[i], B[i])``."""
        p, c = self._check()
        Ac, Bc = self._centred(A, c), self._centred(_points(B, "B"), c)
        d = _norms(Ac - Bc) ** p
        return 0.5 * (_norms(Ac) ** p + _norms(Bc) ** p - d)

    def diag(self, A):
        """Values ``k(A[i], A[i]) = |A[i] - c|^p``."""
        p, c = self._check()
        return _norms(self._centred(A, c)) ** p


def _mean_rows(Z):
    """Column means without overflow (the rows scaled by a power of two first)."""
    s = _pow2_scale(Z)
    return (Z * s).mean(axis=0) / s


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    """Logistic function, accurate in both tails.

    ``exp(-|x|)`` never overflows; for very negative ``x`` the result is
    ``exp(x) / (1 + exp(x))`` (not rounded to 0 as ``(1 + tanh(x / 2)) / 2``
    is below about -37), so ``sigmoid(x) * (1 - sigmoid(x))``, the gradient
    of ``eps`` with respect to its logit, stays positive.
    """
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


#: Two rows are "the same text" when their unit-norm directions differ by at
#: most this Euclidean distance: far below the distance between embeddings of
#: different texts, far above the error of a rescaling or a float32 round trip.
_SEEN_TOL = 1e-6


def _directions(Z):
    """Rows of ``Z`` scaled to unit Euclidean norm (zero rows stay zero)."""
    Z = np.asarray(Z, dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", Z, Z))
    return Z / np.where(norms > 0, norms, 1.0)[:, None]


def _unique_directions(Z):
    """Unit-norm rows of ``Z`` without exact repeats (what a kernel remembers)."""
    U = _directions(Z)
    return np.unique(U, axis=0) if U.shape[0] else U


_WEIGHT_KEYS = {"identity": (), "linear": ("W",), "mlp": ("W1", "b1", "W2")}


def _check_weights(featurizer, weights):
    """The featurizer's weight arrays: the right keys, finite, chained shapes."""
    if not isinstance(weights, dict):
        raise TypeError(
            f"weights must be a dict of arrays. Got {type(weights).__name__} instead."
        )
    need = _WEIGHT_KEYS[featurizer]
    missing = [k for k in need if k not in weights]
    if missing:
        raise ValueError(
            f"weights for featurizer={featurizer!r} need keys {list(need)}; "
            f"missing {missing}."
        )
    out = {}
    for k in need:
        a = np.asarray(weights[k], dtype=np.float64)
        if a.ndim != (1 if k == "b1" else 2) or not np.all(np.isfinite(a)):
            raise ValueError(
                f"weights[{k!r}] must be a finite {1 if k == 'b1' else 2}-D array. "
                f"Got shape {a.shape}."
            )
        out[k] = a
    if featurizer == "mlp" and not (
        out["W1"].shape[1] == out["b1"].shape[0] == out["W2"].shape[0]
    ):
        raise ValueError(
            "weights: W1 (d, h), b1 (h,) and W2 (h, k) must chain; got shapes "
            f"{out['W1'].shape}, {out['b1'].shape}, {out['W2'].shape}."
        )
    return out


class DeepKernel:
    """Deep kernel ``k(a, b) = [(1 - eps) kappa(phi(a), phi(b)) + eps] q(a, b)``.

    ``kappa(u, v) = exp(-||u - v||^2 / sigma0)`` acts on learned features
    ``phi``, ``q(a, b) = exp(-||a - b||^2 / sigma)`` on the raw inputs (Liu et
    al. 2020, Zhang et al. 2024, paper convention: squared bandwidths, no
    factor 2). Usually the ``kernel_`` of a fitted :class:`KernelLearner`.

    Parameters
    ----------
    featurizer : {"identity", "linear", "mlp"}
        Form of ``phi``: identity, ``phi(a) = a W``, or
        ``phi(a) = softplus(a W1 + b1) W2``.
    weights : dict of ndarray
        ``{"W": ...}`` for "linear", ``{"W1", "b1", "W2"}`` for "mlp", empty
        for "identity".
    sigma0, sigma : float
        Squared bandwidths of ``kappa`` and ``q``.
    epsilon : float
        Mixing weight in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from statnorm.mmd import DeepKernel
    >>> k = DeepKernel("linear", {"W": np.eye(3)[:, :2]}, sigma0=1.0, sigma=10.0,
    ...                epsilon=0.1)
    >>> K = k(np.eye(3))
    >>> K.shape, float(K[0, 0])
    ((3, 3), 1.0)
    """

    def __init__(self, featurizer, weights, *, sigma0, sigma, epsilon):
        if featurizer not in ("identity", "linear", "mlp"):
            raise ValueError(
                "featurizer must be 'identity', 'linear' or 'mlp'. "
                f"Got {featurizer!r} instead."
            )
        self.featurizer = featurizer
        self.weights = _check_weights(featurizer, weights)
        self.sigma0 = _check_positive(sigma0, "sigma0")
        self.sigma = _check_positive(sigma, "sigma")
        if not 0 <= float(epsilon) <= 1:
            raise ValueError(f"epsilon must lie in [0, 1]. Got {epsilon!r} instead.")
        self.epsilon = float(epsilon)
        self.training_directions = np.empty((0, self._n_inputs() or 0))

    def __repr__(self):
        return (
            f"DeepKernel(featurizer={self.featurizer!r}, n_components="
            f"{self.n_components}, sigma0={self.sigma0:.4g}, sigma={self.sigma:.4g}, "
            f"epsilon={self.epsilon:.3g})"
        )

    def _n_inputs(self):
        if self.featurizer == "linear":
            return self.weights["W"].shape[0]
        if self.featurizer == "mlp":
            return self.weights["W1"].shape[0]
        return None

    @property
    def n_components(self):
        """Dimension of the learned features ``phi(a)``."""
        if self.featurizer == "linear":
            return self.weights["W"].shape[1]
        if self.featurizer == "mlp":
            return self.weights["W2"].shape[1]
        return None

    def bind(self, Z):
        """Return ``self`` (a deep kernel has no data-dependent bandwidth)."""
        return self

    def features(self, A):
        """Learned features ``phi(A)``, shape (n_samples, n_components)."""
        A = _points(A, "A")
        n_in = self._n_inputs()
        if n_in is not None and A.shape[1] != n_in:
            raise ValueError(
                f"A has {A.shape[1]} features, but the kernel's featurizer "
                f"expects {n_in}."
            )
        if self.featurizer == "identity":
            return A
        if self.featurizer == "linear":
            return A @ self.weights["W"]
        return (
            _softplus(A @ self.weights["W1"] + self.weights["b1"]) @ self.weights["W2"]
        )

    def __call__(self, A, B=None):
        """Gram matrix ``K[i, j] = k(A[i], B[j])`` (``B=None``: ``B = A``)."""
        A = _points(A, "A")
        B = None if B is None else _points(B, "B")
        FA = self.features(A)
        FB = None if B is None else self.features(B)
        kappa = np.exp(-_sq_dists(FA, FB) / self.sigma0)
        q = np.exp(-_sq_dists(A, B) / self.sigma)
        return ((1.0 - self.epsilon) * kappa + self.epsilon) * q

    def paired(self, A, B):
        """Row-wise values ``k(A[i], B[i])``."""
        kappa = np.exp(
            -_paired_sq_dists(self.features(A), self.features(B)) / self.sigma0
        )
        q = np.exp(-_paired_sq_dists(A, B) / self.sigma)
        return ((1.0 - self.epsilon) * kappa + self.epsilon) * q

    def diag(self, A):
        """Values ``k(A[i], A[i])`` (all ones)."""
        return np.ones(_points(A, "A").shape[0])

    def seen_in_training(self, Z):
        """Boolean mask: which rows of ``Z`` were among the kernel's training rows.

        A :class:`KernelLearner` stores the unit-norm direction of every row
        it trained on (and validated on) in ``training_directions``. A row of
        ``Z`` counts as seen when its own direction lies within ``1e-6``
        (Euclidean distance) of a stored one, so the check still catches the
        training rows after a common rescaling of the data (``c * X`` for any
        ``c > 0``), after each row was rescaled separately (e.g. normalised to
        unit length, as sentence embeddings often are), and after a round
        trip through float32. It does not catch rows that were shifted,
        standardised per feature, projected or perturbed, nor a different
        text with the same meaning; and a genuine duplicate of a training
        text (real corpora repeat answers such as "I have no comment.")
        counts as seen.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_features)
            Rows to look up.

        Returns
        -------
        seen : ndarray of bool of shape (n_samples,)
            True where the row matches a training row.

        Examples
        --------
        >>> import numpy as np
        >>> from statnorm.mmd import KernelLearner
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
        >>> k = KernelLearner(n_components=2, max_iter=1, random_state=0).fit(X, y)
        >>> k.kernel_.seen_in_training(np.vstack([3.0 * X[:2], X[:1] + 1.0]))
        array([ True,  True, False])
        """
        U = _directions(_points(Z, "Z"))
        T = self.training_directions
        seen = np.zeros(U.shape[0], dtype=bool)
        if T.shape[0] == 0 or U.shape[0] == 0 or T.shape[1] != U.shape[1]:
            return seen
        tol2 = _SEEN_TOL**2
        for start in range(0, U.shape[0], 1024):
            D = _sq_dists(U[start : start + 1024], T)
            seen[start : start + 1024] = D.min(axis=1) <= tol2
        return seen


def resolve_kernel(kernel, name="kernel"):
    """Map a user's ``kernel`` argument to a kernel object (not yet bound)."""
    if kernel is None or (isinstance(kernel, str) and kernel in ("gaussian", "median")):
        return GaussianKernel("median")
    if isinstance(kernel, str) and kernel == "energy":
        return EnergyKernel()
    if isinstance(kernel, str):
        raise ValueError(  # noqa: TRY004 (an unknown name is a bad value)
            f"{name} must be 'gaussian', 'energy', a positive float bandwidth, a "
            f"GaussianKernel, an EnergyKernel, a DeepKernel or a callable. Got "
            f"{kernel!r} instead."
        )
    if isinstance(kernel, Real) and not isinstance(kernel, bool):
        return GaussianKernel(_check_positive(kernel, f"{name} bandwidth"))
    if isinstance(kernel, GaussianKernel | EnergyKernel):
        kernel._check()
        return kernel
    if isinstance(kernel, DeepKernel):
        return kernel
    if hasattr(kernel, "kernel_") and isinstance(kernel.kernel_, DeepKernel):
        return kernel.kernel_
    if callable(kernel):
        return _CallableKernel(kernel)
    raise TypeError(
        f"{name} must be 'gaussian', 'energy', a positive float bandwidth, a "
        f"GaussianKernel, an EnergyKernel, a DeepKernel or a callable. Got "
        f"{type(kernel).__name__} instead."
    )


class _CallableKernel:
    """Wrap ``f(A, B) -> Gram matrix`` so it has the kernel interface."""

    def __init__(self, func):
        self.func = func

    def __repr__(self):
        return f"callable kernel {getattr(self.func, '__name__', self.func)!r}"

    def bind(self, Z):
        return self

    def __call__(self, A, B=None):
        K = np.asarray(self.func(A, A if B is None else B), dtype=np.float64)
        shape = (A.shape[0], (A if B is None else B).shape[0])
        if K.shape != shape:
            raise ValueError(
                f"The kernel callable returned an array of shape {K.shape}; "
                f"expected {shape}."
            )
        if not np.isfinite(K).all():
            raise ValueError("The kernel callable returned NaN or inf values.")
        return K

    def paired(self, A, B):
        return np.array([self(A[i : i + 1], B[i : i + 1])[0, 0] for i in range(len(A))])

    def diag(self, A):
        return self.paired(A, A)
