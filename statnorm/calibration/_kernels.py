"""Numba kernels of statnorm.calibration (no validation, plain arrays only).

The h-calibration objective is evaluated on events already sorted by their
predicted probability. One sort serves every leave-one-class-out pass: the
events kept in pass ``c`` (those whose *row* label differs from ``c``) appear
in the global sorted order in exactly the order a fresh sort of the kept rows
would give (ties aside), so each pass is a masked compaction plus prefix sums,
O(M) instead of O(M log M).
"""

import math

import numpy as np

from .._numba import njit, prange

_GROUP_EPS = 1e-5  # the authors' guard in the per-group mean (count + 1e-5)


@njit
def _kmeans_counts(p, row_label, c, m, n_groups, n_lloyd, pk, ps, gcnt):
    """Sizes of the 1-D k-means groups of the kept sorted probabilities.

    Lloyd's algorithm on sorted values keeps every cluster contiguous, so the
    clusters are rank intervals: start from equal-mass intervals (quantile
    initialisation), then ``n_lloyd`` times put each boundary where the
    midpoint of the neighbouring centroids falls (binary search), with
    centroids from prefix sums. Deterministic; an emptied cluster keeps its
    previous centroid.
    """
    r = 0
    ps[0] = 0.0
    for j in range(p.shape[0]):
        if row_label[j] == c:
            continue
        pk[r] = p[j]
        ps[r + 1] = ps[r] + p[j]
        r += 1
    G = n_groups
    b = np.empty(G + 1, dtype=np.int64)
    for g in range(G + 1):
        b[g] = (g * m + G - 1) // G
    cent = np.empty(G)
    for g in range(G):
        if b[g + 1] > b[g]:
            cent[g] = (ps[b[g + 1]] - ps[b[g]]) / (b[g + 1] - b[g])
        else:
            cent[g] = pk[min(b[g], m - 1)]
    for _ in range(n_lloyd):
        changed = False
        for g in range(1, G):
            mid = 0.5 * (cent[g - 1] + cent[g])
            lo, hi = 0, m
            while lo < hi:
                h = (lo + hi) // 2
                if pk[h] < mid:
                    lo = h + 1
                else:
                    hi = h
            lo = max(lo, b[g - 1])
            if lo != b[g]:
                b[g] = lo
                changed = True
        for g in range(G):
            if b[g + 1] > b[g]:
                cent[g] = (ps[b[g + 1]] - ps[b[g]]) / (b[g + 1] - b[g])
        if not changed:
            break
    for g in range(G):
        gcnt[g] = b[g + 1] - b[g]


def hcal_objective(
    d, row_label, classes, half, eps, n_groups, grad, p, n_lloyd, n_blocks, threads
):
    """Objective and gradient on sorted events.

    Parameters
    ----------
    d : float64 (M,)
        ``p - o`` of every event, in ascending order of ``p``.
    row_label : int32 (M,)
        Label of the row each sorted event belongs to.
    classes : int64 (k,)
        The classes whose leave-one-class-out passes are averaged (all of
        them for the authors' objective, a subset for a sub-sampled step);
        empty means one pass over every event (no leave-one-class-out).
    half : int
        Half window: the window holds ``2 * half + 1`` events and the sum is
        divided by ``2 * half + 1`` (the authors' ``veclen + 1``).
    eps : float
        Hinge threshold.
    n_groups : int
        Number of probability groups.
    grad : float64 (M,)
        Output, overwritten with d(objective)/d(p) in sorted order.
    p : float64 (M,)
        The sorted probabilities (read only when ``n_lloyd > 0``).
    n_lloyd : int
        0: equal-mass groups by rank; otherwise 1-D k-means groups after
        ``n_lloyd`` Lloyd iterations from equal-mass initialisation.
    n_blocks : int
        The passes run in this many fixed blocks of classes (see
        :func:`_objective_py`); chosen from the shapes only.
    threads : bool
        Run the blocks on Numba's threads (bit-identical to the serial run).

    Returns
    -------
    value : float

    Notes
    -----
    A Python function around the compiled kernels: the k-means group sizes
    are computed first, by a kernel that compiles only when k-means grouping
    is used, so the default (equal-mass) path compiles no k-means code, and
    the ``parallel=True`` compilation happens only when threads are used.
    """
    gtab = _group_table(row_label, classes, n_groups, p, n_lloyd, threads)
    n_blocks = max(1, n_blocks)
    n_lab = max(row_label.max(initial=-1), classes.max(initial=-1)) + 1
    counts = np.bincount(row_label, minlength=n_lab).astype(np.int64, copy=False)
    R = 4
    while 4 * half + 4 > R:
        R *= 2
    # every buffer allocated here, none in the kernel: each distinct
    # np.empty / np.zeros signature inside a kernel is one more compilation
    # (about 0.1 s each on first use)
    rings = np.empty((n_blocks, 2, R))
    ranks = np.empty((n_blocks, R), dtype=np.int64)
    gcnt = np.zeros((n_blocks, n_groups))
    G = np.zeros((n_blocks, d.shape[0]))
    vals = np.zeros(n_blocks)
    kernel = _objective_threads if threads else _objective_serial
    return kernel(
        d, row_label, classes, half, eps, n_groups, grad, gtab, counts, rings,
        ranks, gcnt, G, vals,
    )  # fmt: skip


_NO_GROUPS = np.zeros((0, 0))


def _group_table(row_label, classes, n_groups, p, n_lloyd, threads):
    """Group sizes of every pass (one row per class of ``classes``, or one
    row for the pass over every event), or an empty table for equal-mass
    groups, which :func:`_objective_py` computes itself."""
    if n_lloyd <= 0:
        return _NO_GROUPS
    kernel = _kmeans_table_threads if threads else _kmeans_table
    return kernel(p, row_label, classes, n_groups, n_lloyd)


def _kmeans_table_py(p, row_label, classes, n_groups, n_lloyd):
    """The k-means group sizes of each leave-class-out pass (row ``i`` for
    ``classes[i]``; one row for the pass over every event when ``classes``
    is empty), see :func:`_kmeans_counts`."""
    m_all = p.shape[0]
    n_pass = classes.shape[0]
    n_lab = 0
    for j in range(m_all):
        n_lab = max(n_lab, row_label[j] + 1)
    for i in range(n_pass):
        n_lab = max(n_lab, classes[i] + 1)
    counts = np.zeros(n_lab, dtype=np.int64)
    for j in range(m_all):
        counts[row_label[j]] += 1
    n_rows = max(n_pass, 1)
    gtab = np.zeros((n_rows, n_groups))
    for i in prange(n_rows):
        if n_pass == 0:
            c, m = -1, m_all
        else:
            c = classes[i]
            m = m_all - counts[c]
        if m > 0:
            pk = np.empty(m_all)
            ps = np.empty(m_all + 1)
            _kmeans_counts(p, row_label, c, m, n_groups, n_lloyd, pk, ps, gtab[i])
    return gtab


_kmeans_table = njit(_kmeans_table_py)
_kmeans_table_threads = njit(_kmeans_table_py, parallel=True)


def _objective_py(
    d, row_label, classes, half, eps, n_groups, grad, gtab, counts, rings, ranks,
    gcnt_b, G, vals,
):  # fmt: skip
    """The leave-one-class-out passes in ``n_blocks`` fixed blocks (block
    ``b`` holds ``classes[b::n_blocks]``; with no ``classes``, one block
    holding the one pass that keeps every event), each block with its own
    buffers and gradient accumulator, reduced in block order at the end.

    The blocks depend only on the data (``n_blocks`` is chosen from the
    shapes by the caller), never on the number of threads: the serial
    compilation and the ``parallel=True`` one run the same additions in the
    same order, so the value and the gradient are bit-identical for every
    ``n_jobs``.

    Pass ``c`` keeps the events whose row label is not ``c`` and is a single
    sweep over the sorted events: the prefix sum of ``p - o`` over the kept
    events, the window value ``T`` of rank ``r - half`` and the gradient of
    rank ``r - 2 half`` are all produced while reading rank ``r``, so the
    prefix sums live in small ring buffers (``s``, ``a``, ``jr`` of length
    ``R``, a power of two >= 4 half + 4) that stay in cache. The group sizes
    are row ``i`` of ``gtab`` (k-means groups, :func:`_kmeans_table`), or,
    when ``gtab`` has no rows, equal-mass groups by rank. Each pass's
    gradient is scaled by ``1 / len(classes)``.

    One function, with no compiled callee (Numba re-optimises a callee's
    code inside every caller) and no allocation (the buffers come from
    :func:`hcal_objective`): the former three-level call chain compiled
    about four times as slowly on first use.
    """
    m_all = d.shape[0]
    n_pass = classes.shape[0]
    n_blocks = G.shape[0]
    mask = rings.shape[2] - 1
    width = 2.0 * half + 1.0
    for b in prange(n_blocks):
        s = rings[b, 0]
        a = rings[b, 1]
        jr = ranks[b]
        gcnt = gcnt_b[b]
        grad_b = G[b]
        if n_pass == 0:
            # the one pass that keeps every event (class -1, which no row has)
            start, stop, scale = 0, 1, 1.0
        else:
            start, stop, scale = b, n_pass, 1.0 / n_pass
        total = 0.0
        for i in range(start, stop, n_blocks):
            if n_pass == 0:
                c, m = -1, m_all
            else:
                c = classes[i]
                m = m_all - counts[c]
            if m == 0:
                continue
            if gtab.shape[0] > 0:
                for g in range(n_groups):
                    gcnt[g] = gtab[i, g]
            else:
                # equal-mass groups in rank: group g holds ranks r with
                # (r * G) // m == g
                for g in range(n_groups):
                    lo = (g * m + n_groups - 1) // n_groups
                    hi = ((g + 1) * m + n_groups - 1) // n_groups
                    gcnt[g] = hi - lo
            value = 0.0
            g = 0
            g_end = gcnt[0]  # first rank of the next group
            w = 1.0 / (n_groups * (gcnt[0] + _GROUP_EPS))
            s[0] = 0.0
            a[0] = 0.0
            # the newest prefix sums also live in registers (s_run = s[r + 1],
            # a_run = a[k + 1]): reading them back from the ring would put a
            # store-to-load round trip on every iteration's dependency chain
            s_run = 0.0
            a_run = 0.0
            r = 0
            for j in range(m_all):
                if row_label[j] == c:
                    continue
                s_run += d[j]
                s[(r + 1) & mask] = s_run
                jr[r & mask] = j
                k = r - half
                if k >= 0:
                    while k >= g_end:
                        g += 1
                        g_end += gcnt[g]
                        w = 1.0 / (n_groups * (gcnt[g] + _GROUP_EPS))
                    t = (s_run - s[max(0, k - half) & mask]) / width
                    ak = 0.0
                    if abs(t) - eps > 0.0:
                        value += (abs(t) - eps) * w
                        ak = math.copysign(w / width, t)
                    a_run += ak
                    a[(k + 1) & mask] = a_run
                    q = k - half
                    if q >= 0:
                        grad_b[jr[q & mask]] += scale * (
                            a_run - a[max(0, q - half) & mask]
                        )
                r += 1
            # the last ranks, whose windows are cut by the end of the sequence
            for k in range(max(0, m - half), m):
                while k >= g_end:
                    g += 1
                    g_end += gcnt[g]
                    w = 1.0 / (n_groups * (gcnt[g] + _GROUP_EPS))
                t = (s_run - s[max(0, k - half) & mask]) / width
                ak = 0.0
                if abs(t) - eps > 0.0:
                    value += (abs(t) - eps) * w
                    ak = math.copysign(w / width, t)
                a_run += ak
                a[(k + 1) & mask] = a_run
            for q in range(max(0, m - 2 * half), m):
                hi = min(m - 1, q + half)
                grad_b[jr[q & mask]] += scale * (
                    a[(hi + 1) & mask] - a[max(0, q - half) & mask]
                )
            total += value
        vals[b] = total
    for j in range(m_all):
        tot = 0.0
        for b in range(n_blocks):
            tot += G[b, j]
        grad[j] = tot
    total = 0.0
    for b in range(n_blocks):
        total += vals[b]
    return total / n_pass if n_pass > 0 else total


_objective_serial = njit(_objective_py)
_objective_threads = njit(_objective_py, parallel=True)


@njit
def pwlinear_logits(Z, slopes, cum, delta, U, seg, frac):
    """The continuous piecewise-linear map of the log-softmax in one pass:
    ``x = -Z``, segment ``k = min(floor(x / delta), K)``, ``frac = x - k
    delta`` and ``U = -(cum[k] + slopes[k] frac)`` (the same operations, in
    the same order, as the numpy expression they replace)."""
    n, C = Z.shape
    K = slopes.shape[0] - 1
    for i in range(n):
        for k in range(C):
            x = -Z[i, k]
            t = x / delta
            q = K if t >= K else int(math.floor(t))  # also x = inf
            f = x - q * delta
            seg[i, k] = q
            frac[i, k] = f
            U[i, k] = -(cum[q] + slopes[q] * f)


@njit
def ts_moments(Zc, zyc, w, b):
    """First and second derivative of the weighted mean NLL of
    ``softmax(b * Zc)`` in ``b``, in one pass over the rows: the weighted
    means of ``E[z] - z_y`` and of ``Var[z]`` under each row's softmax.
    ``Zc`` holds each row minus its maximum (entries <= 0), so no
    exponential overflows."""
    n, C = Zc.shape
    d1 = 0.0
    d2 = 0.0
    for i in range(n):
        s = 0.0
        s1 = 0.0
        s2 = 0.0
        for k in range(C):
            z = Zc[i, k]
            e = math.exp(b * z)
            s += e
            s1 += e * z
            s2 += e * z * z
        m1 = s1 / s
        d1 += w[i] * (m1 - zyc[i])
        d2 += w[i] * (s2 / s - m1 * m1)
    return d1, d2


@njit
def gather_events(p_flat, y, n_classes, order, p_sorted, d, row_label):
    """The sorted events in one pass: ``p_sorted = p_flat[order]``,
    ``d = p_sorted - o[order]`` (``o`` the one-hot labels) and the label of
    each event's row."""
    for j in range(order.shape[0]):
        k = order[j]
        row = k // n_classes
        lab = y[row]
        p = p_flat[k]
        p_sorted[j] = p
        d[j] = p - 1.0 if k - row * n_classes == lab else p
        row_label[j] = lab


@njit
def scatter_back(values, order, out):
    """``out[order] = values``."""
    for j in range(order.shape[0]):
        out[order[j]] = values[j]


@njit
def radix_argsort(key, idx, idx2):
    """Stable argsort of float64 ``key`` (no NaN) by LSD radix sort, into
    ``idx`` (int32 or int64 buffers ``idx`` and ``idx2`` of ``key``'s size;
    the returned array is one of them).

    The keys are mapped to unsigned integers in the same order (negative
    floats bit-inverted, the sign bit set on the others, ``-0.0`` read as
    ``+0.0`` as numpy compares them), then sorted 11 bits at a time; a digit
    that every key shares is skipped. Equal keys keep their index order, so
    this is ``np.argsort(key, kind="stable")`` exactly, 2-4x faster.
    """
    n = key.shape[0]
    u = np.empty(n, dtype=np.uint64)
    u2 = np.empty(n, dtype=np.uint64)
    kv = key.view(np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    for i in range(n):
        b = kv[i]
        if b == sign:  # -0.0
            u[i] = sign
        elif b & sign:
            u[i] = ~b
        else:
            u[i] = b | sign
        idx[i] = i
    nb = 1 << 11
    mask = np.uint64(nb - 1)
    cnt = np.empty(nb, dtype=np.int64)
    for shift in range(0, 64, 11):
        sh = np.uint64(shift)
        cnt[:] = 0
        for i in range(n):
            cnt[(u[i] >> sh) & mask] += 1
        shared = False
        for b in range(nb):
            if cnt[b] != 0:
                shared = cnt[b] == n
                break
        if shared:
            continue
        tot = 0
        for b in range(nb):
            c = cnt[b]
            cnt[b] = tot
            tot += c
        for i in range(n):
            b = (u[i] >> sh) & mask
            q = cnt[b]
            cnt[b] = q + 1
            u2[q] = u[i]
            idx2[q] = idx[i]
        u, u2 = u2, u
        idx, idx2 = idx2, idx
    return idx


@njit
def skce_pairs(E, P, bandwidth):
    """Unbiased quadratic SKCE: mean over i<j of k(p_i,p_j) <e_i, e_j>.

    ``E = onehot(y) - P``; kernel ``exp(-||p_i - p_j||_2 / bandwidth)``.
    """
    n, c = E.shape
    acc = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dist = 0.0
            dot = 0.0
            for k in range(c):
                diff = P[i, k] - P[j, k]
                dist += diff * diff
                dot += E[i, k] * E[j, k]
            acc += np.exp(-np.sqrt(dist) / bandwidth) * dot
    return acc / (n * (n - 1) / 2.0)


@njit
def skce_kernel_matrix(P, bandwidth):
    """Kernel matrix ``exp(-||p_i - p_j|| / bandwidth)`` with zero diagonal."""
    n, c = P.shape
    K = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            dist = 0.0
            for k in range(c):
                diff = P[i, k] - P[j, k]
                dist += diff * diff
            v = np.exp(-np.sqrt(dist) / bandwidth)
            K[i, j] = v
            K[j, i] = v
    return K
