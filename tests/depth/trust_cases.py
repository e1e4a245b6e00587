"""Trust-battery cases for statnorm.depth (see tests/test_trust.py)."""

import numpy as np

from statnorm import depth as dp
from statnorm.utils._trust import Case

_M = "statnorm.depth"
_rng = np.random.default_rng(0)
_F = _rng.normal(size=(40, 5)) + 3.0
_G = _rng.normal(size=(30, 5)) + 3.2
_dF = np.linspace(0.1, 0.9, 40)
_dG = np.linspace(0.05, 0.8, 30)


def _depth_cases(cls, **kw):
    fitted = {}

    def score(X):
        if not fitted:
            fitted["e"] = cls(**kw).fit(_F)
        return fitted["e"].score_samples(X)

    return [
        Case(lambda X: cls(**kw).fit(X).score_samples(X), {"X": _F}, id="fit"),
        Case(score, {"X": _G}, id="score_samples"),
    ]


def _mpl():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")


def _plot_dd(F, G):
    _mpl()
    return dp.DDPlotDisplay.from_samples(F, G)


def _plot_hist(depths_reference, depths_sample):
    _mpl()
    return dp.DepthHistogramDisplay.from_predictions(depths_reference, depths_sample)


class _ToyModel:
    """Stands in for a sentence-transformers model (no download)."""

    def encode(self, texts, **kw):
        return np.array([[len(t), 1.0] for t in texts])


def _embed(texts):
    return dp.embed_texts(texts, model=_ToyModel())


CASES = {
    f"{_M}.HalfspaceDepth": _depth_cases(
        dp.HalfspaceDepth, n_directions=50, random_state=0
    ),
    f"{_M}.MahalanobisDepth": _depth_cases(dp.MahalanobisDepth),
    f"{_M}.ProjectionDepth": _depth_cases(
        dp.ProjectionDepth, n_directions=50, random_state=0
    ),
    f"{_M}.SpatialDepth": _depth_cases(dp.SpatialDepth),
    f"{_M}.DepthClassifier": [
        Case(
            lambda X, y, method: (
                dp.DepthClassifier(method=method).fit(X, y).predict_proba(X)
            ),
            {"X": np.vstack([_F, _G]), "y": np.repeat([0, 1], [40, 30])},
            params={"method": "dd"},
            bad_params={"method": ["a", 1, None]},
            skip={("y", "pd_string"): "text class labels are valid (as in sklearn)"},
            id="dd",
        ),
        Case(
            lambda X: (
                dp.DepthClassifier(method="max-depth")
                .fit(np.vstack([_F, _G]), np.repeat(["a", "b"], [40, 30]))
                .predict(X)
            ),
            {"X": _G},
            id="max_depth_predict",
        ),
    ],
    f"{_M}.TTEDepth": [
        *_depth_cases(dp.TTEDepth),
        Case(
            lambda X, sample_weight: (
                dp.TTEDepth("chord").fit(X, sample_weight=sample_weight).depths_
            ),
            {"X": _F, "sample_weight": np.linspace(0.5, 2.0, 40)},
            skip={("sample_weight", "none"): "None is the default (no weights)"},
            id="fit_weighted",
        ),
    ],
    f"{_M}.DepthTestResult": Case(
        lambda F, G: dp.depth_rank_sum_test(F, G).summary(), {"F": _F, "G": _G}
    ),
    f"{_M}.depth_rank_sum_test": [
        Case(
            lambda F, G, random_state, n_permutations: dp.depth_rank_sum_test(
                F,
                G,
                method="permutation",
                n_permutations=n_permutations,
                random_state=random_state,
            ),
            {"F": _F, "G": _G},
            params={"random_state": 0, "n_permutations": 19},
            bad_params={
                "random_state": [-1, "a"],
                "n_permutations": [0, -5, 2.5],
            },
        ),
        Case(
            lambda F, G, method: dp.depth_rank_sum_test(
                F, G, method=method, n_permutations=19
            ),
            {"F": _F, "G": _G},
            params={"method": "auto"},
            bad_params={"method": ["exact", 1, None]},
            id="method",
        ),
    ],
    f"{_M}.embed_texts": Case(
        _embed,
        {},
        params={"texts": ["a text", "another text"]},
        bad_params={"texts": [None, 3, [1, 2], "one string", []]},
    ),
    f"{_M}.DDPlotDisplay": Case(_plot_dd, {"F": _F, "G": _G}),
    f"{_M}.DepthHistogramDisplay": Case(
        _plot_hist, {"depths_reference": _dF, "depths_sample": _dG}
    ),
    f"{_M}.q_liu_singh": Case(
        lambda depths_reference, depths_sample: dp.q_liu_singh(
            depths_reference, depths_sample
        ),
        {"depths_reference": _dF, "depths_sample": _dG},
    ),
    f"{_M}.q_tte_depth": Case(
        lambda depths_reference, depths_sample: dp.q_tte_depth(
            depths_reference, depths_sample
        ),
        {"depths_reference": _dF, "depths_sample": _dG},
    ),
    f"{_M}.select_central": Case(
        lambda X, n, return_depth: dp.select_central(X, n=n, return_depth=return_depth),
        {"X": _F},
        params={"n": 3, "return_depth": True},
        bad_params={"n": [0, -1, 2.5, "a"], "return_depth": [None, 1]},
    ),
}
