"""A direct, slow re-statement of the authors' h-calibration loop (numpy only).

Written from the description of ``hcalib_subfunc`` / ``hcalibration``: per
leave-one-class-out subset, re-sort the events, zero-pad by window/2 on both
sides, take the full convolution with a box of window + 1 ones divided by
window + 1, hinge, average within groups, average groups, average subsets.
Groups are equal-mass in rank (statnorm's deterministic replacement of the
authors' k-means).
"""

import numpy as np


def kmeans_groups(p, n_groups, n_iter=25):
    """Plain 1-D Lloyd on sorted values from equal-mass initialisation: each
    value goes to its nearest centroid; an emptied cluster keeps its
    centroid."""
    m = len(p)
    g = (np.arange(m) * n_groups) // m
    cent = np.array([p[g == k].mean() for k in range(n_groups)])
    for _ in range(n_iter):
        new = np.argmin(np.abs(p[:, None] - cent[None, :]), axis=1)
        for k in range(n_groups):
            if (new == k).any():
                cent[k] = p[new == k].mean()
        if np.array_equal(new, g):
            break
        g = new
    return g


def slow_hcal(P, y, window, eps, n_groups, iterate, grouping="equal_mass"):
    n, C = P.shape
    subsets = [y != c for c in range(C)] if iterate else [np.ones(n, bool)]
    vals = []
    for keep in subsets:
        Pk, yk = P[keep], y[keep]
        if Pk.shape[0] == 0:
            vals.append(0.0)
            continue
        O = np.zeros_like(Pk)
        O[np.arange(len(yk)), yk] = 1.0
        p, o = Pk.ravel(), O.ravel()
        order = np.argsort(p, kind="stable")
        p, o = p[order], o[order]
        a = p * (1 - o)
        b = (1 - p) * o
        h = window // 2
        box = np.ones(window + 1) / (window + 1)
        ca = np.convolve(np.pad(a, h), box, mode="valid")
        cb = np.convolve(np.pad(b, h), box, mode="valid")
        T = np.abs(ca - cb)
        e = np.maximum(T - eps, 0.0)
        m = len(e)
        if grouping == "kmeans":
            g = kmeans_groups(p, n_groups)
        else:
            g = (np.arange(m) * n_groups) // m
        loss = 0.0
        for k in range(n_groups):
            sel = g == k
            loss += e[sel].sum() / (sel.sum() + 1e-5)
        vals.append(loss / n_groups)
    return float(np.mean(vals))
