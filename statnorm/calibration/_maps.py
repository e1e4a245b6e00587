"""Monotone maps of the log-softmax used by HCalibrator, with hand-derived gradients.

Every map takes ``Z`` (log-softmax of the logits, all entries <= 0) and returns
log-probabilities; ``backward(G)`` takes d(loss)/d(probabilities) and returns
the gradient with respect to the flat parameter vector. Each map is a single
increasing scalar function applied to every entry (or, for the ensemble, a
mixture of order-preserving softmaxes), so the arg-max of every row is kept.
"""

from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator

from .._validation import Interval

_LOGIT_RANGE = 100.0  # the authors' input range of the piecewise-linear map


def _softmax_backward(P, Gp):
    """d(loss)/d(logits) from d(loss)/d(softmax(logits))."""
    return P * (Gp - np.sum(P * Gp, axis=1, keepdims=True))


class _PiecewiseLinear:
    """``u = -g(-z)`` with ``g`` continuous, increasing, piecewise linear.

    ``x = -z`` lies in [0, inf); K equal segments of width ``100 / K`` cover
    [0, 100], the (K+1)-th slope continues beyond 100. Slopes are ``|theta|``,
    initialised to 1 (the identity map).
    """

    def __init__(self, n_segments):
        self.K = int(n_segments)
        self.delta = _LOGIT_RANGE / self.K

    def init_params(self, Z, rng):
        return np.ones(self.K + 1)

    def init_temperature(self, Z, rng, inv_t):
        """Parameters that make the map temperature scaling with ``1 / T =
        inv_t`` (every slope ``inv_t``: ``u = inv_t * z``)."""
        return np.full(self.K + 1, float(inv_t))

    def forward(self, theta, Z):
        from ._kernels import pwlinear_logits

        slopes = np.abs(theta)
        cum = np.concatenate(([0.0], np.cumsum(slopes[:-1] * self.delta)))
        Z = np.ascontiguousarray(Z, dtype=np.float64)
        U = np.empty(Z.shape)
        seg = np.empty(Z.shape, dtype=np.intp)
        frac = np.empty(Z.shape)
        pwlinear_logits(Z, slopes, cum, float(self.delta), U, seg, frac)
        return log_softmax(U, axis=1), (seg, frac)

    def backward(self, theta, Z, cache, P, Gp):
        seg, frac = cache
        Gu = _softmax_backward(P, Gp)
        w = -Gu  # dL/dg
        nb = self.K + 1
        partial = np.bincount(seg.ravel(), weights=(w * frac).ravel(), minlength=nb)
        cnt = np.bincount(seg.ravel(), weights=w.ravel(), minlength=nb)
        # slope k < seg contributes a full segment delta
        above = np.concatenate((np.cumsum(cnt[::-1])[::-1][1:], [0.0]))
        g_abs = partial + self.delta * above
        return g_abs * np.sign(theta)

    def describe(self):
        return {"map": "pwlinear", "n_segments": self.K}


class _TemperatureEnsemble:
    """``P = sum_m w_m softmax(a_m z)``, ``a = |theta|``, ``w = |omega| / sum |omega|``.

    Initialised as the authors do (Kaiming-uniform, bound ``1 / sqrt(M)``).
    """

    def __init__(self, n_members):
        self.M = int(n_members)

    def init_params(self, Z, rng):
        b = 1.0 / np.sqrt(self.M)
        return rng.uniform(-b, b, size=2 * self.M)

    def init_temperature(self, Z, rng, inv_t):
        """Temperature scaling up to a weight of ``1e-6`` per other member:
        one member at ``a = inv_t`` with weight 1, the others spread over
        ``inv_t * exp([-1, 1])`` with weight ``1e-6`` (not 0, so that their
        weights have a gradient)."""
        a = float(inv_t) * np.exp(np.linspace(-1.0, 1.0, self.M))
        om = np.full(self.M, 1e-6)
        k = self.M // 2 if self.M > 1 else 0
        a[k] = float(inv_t)
        om[k] = 1.0
        return np.concatenate((a, om))

    def forward(self, theta, Z):
        a = np.abs(theta[: self.M])
        om = np.abs(theta[self.M :])
        w = om / om.sum()
        logQs = []
        logP = None
        for m in range(self.M):
            lq = log_softmax(a[m] * Z, axis=1)
            logQs.append(lq)
            term = lq + np.log(w[m]) if w[m] > 0 else np.full_like(lq, -np.inf)
            logP = term if logP is None else np.logaddexp(logP, term)
        return logP, (a, w, om.sum(), logQs)

    def backward(self, theta, Z, cache, P, Gp):
        _, w, osum, logQs = cache
        ga = np.empty(self.M)
        gw = np.empty(self.M)
        for m in range(self.M):
            Q = np.exp(logQs[m])
            gw[m] = np.sum(Gp * Q)
            ga[m] = w[m] * np.sum(_softmax_backward(Q, Gp) * Z)
        g_om = (gw - np.dot(w, gw)) / osum if osum > 0 else np.zeros(self.M)
        return np.concatenate(
            (ga * np.sign(theta[: self.M]), g_om * np.sign(theta[self.M :]))
        )

    def describe(self):
        return {"map": "ts_ensemble", "n_members": self.M}


class _MonotoneNetwork:
    """``u = -sigma * F((x - mu) / sigma)``, ``F(s) = int (ELU(MLP(t)) + 1) dt``.

    The unconstrained monotone network of Wehenkel & Louppe as the authors use
    it, with the integral taken once on a fixed grid of ``n_grid`` nodes
    spanning the standardised training inputs (trapezoid rule, linear
    interpolation between nodes, linear extrapolation with the end slopes)
    instead of a Clenshaw-Curtis quadrature per entry: the map is a scalar
    function of a scalar, so one grid serves every entry and the cost of a
    step no longer grows with ``n_samples * n_classes * n_nodes``.
    """

    def __init__(self, hidden_sizes, n_grid=257):
        self.hidden = tuple(int(h) for h in hidden_sizes)
        self.n_grid = int(n_grid)

    def _shapes(self):
        sizes = (1, *self.hidden, 1)
        return [
            ((sizes[i], sizes[i + 1]), (sizes[i + 1],)) for i in range(len(sizes) - 1)
        ]

    def init_params(self, Z, rng):
        x = -Z.ravel()
        self.mu = float(x.mean())
        self.sigma = float(x.std()) or 1.0
        s = (x - self.mu) / self.sigma
        lo, hi = float(s.min()), float(s.max())
        pad = 0.05 * (hi - lo) + 1e-3
        self.grid = np.linspace(lo - pad, hi + pad, self.n_grid)
        parts = []
        for (fi, fo), _ in self._shapes():
            b = 1.0 / np.sqrt(fi)
            parts.append(rng.uniform(-b, b, size=fi * fo))
            parts.append(rng.uniform(-b, b, size=fo))
        return np.concatenate(parts)

    def init_temperature(self, Z, rng, inv_t):
        """The network's initialisation with its output layer set so that the
        integrand is the constant ``inv_t`` (``ELU(o) + 1 = inv_t``): then
        ``u = inv_t * z`` up to a row constant, temperature scaling. The
        output weights start at 0 and receive a gradient at the first step."""
        theta = self.init_params(Z, rng)
        inv_t = float(inv_t)
        o = inv_t - 1.0 if inv_t >= 1.0 else np.log(inv_t)
        n_out = self.hidden[-1]
        theta[-(n_out + 1) : -1] = 0.0
        theta[-1] = o
        return theta

    def _unpack(self, theta):
        out, k = [], 0
        for (fi, fo), _ in self._shapes():
            W = theta[k : k + fi * fo].reshape(fi, fo)
            k += fi * fo
            b = theta[k : k + fo]
            k += fo
            out.append((W, b))
        return out

    def _integrand(self, theta):
        layers = self._unpack(theta)
        h = self.grid[:, None]
        acts = [h]
        pre = []
        for i, (W, b) in enumerate(layers):
            a = h @ W + b
            pre.append(a)
            h = np.maximum(a, 0.0) if i < len(layers) - 1 else a
            acts.append(h)
        o = pre[-1][:, 0]
        v = np.where(o > 0, o + 1.0, np.exp(np.minimum(o, 0.0)))  # ELU(o) + 1
        return v, (layers, acts, pre, o)

    def _grid_F(self, v):
        dt = np.diff(self.grid)
        return np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * dt)))

    def forward(self, theta, Z):
        v, net = self._integrand(theta)
        F = self._grid_F(v)
        s = (-Z - self.mu) / self.sigma
        G = self.grid
        q = np.clip(np.searchsorted(G, s, side="right") - 1, 0, len(G) - 2)
        lam = (s - G[q]) / (G[q + 1] - G[q])
        inside = (lam >= 0) & (lam <= 1)
        below = lam < 0
        val = (1 - lam) * F[q] + lam * F[q + 1]
        val = np.where(below, F[0] + v[0] * (s - G[0]), val)
        above = lam > 1
        val = np.where(above, F[-1] + v[-1] * (s - G[-1]), val)
        U = -self.sigma * val
        logP = log_softmax(U, axis=1)
        return logP, (v, net, F, s, q, lam, inside, below, above)

    def backward(self, theta, Z, cache, P, Gp):
        _, (layers, acts, pre, o), _, s, q, lam, inside, below, above = cache
        n = len(self.grid)
        gval = -self.sigma * _softmax_backward(P, Gp)
        gF = np.bincount(
            q[inside], weights=(gval * (1 - lam))[inside], minlength=n
        ) + np.bincount(q[inside] + 1, weights=(gval * lam)[inside], minlength=n)
        gv = np.zeros(n)
        gF[0] += gval[below].sum()
        gv[0] += (gval * (s - self.grid[0]))[below].sum()
        gF[-1] += gval[above].sum()
        gv[-1] += (gval * (s - self.grid[-1]))[above].sum()
        # F_q = sum_{r<q} (v_r + v_{r+1}) dt_r / 2
        dt = np.diff(self.grid)
        tail = np.cumsum(gF[::-1])[::-1]  # sum_{q >= r} gF_q
        gseg = tail[1:] * 0.5 * dt  # gradient of segment r's half-sum
        gv[:-1] += gseg
        gv[1:] += gseg
        go = gv * np.where(o > 0, 1.0, np.exp(np.minimum(o, 0.0)))
        grads = []
        delta = go[:, None]
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            grads.append((acts[i].T @ delta).ravel())
            grads.append(delta.sum(axis=0))
            if i > 0:
                delta = (delta @ W.T) * (pre[i - 1] > 0)
        out = []
        for i in range(len(layers)):
            gW = grads[2 * (len(layers) - 1 - i)]
            gb = grads[2 * (len(layers) - 1 - i) + 1]
            out += [gW, gb]
        return np.concatenate(out)

    def describe(self):
        return {"map": "monotone_nn", "hidden_layer_sizes": self.hidden}


def make_map(name, n_segments=10, n_members=16, hidden_sizes=(10, 10)):
    if name == "pwlinear":
        return _PiecewiseLinear(n_segments)
    if name == "ts_ensemble":
        return _TemperatureEnsemble(n_members)
    if name == "monotone_nn":
        return _MonotoneNetwork(hidden_sizes)
    raise ValueError(f"unknown map {name!r}")


# ------------------------------------------------------------ public strategies
class PiecewiseLinearMap(BaseEstimator):
    """Strategy for :class:`HCalibrator`: a continuous piecewise-linear map.

    On ``x = -log p`` in [0, 100], ``n_segments`` equal segments with
    non-negative slopes (one more beyond 100); initialised to the identity.
    ``HCalibrator(map="pwlinear")`` is shorthand for ``PiecewiseLinearMap()``.

    Parameters
    ----------
    n_segments : int, default=10
        Number of segments.

    Examples
    --------
    >>> from statnorm.calibration import HCalibrator, PiecewiseLinearMap
    >>> HCalibrator(map=PiecewiseLinearMap(n_segments=4)).get_params()["map__n_segments"]
    4
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_segments": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_segments=10):
        self.n_segments = n_segments

    def _build(self):
        self._validate_params()
        return _PiecewiseLinear(self.n_segments)


class TemperatureEnsembleMap(BaseEstimator):
    """Strategy for :class:`HCalibrator`: a mixture of temperature-scaled softmaxes.

    ``p = sum_m w_m softmax(a_m z)`` with learned ``a_m > 0`` and simplex
    weights ``w``. ``HCalibrator(map="ts_ensemble")`` is shorthand for
    ``TemperatureEnsembleMap()``.

    Parameters
    ----------
    n_members : int, default=16
        Members of the ensemble.

    Examples
    --------
    >>> from statnorm.calibration import TemperatureEnsembleMap
    >>> TemperatureEnsembleMap(n_members=4)
    TemperatureEnsembleMap(n_members=4)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_members": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_members=16):
        self.n_members = n_members

    def _build(self):
        self._validate_params()
        return _TemperatureEnsemble(self.n_members)


class MonotoneNetworkMap(BaseEstimator):
    """Strategy for :class:`HCalibrator`: an unconstrained monotone network.

    ``u = -sigma F((x - mu) / sigma)`` with ``F`` the integral of
    ``ELU(MLP) + 1`` (Wehenkel & Louppe), integrated on a fixed grid.
    ``HCalibrator(map="monotone_nn")`` is shorthand for
    ``MonotoneNetworkMap()``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(10, 10)
        Hidden layers of the MLP.
    n_grid : int, default=257
        Integration nodes.

    Examples
    --------
    >>> from statnorm.calibration import MonotoneNetworkMap
    >>> MonotoneNetworkMap(hidden_layer_sizes=(5,)).hidden_layer_sizes
    (5,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": [tuple, list],
        "n_grid": [Interval(Integral, 3, None, closed="left")],
    }

    def __init__(self, hidden_layer_sizes=(10, 10), *, n_grid=257):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.n_grid = n_grid

    def _build(self):
        self._validate_params()
        hs = np.asarray(self.hidden_layer_sizes)
        if hs.ndim != 1 or hs.size == 0 or hs.dtype.kind not in "iu" or np.any(hs < 1):
            raise ValueError(
                "hidden_layer_sizes must be a non-empty sequence of positive ints; "
                f"got {self.hidden_layer_sizes!r}."
            )
        return _MonotoneNetwork(self.hidden_layer_sizes, n_grid=self.n_grid)


MAP_SHORTHANDS = {
    "pwlinear": PiecewiseLinearMap,
    "ts_ensemble": TemperatureEnsembleMap,
    "monotone_nn": MonotoneNetworkMap,
}


def resolve_map(spec, name="map"):
    """A map strategy object for a string shorthand or a strategy instance."""
    if isinstance(spec, str) and spec in MAP_SHORTHANDS:
        return MAP_SHORTHANDS[spec]()
    if isinstance(
        spec, PiecewiseLinearMap | TemperatureEnsembleMap | MonotoneNetworkMap
    ):
        return spec
    raise ValueError(
        f"{name} must be one of {sorted(MAP_SHORTHANDS)} or a PiecewiseLinearMap, "
        f"TemperatureEnsembleMap or MonotoneNetworkMap. Got {spec!r} instead."
    )
