"""Accuracy table of DepthClassifier (docs/methods/depth.rst).

Run ``python tests/depth/mc_classifier.py [n_replications]``: two centred
Gaussian classes in 2-D with standard deviations 1 and 3, 100 training and
1000 test points per class; mean test accuracy with its Monte Carlo standard
error. ``test_classifier.py`` holds the check that can fail.
"""

import sys

import numpy as np
from scipy import stats
from sklearn.discriminant_analysis import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)

from statnorm.depth import (
    DepthClassifier,
    HalfspaceDepth,
    MahalanobisDepth,
    ProjectionDepth,
)


def problem(rng, n, d=2, scale=3.0):
    X = np.vstack([rng.normal(size=(n, d)), scale * rng.normal(size=(n, d))])
    return X, np.repeat([0, 1], n)


def main(reps):
    c = 4 * np.log(3) / (1 - 1 / 9)
    print("Bayes rate", (stats.chi2.cdf(c, 2) + stats.chi2.sf(c / 9, 2)) / 2)
    clfs = {
        "LDA": LinearDiscriminantAnalysis(),
        "QDA": QuadraticDiscriminantAnalysis(),
        "max-depth, spatial": DepthClassifier(method="max-depth"),
        "DD logistic, spatial": DepthClassifier(),
        "DD k-NN, spatial": DepthClassifier(classifier="knn"),
        "DD logistic, Mahalanobis": DepthClassifier(MahalanobisDepth()),
        "DD logistic, projection": DepthClassifier(
            ProjectionDepth(n_directions=200, random_state=0)
        ),
        "DD logistic, halfspace": DepthClassifier(
            HalfspaceDepth(n_directions=200, random_state=0)
        ),
    }
    acc = {k: [] for k in clfs}
    for r in range(reps):
        rng = np.random.default_rng(r)
        X, y = problem(rng, 100)
        Xt, yt = problem(rng, 1000)
        for k, clf in clfs.items():
            acc[k].append(clf.fit(X, y).score(Xt, yt))
    for k, a in acc.items():
        a = np.asarray(a)
        print(f"{k:26s} {a.mean():.4f} ({a.std(ddof=1) / np.sqrt(reps):.4f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
