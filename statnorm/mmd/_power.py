"""Monte Carlo test power of an MMD test on two populations (for the tour)."""


def _power(kernel, H, M, n, reps, rng, n_permutations=99, alpha=0.05):
    from . import MMDTest

    rej = 0
    for rep in range(reps):
        i = rng.choice(len(H), n, replace=False)
        j = rng.choice(len(M), n, replace=False)
        res = MMDTest(kernel, n_permutations=n_permutations, random_state=rep).test(
            H[i], M[j]
        )
        rej += res.pvalue <= alpha
    return rej / reps
