"""
The bundled data sets
=====================

statnorm ships small real data sets so that every example runs offline. This
script loads each one and draws what each method will work on: the
confidence of a CIFAR-10 classifier, the compositions of Roman glass cups, and
the cosine similarity of human and ChatGPT answer embeddings.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from statnorm.datasets import load_cifar10_logits, load_mgt_embeddings, load_roman_cups

logits, y = load_cifar10_logits("test", return_X_y=True)
z = logits - logits.max(axis=1, keepdims=True)
proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
confidence = proba.max(axis=1)
correct = proba.argmax(axis=1) == y
print(
    f"CIFAR-10 test: accuracy {correct.mean():.4f}, mean confidence {confidence.mean():.4f}"
)

# %%
# An overconfident classifier: in each confidence bin, the accuracy is lower
# than the confidence. This gap is what recalibration closes.
bins = np.linspace(0.5, 1.0, 11)
idx = np.clip(np.digitize(confidence, bins) - 1, 0, len(bins) - 2)
acc = np.array(
    [correct[idx == b].mean() if (idx == b).any() else np.nan for b in range(10)]
)
mid = (bins[:-1] + bins[1:]) / 2

cups = load_roman_cups()
emb = load_mgt_embeddings("truthfulqa", machine="chatgpt")
paired = np.einsum("ij,ij->i", emb.human, emb.machine)
shuffled = np.einsum("ij,ij->i", emb.human, np.roll(emb.machine, 1, axis=0))

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
axes[0].plot([0.5, 1], [0.5, 1], "k:", lw=1)
axes[0].plot(mid, acc, "o-")
axes[0].set(xlabel="confidence", ylabel="accuracy", title="CIFAR-10 DenseNet-40")
logc = np.log(cups.data)
axes[1].boxplot(logc - logc.mean(axis=1, keepdims=True), tick_labels=cups.feature_names)
axes[1].set(ylabel="clr coordinate", title="Roman glass cups (clr)")
axes[2].hist(paired, bins=30, alpha=0.7, label="same question")
axes[2].hist(shuffled, bins=30, alpha=0.7, label="different question")
axes[2].set(xlabel="cosine(human, ChatGPT)", title="TruthfulQA embeddings")
axes[2].legend()
fig.tight_layout()
plt.show()
