"""
Partial correlations of Roman glass cups
========================================

Oxide percentages of 47 Romano-British glass cups are parts of a whole: they
sum to 100, so ordinary correlations between them are distorted by the
closure. Log-ratio partial correlations (Erb, 2020) are not: the partial
correlation of two parts is the correlation of their log-ratios to any third
part once all other log-ratios are held fixed, and it does not depend on
which reference part is chosen.

This example shows what partial correlation adds: aluminium and iron look
unrelated in clr coordinates, but are strongly associated given the rest of
the glass recipe.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from statnorm.compositional import (
    CompositionalPartialCorrelation,
    PartialCorrelationDisplay,
    PartialCorrelationNetworkDisplay,
    alr,
    clr,
)
from statnorm.datasets import load_roman_cups

cups = load_roman_cups(as_frame=True)
X = cups.data
names = list(X.columns)
est = CompositionalPartialCorrelation().fit(X)
print(est.summary(max_rows=6))

# %%
# Al and Fe: no marginal association, a strong partial one
# --------------------------------------------------------
# Left: clr coordinates of Al and Fe (correlation near zero). Right: the
# residuals of log(Al/Sb) and log(Fe/Sb) after regressing out the log-ratios of
# all other parts to Sb. Their correlation is the partial correlation, and any
# reference part other than Al and Fe gives the same residuals.
al, fe, sb = names.index("Al"), names.index("Fe"), names.index("Sb")
Z = clr(X.to_numpy())
A = alr(X.to_numpy(), reference=sb)  # columns: every part except Sb
ia, ifr = al, fe  # Sb is last, so the indices are unchanged
others = [k for k in range(A.shape[1]) if k not in (ia, ifr)]
C = np.column_stack([np.ones(len(A)), A[:, others]])


def residual(y):
    return y - C @ np.linalg.lstsq(C, y, rcond=None)[0]


ra, rf = residual(A[:, ia]), residual(A[:, ifr])
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].scatter(Z[:, al], Z[:, fe], s=15)
axes[0].set(
    xlabel="clr(Al)",
    ylabel="clr(Fe)",
    title=f"clr correlation {np.corrcoef(Z[:, al], Z[:, fe])[0, 1]:+.3f}",
)
axes[1].scatter(ra, rf, s=15, color="tab:red")
axes[1].set(
    xlabel="log(Al/Sb) | others",
    ylabel="log(Fe/Sb) | others",
    title=f"partial correlation {np.corrcoef(ra, rf)[0, 1]:+.4f}",
)
fig.tight_layout()

# %%
# The whole matrix and the strongest pairs
# ----------------------------------------
# The t-test of a partial correlation has n - D + 1 = 37 degrees of freedom:
# in the D - 1 log-ratio coordinates each pair is adjusted for D - 3 others.
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
PartialCorrelationDisplay.from_estimator(est, ax=axes[0], annotate=False)
PartialCorrelationNetworkDisplay.from_estimator(est, threshold=0.4, ax=axes[1])
fig.tight_layout()

# %%
# Standardising first is a mistake
# --------------------------------
# The clr covariance is singular (its rows sum to zero). Inverting the
# correlation matrix instead of the covariance moves the null vector and
# gives different, wrong "partial correlations".
G = est.clr_covariance_
d = np.sqrt(np.diag(G))
P_wrong = np.linalg.pinv(G / np.outer(d, d))
s = np.sqrt(np.diag(P_wrong))
R_wrong = -P_wrong / np.outer(s, s)
np.fill_diagonal(R_wrong, 1)
print(
    f"largest error of the standardise-first shortcut: "
    f"{np.abs(R_wrong - est.partial_correlation_).max():.3f}"
)

# %%
# Shrinkage for more parts than samples
# -------------------------------------
# Basis shrinkage shrinks the covariance of log-proportions (Schäfer-Strimmer
# intensity), projects it to clr and inverts it. On the cups little shrinkage
# is needed; the strongest pairs stay the same.
shr = CompositionalPartialCorrelation(shrinkage="basis").fit(X)
print(f"basis shrinkage intensity {shr.shrinkage_:.4f}")
print(shr.top_edges(4))

# %%
# Which pairs are significant? Control the false discovery rate
# -------------------------------------------------------------
# The 11 parts make 55 pairs. Benjamini-Hochberg on the t-test p-values keeps
# the pairs significant at FDR 5%, with Fisher-z confidence intervals (the
# standard error is 1 / sqrt(df - 1)). Under shrinkage there is no t-test:
# the permutation FDR (each part permuted over the cups, as propr's
# updateCutoffs) and bootstrap intervals take its place.
print(est.edges(fdr=0.05))
ci = est.confidence_interval(0.95)
print(ci.summary(max_rows=4))
print(shr.edges(fdr=0.05, method="permutation", n_permutations=100, random_state=0))
plt.show()
