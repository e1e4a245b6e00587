"""Write ``betacal_reference.npz``: Beta calibration fitted by the ``betacal``
package (PyPI, version 1.1.0; ``BetaCalibration(parameters="abm")``).

Run from the repository root: ``python tests/calibration/data/make_betacal_reference.py``.
Binary: betacal on the softmax probability of class 1 of two-column logits,
without and with integer sample weights. Three classes: one betacal map per
class on the softmax probability of that class, rows normalised to sum to one
(one-vs-rest, as scikit-learn normalises its one-vs-rest calibrators).
"""

from pathlib import Path

import numpy as np
from betacal import BetaCalibration
from scipy.special import softmax

rng = np.random.default_rng(20261204)


def logits(n, C):
    y = rng.integers(0, C, n)
    Z = rng.normal(size=(n, C)) * 1.5
    Z[np.arange(n), y] += 1.0
    # a miscalibrated classifier: over-confident for some classes
    return Z * np.linspace(0.6, 1.8, C), y


def fit_predict(p, t, q, w=None):
    bc = BetaCalibration(parameters="abm").fit(p, t, sample_weight=w)
    return bc.predict(q), np.asarray(bc.calibrator_.map_[:2]), bc.predict(p)


out = {}
Zb, yb = logits(500, 2)
Qb, _ = logits(200, 2)
wb = rng.integers(0, 4, 500).astype(float)
out["binary_fit_logits"], out["binary_fit_y"] = Zb, yb
out["binary_test_logits"], out["binary_weights"] = Qb, wb
p, q = softmax(Zb, axis=1)[:, 1], softmax(Qb, axis=1)[:, 1]
out["binary_proba"], out["binary_ab"], out["binary_fit_proba"] = fit_predict(p, yb, q)
(
    out["binary_weighted_proba"],
    out["binary_weighted_ab"],
    out["binary_weighted_fit_proba"],
) = fit_predict(p, yb, q, wb)

Zm, ym = logits(600, 3)
Qm, _ = logits(200, 3)
out["multi_fit_logits"], out["multi_fit_y"], out["multi_test_logits"] = Zm, ym, Qm
Pm, PQ = softmax(Zm, axis=1), softmax(Qm, axis=1)
cols, abs_ = [], []
for k in range(3):
    pk, ab, _ = fit_predict(Pm[:, k], (ym == k).astype(int), PQ[:, k])
    cols.append(pk)
    abs_.append(ab)
Q = np.column_stack(cols)
out["multi_proba"] = Q / Q.sum(axis=1, keepdims=True)
out["multi_ab"] = np.array(abs_)
np.savez_compressed(Path(__file__).with_name("betacal_reference.npz"), **out)
