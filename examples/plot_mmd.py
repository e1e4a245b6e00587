"""
Detecting ChatGPT answers with learned-kernel MMD tests (MMD-MP vs MMD-D)
=========================================================================

Two-sample tests on sentence embeddings of TruthfulQA answers: human answers
against ChatGPT answers written under three different prompts, i.e. three
machine-text populations. We compare three kernels for the permutation test:

* the Gaussian kernel with the median-heuristic bandwidth,
* a deep kernel learned by **MMD-D** (Liu et al. 2020): maximise the full
  ``MMD^2 / sigma`` on training minibatches,
* a deep kernel learned by **MMD-MP** (Zhang et al. 2024): the same, but with
  the machine-machine term dropped from the statistic and its variance, so the
  kernel need not make different machine populations look alike.

Kernels are learned on the answers to 400 questions; all tests use the other
417 questions only (testing on training data would inflate the type I error).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from statnorm.datasets import load_mgt_embeddings
from statnorm.mmd import KernelLearner, MMDDetector, MMDTest

pops = ["chatgpt", "chatgpt_prompt1", "chatgpt_prompt2"]
embs = [load_mgt_embeddings("truthfulqa", machine=p, dtype=np.float64) for p in pops]
H = embs[0].human
rng = np.random.default_rng(0)
q = rng.permutation(len(H))
train, test = q[:400], q[400:]

scenarios = {
    "one population (chatgpt)": [embs[0].machine],
    "three populations": [e.machine for e in embs],
}

# %%
# Learn the kernels for each scenario and measure test power: the fraction of
# 30 random pairs of sets (n human vs n machine answers, machine answers drawn
# from the pooled populations) in which the test rejects at level 0.05.
sizes = [4, 6, 8, 12]
reps = 30
results = {}
for scen, machines in scenarios.items():
    Xtr = np.vstack([H[train]] + [m[train] for m in machines])
    ytr = np.repeat(np.arange(len(machines) + 1), len(train))
    kernels = {"median heuristic": "gaussian"}
    for obj in ("mmd-mp", "mmd-d"):
        kl = KernelLearner(obj, n_components=32, max_iter=60, random_state=0)
        kernels[obj.upper()] = kl.fit(Xtr, ytr).kernel_
    Hte = H[test]
    Mte = np.vstack([m[test] for m in machines])
    # TruthfulQA repeats some answers word for word: drop test answers equal
    # to a training answer (MMDTest refuses samples holding several of them)
    seen_by = kernels["MMD-MP"]
    Hte, Mte = Hte[~seen_by.seen_in_training(Hte)], Mte[~seen_by.seen_in_training(Mte)]
    # a held-out human reference set for the detector, disjoint from Hte
    ref, Hte = Hte[:150], Hte[150:]
    power = {}
    auroc = {}
    for name, k in kernels.items():
        g = np.random.default_rng(1)
        power[name] = []
        for n in sizes:
            rej = 0
            for rep in range(reps):
                i = g.choice(len(Hte), n, replace=False)
                j = g.choice(len(Mte), n, replace=False)
                res = MMDTest(k, n_permutations=99, random_state=rep).test(
                    Hte[i], Mte[j]
                )
                rej += res.pvalue <= 0.05
            power[name].append(rej / reps)
        det = MMDDetector(k).fit(ref)
        scores = np.r_[det.score_samples(Hte), det.score_samples(Mte)]
        auroc[name] = roc_auc_score(
            np.r_[np.zeros(len(Hte)), np.ones(len(Mte))], scores
        )
    results[scen] = (power, auroc)
    print(scen)
    for name in kernels:
        print(f"  {name:17s} power {power[name]}  AUROC {auroc[name]:.3f}")

# %%
# Power against the number of answers per side, and the single-instance
# detector's AUROC (one answer scored against a 150-answer held-out human
# reference set) in the legend.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, (scen, (power, auroc)) in zip(axes, results.items()):
    for name, p in power.items():
        ax.plot(sizes, p, "o-", label=f"{name} (AUROC {auroc[name]:.2f})")
    ax.axhline(0.05, color="k", ls=":", lw=1)
    ax.set(title=f"Human vs {scen}", xlabel="answers per side", ylim=(0, 1.02))
    ax.legend(fontsize=8, loc="lower right")
axes[0].set_ylabel("power at level 0.05")
fig.tight_layout()
plt.show()

# %%
# Each point above is 30 tests from one question split: its Monte Carlo
# standard error is up to 0.09, too large to rank MMD-MP against MMD-D. The
# method page reports the ranking over 5 question splits x 200 repetitions
# with standard errors: with statnorm's default training protocol on these
# MiniLM embeddings MMD-D has the higher set-level power at small n, and the
# two detectors' AUROC (against a held-out human reference set) is at parity.
