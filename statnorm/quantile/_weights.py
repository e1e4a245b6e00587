"""The aggregation weights: forward maps, analytic gradients and the LP.

Notation: ``Z`` holds base predictions of shape (n, p, m) (rows, models, levels);
``tau`` the m levels; ``gidx`` maps each level to its weight group (coarse = one
group, medium = one group per level, ``tau_groups`` = bands). All losses are in
standardised target units and averaged over rows and levels.
"""

import itertools

import numpy as np


def softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(W, dW, axis=-1):
    return W * (dW - (W * dW).sum(axis=axis, keepdims=True))


def pinball_grad(y, Q, tau, w=None):
    """Mean pinball loss over rows and levels and its gradient w.r.t. Q.

    With row weights ``w`` the mean over rows is the weighted mean.
    """
    u = y[:, None] - Q
    neg = u < 0
    if w is None:
        loss = np.where(neg, (tau - 1.0) * u, tau * u).mean()
        dQ = -(tau - neg) / Q.size
        return float(loss), dQ
    r = w / (w.sum() * Q.shape[1])
    loss = float(r @ np.where(neg, (tau - 1.0) * u, tau * u).sum(axis=1))
    dQ = -(tau - neg) * r[:, None]
    return loss, dQ


def objective_grad_Q(y, Q, tau, lam, margin, w=None):
    """Pinball loss + lam * crossing penalty, and d/dQ."""
    loss, dQ = pinball_grad(y, Q, tau, w)
    if lam > 0:
        g = np.empty_like(Q)
        from ._kernels import crossing_penalty  # Numba: imported on first use

        pen = crossing_penalty(np.ascontiguousarray(Q), float(margin), g)
        loss += lam * pen
        dQ = dQ + lam * g
    return loss, dQ


# ---------------------------------------------------------------- global maps
def global_forward(theta, Z, gidx, fine):
    if fine:
        W = softmax(theta, axis=1)  # (m, p*m)
        return Z.reshape(Z.shape[0], -1) @ W.T, W
    W = softmax(theta, axis=1)  # (G, p)
    return np.einsum("ijk,kj->ik", Z, W[gidx]), W


def global_backward(W, Z, gidx, fine, dQ):
    if fine:
        dW = dQ.T @ Z.reshape(Z.shape[0], -1)
        return softmax_backward(W, dW, axis=1)
    dWl = np.einsum("ik,ijk->kj", dQ, Z)
    dW = np.zeros_like(W)
    np.add.at(dW, gidx, dWl)
    return softmax_backward(W, dW, axis=1)


# ----------------------------------------------------------------- local MLP
def elu(a):
    return np.where(a > 0, a, np.expm1(np.minimum(a, 0)))


def elu_grad(a, h):
    return np.where(a > 0, 1.0, h + 1.0)


def init_mlp(rng, n_in, hidden, n_out):
    params = []
    sizes = [n_in, *hidden]
    for a, b in itertools.pairwise(sizes):
        lim = np.sqrt(6.0 / (a + b))
        params += [rng.uniform(-lim, lim, size=(a, b)), np.zeros(b)]
    # zero output layer: every row starts at equal weights (quantile averaging)
    params += [np.zeros((sizes[-1], n_out)), np.zeros(n_out)]
    return params


def rowwise_matmul(A, B):
    """``A @ B`` whose row i depends on row i of A alone, bit for bit.

    BLAS picks its blocking (and so its summation order) from the number of
    rows, so ``(A @ B)[i]`` can change in the last bit with ``len(A)``;
    numpy's einsum loop sums each output element in a fixed order. Used at
    prediction so that a Dask array predicted block by block gives exactly
    the in-memory result (``tests/quantile/test_conformal.py``).
    """
    return np.einsum("ij,jk->ik", A, B)


def mlp_forward(params, X, rowwise=False):
    mm = rowwise_matmul if rowwise else np.matmul
    cache = []
    h = X
    L = len(params) // 2
    for layer in range(L - 1):
        a = mm(h, params[2 * layer]) + params[2 * layer + 1]
        cache.append((h, a))
        h = elu(a)
    out = mm(h, params[-2]) + params[-1]
    cache.append((h, None))
    return out, cache


def mlp_backward(params, cache, dout):
    grads = [None] * len(params)
    L = len(params) // 2
    h, _ = cache[-1]
    grads[-2] = h.T @ dout
    grads[-1] = dout.sum(axis=0)
    dh = dout @ params[-2].T
    for layer in range(L - 2, -1, -1):
        h_in, a = cache[layer]
        da = dh * elu_grad(a, elu(a))
        grads[2 * layer] = h_in.T @ da
        grads[2 * layer + 1] = da.sum(axis=0)
        if layer > 0:
            dh = da @ params[2 * layer].T
    return grads


def local_shape(p, m, n_groups, fine):
    return (m, p * m) if fine else (n_groups, p)


def local_forward(params, X, Z, gidx, fine, n_groups, rowwise=False):
    n, p, m = Z.shape
    logits, cache = mlp_forward(params, X, rowwise)
    if fine:
        W = softmax(logits.reshape(n, m, p * m), axis=2)
        Q = np.einsum("ikf,if->ik", W, Z.reshape(n, -1))
    else:
        W = softmax(logits.reshape(n, n_groups, p), axis=2)
        Q = np.einsum("ikj,ijk->ik", W[:, gidx, :], Z)
    return Q, W, cache


def local_backward(params, cache, W, Z, gidx, fine, dQ):
    n = Z.shape[0]
    if fine:
        dW = dQ[:, :, None] * Z.reshape(n, 1, -1)
    else:
        dWl = dQ[:, :, None] * np.transpose(Z, (0, 2, 1))  # (n, m, p)
        dW = np.zeros_like(W)
        np.add.at(dW, (slice(None), gidx), dWl)
    dlogits = softmax_backward(W, dW, axis=2).reshape(n, -1)
    return mlp_backward(params, cache, dlogits)


# ------------------------------------------------------------------------ LP
def lp_group_weights(Z, y, tau, levels, sample_weight=None):
    """Exact simplex weights minimising summed pinball over ``levels`` (HiGHS).

    ``sample_weight`` weights each row's pinball terms (integer weights give
    the same problem as repeating rows).
    """
    from scipy import sparse
    from scipy.optimize import linprog

    n, p, _ = Z.shape
    r = n * len(levels)
    A_top = np.concatenate([Z[:, :, k] for k in levels], axis=0)  # (r, p)
    eye = sparse.identity(r, format="csr")
    A = sparse.vstack(
        [
            sparse.hstack([sparse.csr_matrix(A_top), eye, -eye]),
            sparse.hstack(
                [sparse.csr_matrix(np.ones((1, p))), sparse.csr_matrix((1, 2 * r))]
            ),
        ],
        format="csr",
    )
    b = np.concatenate([np.tile(y, len(levels)), [1.0]])
    t = np.repeat(tau[levels], n)
    c = np.concatenate([np.zeros(p), t, 1.0 - t]) / r
    if sample_weight is not None:
        rw = np.tile(np.asarray(sample_weight, dtype=np.float64), len(levels))
        c[p:] *= np.tile(rw, 2) * (n / rw[:n].sum())
    res = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible
        raise RuntimeError(f"linprog failed: {res.message}")
    w = np.clip(res.x[:p], 0, None)
    return w / w.sum()
