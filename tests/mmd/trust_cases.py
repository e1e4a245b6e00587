"""Trust-battery cases for statnorm.mmd (see tests/test_trust.py)."""

import numpy as np

from statnorm import mmd
from statnorm.utils._trust import Case

_M = "statnorm.mmd"
_rng = np.random.default_rng(0)
_X = _rng.normal(size=(40, 3))
_Y = _rng.normal(size=(40, 3)) + 0.5
_XY = np.vstack([_X, _Y])
_lab = np.repeat([0, 1], 40)
_W = {"W": np.eye(3)[:, :2]}

_fitted = {}


def _learner():
    if "l" not in _fitted:
        _fitted["l"] = mmd.KernelLearner(
            featurizer="linear", n_components=2, max_iter=2, random_state=0
        ).fit(_XY, _lab)
        _fitted["d"] = mmd.MMDDetector().fit(_X)
    return _fitted


def _deep():
    return mmd.DeepKernel("linear", _W, sigma0=1.0, sigma=10.0, epsilon=0.1)


CASES = {
    f"{_M}.GaussianKernel": [
        Case(lambda A: mmd.GaussianKernel(2.0)(A), {"A": _X}, id="gram"),
        Case(
            lambda Z: mmd.GaussianKernel().bind(Z)(Z),
            {"Z": _X},
            id="median",
        ),
        Case(
            lambda bandwidth: mmd.GaussianKernel(bandwidth)(_X),
            {},
            params={"bandwidth": 2.0},
            bad_params={"bandwidth": [np.nan, -1.0, 0.0, "nope"]},
            id="bandwidth",
        ),
    ],
    f"{_M}.DeepKernel": [
        Case(lambda A: _deep()(A), {"A": _X}, id="gram"),
        Case(
            lambda weights, sigma0, epsilon: mmd.DeepKernel(
                "linear", weights, sigma0=sigma0, sigma=10.0, epsilon=epsilon
            )(_X),
            {},
            params={"weights": _W, "sigma0": 1.0, "epsilon": 0.1},
            bad_params={
                "weights": [{}, None, {"W": np.full((3, 2), np.nan)}],
                "sigma0": [np.nan, -1.0],
                "epsilon": [np.nan, 2.0],
            },
            id="params",
        ),
    ],
    f"{_M}.KernelLearner": [
        Case(
            lambda X, y: (
                mmd.KernelLearner(
                    featurizer="linear", n_components=2, max_iter=2, random_state=0
                )
                .fit(X, y)
                .transform(X)
            ),
            {"X": _XY, "y": _lab},
            skip={("y", "pd_string"): "population labels may be text"},
            id="fit",
        ),
        Case(lambda X: _learner()["l"].transform(X), {"X": _X}, id="transform"),
    ],
    f"{_M}.MMDDetector": [
        Case(lambda X: mmd.MMDDetector().fit(X).score_samples(X), {"X": _X}, id="fit"),
        Case(lambda X: _learner()["d"].score_samples(X), {"X": _Y}, id="score"),
    ],
    f"{_M}.MMDTest": [
        Case(
            lambda X, Y, random_state, n_permutations: mmd.MMDTest(
                n_permutations=n_permutations, random_state=random_state
            ).test(X, Y),
            {"X": _X, "Y": _Y},
            params={"random_state": 0, "n_permutations": 49},
            bad_params={"random_state": [-1, "a"], "n_permutations": [0, -3, 2.5]},
        ),
        Case(
            lambda X, Y, method, ties: mmd.MMDTest(
                method=method, ties=ties, n_permutations=19, random_state=0
            ).test(X, Y),
            {"X": _X, "Y": _Y},
            params={"method": "asymptotic", "ties": "randomized"},
            bad_params={"method": ["gamma", 1], "ties": ["random", None]},
            warns=UserWarning,  # method="asymptotic" is liberal: it says so
            id="method",
        ),
        Case(
            lambda X, Y, check_held_out: mmd.MMDTest(
                check_held_out=check_held_out, n_permutations=19, random_state=0
            ).test(X, Y),
            {"X": _X, "Y": _Y},
            params={"check_held_out": True},
            bad_params={"check_held_out": [None, 1]},
            id="check_held_out",
        ),
        Case(
            lambda X, Y, statistic, n_jobs, verbose: mmd.MMDTest(
                statistic=statistic,
                n_jobs=n_jobs,
                verbose=verbose,
                n_permutations=19,
                random_state=0,
            ).test(X, Y),
            {"X": _X, "Y": _Y},
            params={"statistic": "biased", "n_jobs": None, "verbose": 0},
            bad_params={"statistic": ["linear", 1], "n_jobs": ["2"]},
            id="statistic",
        ),
    ],
    f"{_M}.MMDTestResult": Case(
        lambda X, Y: (
            mmd.MMDTest(n_permutations=19, random_state=0).test(X, Y).summary()
        ),
        {"X": _X, "Y": _Y},
    ),
    f"{_M}.PowerCriterion": Case(
        lambda X, Y: mmd.power_criterion(X, Y), {"X": _X, "Y": _Y}
    ),
    f"{_M}.mmd2": Case(
        lambda X, Y, statistic: mmd.mmd2(X, Y, statistic=statistic),
        {"X": _X, "Y": _Y},
        params={"statistic": "unbiased"},
        bad_params={"statistic": ["nope", 1]},
    ),
    f"{_M}.split_populations": Case(
        lambda y, train_size, validation_size: np.concatenate(
            mmd.split_populations(
                y,
                train_size=train_size,
                validation_size=validation_size,
                random_state=0,
            )
        ),
        {"y": _lab},
        params={"train_size": 0.5, "validation_size": 0.2},
        bad_params={
            "train_size": [0.0, 1.0, np.nan, "a"],
            "validation_size": [-0.1, 1.0, np.nan],
        },
        skip={("y", "strings"): "population labels of any kind are valid"},
    ),
    f"{_M}.PopulationSplit": Case(
        lambda y: mmd.split_populations(y, random_state=0).test,
        {"y": _lab},
        skip={("y", "strings"): "population labels of any kind are valid"},
    ),
    f"{_M}.power_criterion": Case(
        lambda X, Y, lam: mmd.power_criterion(X, Y, lam=lam),
        {"X": _X, "Y": _Y},
        params={"lam": 1e-8},
        bad_params={"lam": [np.nan, -1.0, "a"]},
    ),
}


def _null_display(X, Y):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    res = mmd.MMDTest(n_permutations=19, random_state=0).test(X, Y)
    return mmd.MMDNullDisplay.from_result(res).null_distribution


CASES[f"{_M}.MMDNullDisplay"] = Case(_null_display, {"X": _X, "Y": _Y})


def _witness_display(X, Y):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    return mmd.MMDWitnessDisplay.from_samples(X, Y).witness


CASES[f"{_M}.MMDWitnessDisplay"] = Case(_witness_display, {"X": _X, "Y": _Y})


def _drift():
    if "drift" not in _fitted:
        _fitted["drift"] = mmd.MMDDriftDetector(n_permutations=19, random_state=0).fit(
            _X
        )
    return _fitted["drift"]


CASES[f"{_M}.MMDDriftDetector"] = [
    Case(
        lambda X: (
            mmd.MMDDriftDetector(n_permutations=19, random_state=0).fit(X).predict(_Y)
        ),
        {"X": _X},
        id="fit",
    ),
    Case(lambda X: _drift().predict(X), {"X": _Y}, id="predict"),
    Case(
        lambda X, p_val, n_permutations, method, random_state: (
            mmd.MMDDriftDetector(
                p_val=p_val,
                n_permutations=n_permutations,
                method=method,
                random_state=random_state,
            )
            .fit(X)
            .predict(_Y)
        ),
        {"X": _X},
        params={
            "p_val": 0.05,
            "n_permutations": 19,
            "method": "permutation",
            "random_state": 0,
        },
        bad_params={
            "p_val": [0.0, 1.0, -0.5, np.nan, "0.05", None],
            "n_permutations": [0, -3, 2.5],
            "method": ["gamma", 1],
            "random_state": [-1, "a"],
        },
        id="params",
    ),
    Case(
        lambda X, preprocess_fn: (
            mmd.MMDDriftDetector(
                n_permutations=19, preprocess_fn=preprocess_fn, random_state=0
            )
            .fit(X)
            .predict(_Y)
        ),
        {"X": _X},
        params={"preprocess_fn": np.tanh},
        bad_params={"preprocess_fn": ["tanh", 1]},
        id="preprocess_fn",
    ),
]
CASES[f"{_M}.MMDDriftResult"] = Case(
    lambda X: _drift().predict(X).as_alibi()["data"], {"X": _Y}
)

CASES[f"{_M}.EnergyKernel"] = [
    Case(lambda A: mmd.EnergyKernel()(A), {"A": _X}, id="gram"),
    Case(lambda Z: mmd.EnergyKernel().bind(Z)(Z), {"Z": _X}, id="bound"),
    Case(
        lambda exponent: mmd.EnergyKernel(exponent)(_X),
        {},
        params={"exponent": 1.0},
        bad_params={"exponent": [np.nan, -1.0, 0.0, 2.0, "1"]},
        id="exponent",
    ),
]
CASES[f"{_M}.energy_test"] = [
    Case(
        lambda X, Y, random_state, n_permutations: mmd.energy_test(
            X, Y, n_permutations=n_permutations, random_state=random_state
        ),
        {"X": _X, "Y": _Y},
        params={"random_state": 0, "n_permutations": 49},
        bad_params={"random_state": [-1, "a"], "n_permutations": [0, -3, 2.5]},
    ),
    Case(
        lambda X, Y, exponent, statistic: mmd.energy_test(
            X,
            Y,
            exponent=exponent,
            statistic=statistic,
            n_permutations=19,
            random_state=0,
        ),
        {"X": _X, "Y": _Y},
        params={"exponent": 1.5, "statistic": "unbiased"},
        bad_params={"exponent": [np.nan, 0.0, 2.0, "1"], "statistic": ["linear", 1]},
        id="params",
    ),
]
