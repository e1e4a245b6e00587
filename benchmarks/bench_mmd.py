"""statnorm.mmd: permutation test against hyppo, kernel-learning cost.

- ``PermutationTest``: statnorm's ``MMDTest`` (one kernel matrix, all
  permutations by blocked GEMMs) at n = m in {250, 1000, 2000} rows of 384
  features per side and P in {100, 1000} permutations.
- ``PermutationTestVsHyppo``: the same test next to hyppo's
  ``ksample.MMD().test(auto=False, workers=1)`` (median-bandwidth Gaussian,
  permutation null) on the same data. hyppo costs about a second per
  permutation at n = 1000 on a shared 2-core machine, so the pair is timed at
  P = 20 only; hyppo's time is linear in P (it recomputes the statistic on
  each permuted matrix), so its P = 1000 time is about 50 x its P = 20 time
  minus the fixed part, to compare with ``PermutationTest`` at P = 1000.
- ``EnergyTestVsPeers``: the energy-distance permutation test
  (``statnorm.mmd.energy_test``: the MMDTest engine with the distance-induced
  kernel) next to ``dcor.homogeneity.energy_test`` and hyppo's
  ``ksample.Energy().test(auto=False, workers=1)`` on the same data (n = m
  rows of 10 features, P = 200 permutations; both peers recompute the
  statistic on a permuted N x N distance matrix per permutation). Measured
  once on the shared 2-core machine (load average about 10; CPU seconds,
  wall in brackets): n = 100: statnorm 0.003 (0.003), dcor 0.014 (0.042),
  hyppo 0.12 (0.42); n = 500: statnorm 0.056 (0.18), dcor 0.54 (1.95),
  hyppo 9.4 (29.0); n = 1000: statnorm 0.26 (1.24), dcor 3.1 (17.8), hyppo
  38.6 (582). So
  dcor costs about 5-12x and hyppo about 40-170x statnorm's CPU time.
- ``KernelLearning``: one Adam epoch of ``KernelLearner`` on 400 + 400
  TruthfulQA embeddings (two minibatches of 200 + 200, the paper's size), and
  one objective-and-gradient evaluation at 200 + 200 with 300 output features.
- ``MultiPopulationPower``: when does MMD-MP help? Human = N(0, I_10), machine
  = an equal mixture of three Gaussians shifted by ``delta`` along three
  different axes (``delta = 1.5``: overlapping populations; ``3``: separated).
  Kernels (16 features, no validation split) are learned on 300 + 300 rows and the power of the permutation test
  (99 permutations, randomized ties, level 0.05) at n = m = 10 is tracked
  over 100 fresh test samples. Measured with 4 training seeds x 100 tests
  (paired MP - D, s.e. over the 400 paired tests): overlapping, n = 10: MP
  0.165, D 0.203, MP - D -0.037 +- 0.013 (n = 20: -0.035 +- 0.014);
  separated, n = 10: MP 0.823, D 0.835, MP - D -0.013 +- 0.010 (n = 20:
  0.995 vs 0.998). MMD-D is at least as powerful on these mixtures; the
  difference is clear only when the populations overlap.
- ``DriftDetection``: ``MMDDriftDetector`` fitted on a reference of 1,000
  rows of 32 features, then ``predict`` on 5 batches of ``n_batch`` rows (P =
  500 permutations), next to the loop a user would otherwise write, one
  ``MMDTest(random_state=0).test(X_ref, batch)`` per batch (the same p-values).
  The natural peer, alibi-detect's ``MMDDrift``, is not timed: its wheel
  installs, but it needs a TensorFlow or PyTorch backend, and the PyPI builds
  of either are several GB here (CPU-only PyTorch wheels are on another index),
  so the comparison is with the hand-written MMDTest loop.
"""

import warnings

import numpy as np

from .common import QUICK, Benchmark, rng, skip_unless_available


def _data(n, d=384, shift=0.0):
    g = rng(n)
    return g.normal(size=(n, d)), g.normal(shift, 1.0, size=(n, d))


class PermutationTest(Benchmark):
    params = ([250, 1000, 2000], [100, 1000])
    param_names = ["n_per_side", "n_permutations"]

    def setup(self, n, P):
        if QUICK and n == 2000:
            raise NotImplementedError("quick mode: smaller sizes only")
        self.MMDTest = skip_unless_available("statnorm.mmd", "MMDTest")
        self.X, self.Y = _data(n)
        self.MMDTest(n_permutations=2).test(self.X[:5], self.Y[:5])

    def time_statnorm(self, n, P):
        self.MMDTest(n_permutations=P, random_state=0).test(self.X, self.Y)

    def peakmem_statnorm(self, n, P):
        self.MMDTest(n_permutations=P, random_state=0).test(self.X, self.Y)


class PermutationTestVsHyppo(Benchmark):
    params = ([250, 1000], [20])
    param_names = ["n_per_side", "n_permutations"]
    timeout = 600

    def setup(self, n, P):
        self.MMDTest = skip_unless_available("statnorm.mmd", "MMDTest")
        self.HyppoMMD = skip_unless_available("hyppo.ksample", "MMD")
        self.X, self.Y = _data(n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.HyppoMMD().test(
                self.X[:20], self.Y[:20], reps=2, workers=1, auto=False
            )

    def time_statnorm(self, n, P):
        self.MMDTest(n_permutations=P, random_state=0).test(self.X, self.Y)

    def time_peer_hyppo(self, n, P):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.HyppoMMD().test(self.X, self.Y, reps=P, workers=1, auto=False)


class KernelLearning(Benchmark):
    params = (["mmd-mp", "mmd-d"], ["linear", "mlp"])
    param_names = ["objective", "featurizer"]

    def setup(self, objective, featurizer):
        KernelLearner = skip_unless_available("statnorm.mmd", "KernelLearner")
        from statnorm.datasets import load_mgt_embeddings

        emb = load_mgt_embeddings("truthfulqa", machine="chatgpt", dtype=np.float64)
        self.X = np.vstack([emb.human[:400], emb.machine[400:800]])
        self.y = np.repeat([0, 1], 400)
        self.learner = KernelLearner(
            objective,
            featurizer=featurizer,
            n_components=32,
            max_iter=1,
            batch_size=200,
            validation_fraction=0.0,
            random_state=0,
        )
        from statnorm.mmd._kernel import _sq_dists
        from statnorm.mmd._learn import _loss_and_grad

        self.f = _loss_and_grad
        g = rng(1)
        d, r, h = 384, 300, 64
        size = d * r if featurizer == "linear" else d * h + h + h * r
        self.theta = np.concatenate([[0.0, 1.0, -20.0], g.normal(0, 0.05, size)])
        self.Z = self.X[np.r_[0:200, 400:600]]
        self.Dr = _sq_dists(self.Z)
        self.args = (featurizer, d, r, h, objective == "mmd-mp")

    def time_epoch(self, objective, featurizer):
        self.learner.fit(self.X, self.y)

    def time_objective_and_gradient_200x200_r300(self, objective, featurizer):
        self.f(self.theta, self.Z, 200, self.Dr, *self.args)


def _mixture(g, n, delta, d=10, k=3):
    X = g.normal(size=(n, d))
    X[np.arange(n), g.integers(k, size=n)] += delta
    return X


class MultiPopulationPower(Benchmark):
    params = (["mmd-mp", "mmd-d"], [1.5, 3.0])
    param_names = ["objective", "delta"]
    timeout = 300

    def setup(self, objective, delta):
        KernelLearner = skip_unless_available("statnorm.mmd", "KernelLearner")
        g = rng(3)
        X = np.vstack([g.normal(size=(300, 10)), _mixture(g, 300, delta)])
        y = np.repeat([0, 1], 300)
        self.kernel = (
            KernelLearner(objective, n_components=16, max_iter=100, random_state=0)
            .fit(X, y)
            .kernel_
        )
        self.delta = delta

    def track_power_n10(self, objective, delta):
        from statnorm.mmd import MMDTest

        g = rng(4)
        reps = 20 if QUICK else 100
        rej = 0
        for rep in range(reps):
            X, Y = g.normal(size=(10, 10)), _mixture(g, 10, self.delta)
            test = MMDTest(
                self.kernel, n_permutations=99, ties="randomized", random_state=rep
            )
            rej += test.test(X, Y).pvalue <= 0.05
        return rej / reps

    track_power_n10.unit = "power"


class BlockedPermutationTestMemory(Benchmark):
    """Peak memory of MMDTest above 8,000 pooled rows (row blocks of the Gram matrix).

    Before the blocked path, n = m = 10,000 peaked at 6.1 GiB and n = m =
    20,000 failed allocating the 11.9 GiB Gram matrix.
    """

    params = ([5000, 20000], [99])
    param_names = ["n_per_side", "n_permutations"]
    timeout = 600

    def setup(self, n, P):
        if QUICK and n > 5000:
            raise NotImplementedError("quick mode: smaller sizes only")
        self.MMDTest = skip_unless_available("statnorm.mmd", "MMDTest")
        self.X, self.Y = _data(n, d=10)

    def peakmem_statnorm(self, n, P):
        self.MMDTest(n_permutations=P, random_state=0).test(self.X, self.Y)


class EnergyTestVsPeers(Benchmark):
    """Energy-distance permutation test (P = 200): statnorm, dcor, hyppo, same data.

    One parameter picks the implementation, so a missing peer skips (in
    ``setup``) only its own rows.
    """

    params = ([100, 500, 1000], ["statnorm", "dcor", "hyppo"])
    param_names = ["n_per_side", "implementation"]
    timeout = 600
    n_permutations = 200

    def setup(self, n, impl):
        if QUICK and n > 500:
            raise NotImplementedError("quick mode: smaller sizes only")
        self.X, self.Y = _data(n, d=10, shift=0.1)
        P = self.n_permutations
        if impl == "statnorm":
            energy_test = skip_unless_available("statnorm.mmd", "energy_test")
            self.run = lambda: energy_test(
                self.X, self.Y, n_permutations=P, random_state=0
            )
        elif impl == "dcor":
            dcor_test = skip_unless_available("dcor.homogeneity", "energy_test")
            self.run = lambda: dcor_test(
                self.X, self.Y, num_resamples=P, random_state=0
            )
        else:
            Energy = skip_unless_available("hyppo.ksample", "Energy")

            def run():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    Energy(bias=True).test(
                        self.X, self.Y, reps=P, workers=1, auto=False
                    )

            self.run = run
        # warm-up on a small sample (numba compilation in the peers)
        X, Y = self.X, self.Y
        self.X, self.Y = X[:20], Y[:20]
        self.run()
        self.X, self.Y = X, Y

    def time_energy_test(self, n, impl):
        self.run()


class DriftDetection(Benchmark):
    params = ([50, 200], ["detector", "mmdtest_loop"])
    param_names = ["n_batch", "impl"]

    def setup(self, n_batch, impl):
        Det = skip_unless_available("statnorm.mmd", "MMDDriftDetector")
        self.MMDTest = skip_unless_available("statnorm.mmd", "MMDTest")
        g = rng(n_batch)
        self.X_ref = g.normal(size=(1000, 32))
        self.batches = [g.normal(size=(n_batch, 32)) for _ in range(5)]
        self.det = Det(n_permutations=500, random_state=0).fit(self.X_ref)

    def time_predict_batches(self, n_batch, impl):
        if impl == "detector":
            for b in self.batches:
                self.det.predict(b)
        else:
            for b in self.batches:
                self.MMDTest(n_permutations=500, random_state=0).test(self.X_ref, b)
