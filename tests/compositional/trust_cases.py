"""Trust-battery cases for statnorm.compositional (see tests/test_trust.py)."""

import numpy as np

from statnorm import compositional as cp
from statnorm.utils._trust import Case

_M = "statnorm.compositional"
_rng = np.random.default_rng(0)
_X = _rng.uniform(0.5, 2.0, size=(30, 5))
_C = _X / _X.sum(1, keepdims=True)
_Z = cp.clr(_C)
_A = cp.alr(_C)
_I = cp.ilr(_C)

_fitted = {}


def _pcor():
    if "p" not in _fitted:
        _fitted["p"] = cp.CompositionalPartialCorrelation().fit(_C)
    return _fitted["p"]


def _transformer(cls, inv):
    fitted = {}

    def fit_transform(X):
        return cls().fit(X).transform(X)

    def inverse(X):
        if not fitted:
            fitted["t"] = cls().fit(_C)
        return fitted["t"].inverse_transform(X)

    return [
        Case(fit_transform, {"X": _C}, id="fit_transform"),
        Case(inverse, {"X": inv}, id="inverse_transform"),
    ]


_plot = {}


def _mpl():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")


def _plot_pcor(max_parts, annotate=True):
    _mpl()
    return cp.PartialCorrelationDisplay.from_estimator(
        _pcor(), max_parts=max_parts, annotate=annotate
    )


def _plot_net(threshold, label=True):
    _mpl()
    return cp.PartialCorrelationNetworkDisplay.from_edges(
        _pcor().top_edges(5), threshold=threshold, label=label
    )


CASES = {
    f"{_M}.ALRTransformer": _transformer(cp.ALRTransformer, _A),
    f"{_M}.CLRTransformer": _transformer(cp.CLRTransformer, _Z),
    f"{_M}.ILRTransformer": _transformer(cp.ILRTransformer, _I),
    f"{_M}.CompositionalPartialCorrelation": [
        Case(
            lambda X: cp.CompositionalPartialCorrelation().fit(X),
            {"X": _C},
            id="fit",
        ),
        Case(
            lambda k, block_size: _pcor().top_edges(k, block_size=block_size),
            {},
            params={"k": 3, "block_size": None},
            bad_params={"k": [0, -1, 2.5, "a"], "block_size": [0, -5, 1.5]},
            id="top_edges",
        ),
        Case(
            lambda threshold, block_size: _pcor().edges(
                threshold, block_size=block_size
            ),
            {},
            params={"threshold": 0.1, "block_size": None},
            bad_params={"threshold": [np.nan, -0.5, 1.5], "block_size": [0, -2]},
            id="edges",
        ),
        Case(
            lambda fdr: _pcor().edges(fdr=fdr, method="by"),
            {},
            params={"fdr": 0.1},
            bad_params={"fdr": [0, 1, -0.5, np.nan, "a"]},
            id="edges_fdr",
        ),
        Case(
            lambda X, sample_weight: cp.CompositionalPartialCorrelation().fit(
                X, sample_weight=sample_weight
            ),
            {"X": _C, "sample_weight": np.arange(1.0, 31.0)},
            skip={("sample_weight", "none"): "None is the default (equal weights)"},
            id="fit_weighted",
        ),
        Case(
            lambda X, covariates: cp.CompositionalPartialCorrelation().fit(
                X, covariates=covariates
            ),
            {"X": _C, "covariates": _rng.normal(size=(30, 2))},
            skip={("covariates", "none"): "None is the default (no covariates)"},
            id="fit_covariates",
        ),
    ],
    f"{_M}.PartialCorrelationEdges": Case(lambda: _pcor().top_edges(3).summary(), {}),
    f"{_M}.PartialCorrelationFDR": Case(
        lambda n_permutations: _pcor().permutation_fdr(
            n_permutations=n_permutations, random_state=0
        ),
        {},
        params={"n_permutations": 5},
        bad_params={"n_permutations": [0, -1, 2.5, "a"]},
    ),
    f"{_M}.PartialCorrelationInterval": [
        Case(
            lambda confidence_level: _pcor().confidence_interval(confidence_level),
            {},
            params={"confidence_level": 0.9},
            bad_params={"confidence_level": [0, 1, 1.5, np.nan, "a"]},
            id="fisher",
        ),
        Case(
            lambda n_bootstrap: _pcor().confidence_interval(
                method="bootstrap", n_bootstrap=n_bootstrap, random_state=0
            ),
            {},
            params={"n_bootstrap": 5},
            bad_params={"n_bootstrap": [0, -3, 1.5]},
            id="bootstrap",
        ),
    ],
    f"{_M}.alr": Case(lambda X: cp.alr(X), {"X": _C}),
    f"{_M}.alr_inv": Case(lambda A: cp.alr_inv(A), {"A": _A}),
    f"{_M}.closure": Case(lambda X: cp.closure(X), {"X": _X}),
    f"{_M}.clr": Case(lambda X: cp.clr(X), {"X": _C}),
    f"{_M}.clr_inv": Case(lambda Z: cp.clr_inv(Z), {"Z": _Z}),
    f"{_M}.ilr": Case(lambda X: cp.ilr(X), {"X": _C}),
    f"{_M}.ilr_basis": Case(
        lambda n_parts: cp.ilr_basis(n_parts),
        {},
        params={"n_parts": 4},
        bad_params={"n_parts": [0, 1, -3, 2.5, "a"]},
    ),
    f"{_M}.ilr_inv": Case(lambda Y: cp.ilr_inv(Y), {"Y": _I}),
    f"{_M}.multiplicative_replacement": Case(
        lambda X: cp.multiplicative_replacement(X), {"X": np.where(_C > 0.25, 0, _C)}
    ),
    f"{_M}.PartialCorrelationNetworkDisplay": Case(
        _plot_net,
        {},
        params={"threshold": 0.0, "label": True},
        bad_params={"threshold": [np.nan, -1], "label": [None, 1]},
    ),
    f"{_M}.PartialCorrelationDisplay": Case(
        _plot_pcor,
        {},
        params={"max_parts": 60, "annotate": False},
        bad_params={"max_parts": [0, -1, "a"], "annotate": [None, 0]},
    ),
}
