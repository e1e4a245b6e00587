"""The ``statnorm kde`` command line."""

import numpy as np
import pytest

from statnorm import _cli


@pytest.fixture
def files(tmp_path, rng):
    X = rng.standard_normal((400, 6))
    Q = rng.standard_normal((25, 6))
    np.save(tmp_path / "X.npy", X)
    np.savetxt(tmp_path / "Q.csv", Q, delimiter=",")
    return tmp_path, X, Q


def test_kde_command_writes_log_densities_and_report(files, capsys):
    from statnorm.kde import HighDimKDE

    tmp, X, Q = files
    out = tmp / "ld"
    argv = ["kde", str(tmp / "X.npy"), "--query", str(tmp / "Q.csv"), "-o", str(out)]
    assert _cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "HighDimKDE regime report" in printed and "regime" in printed
    written = np.loadtxt(out / "log_density.csv", skiprows=1)
    # written with 17 digits: the same numbers as the Python API, bit for bit
    np.testing.assert_array_equal(
        written, HighDimKDE(random_state=0).fit(X).score_samples(Q)
    )
    # leave-one-out default, numeric bandwidth
    out = tmp / "loo"
    argv = ["kde", str(tmp / "X.npy"), "-b", "0.7", "-o", str(out), "--no-report"]
    assert _cli.main(argv) == 0
    np.testing.assert_allclose(
        np.loadtxt(out / "log_density.csv", skiprows=1),
        HighDimKDE(bandwidth=0.7).fit(X).score_samples_loo(),
    )


@pytest.mark.parametrize(
    ("extra", "status", "needle"),
    [
        (["-b", "bogus"], 2, "expected a positive number"),
        (["-b", "-1"], 2, "--bandwidth: expected a positive number"),
        (["--apply", "missing.skops"], 1, "--apply: no such file"),
        (["--query", "missing.npy"], 1, "no such file"),
    ],
)
def test_kde_command_bad_input(files, capsys, extra, status, needle):
    tmp, _, _ = files
    argv = ["kde", str(tmp / "X.npy"), "-o", str(tmp / "o"), *extra]
    if status == 2:
        with pytest.raises(SystemExit) as exc:
            _cli.main(argv)
        assert exc.value.code == 2
    else:
        assert _cli.main(argv) == status
    assert needle in capsys.readouterr().err


def test_kde_command_wrong_query_dimension(files, capsys):
    tmp, _, _ = files
    np.save(tmp / "bad.npy", np.ones((3, 2)))
    argv = ["kde", str(tmp / "X.npy"), "--query", str(tmp / "bad.npy")]
    assert _cli.main([*argv, "-o", str(tmp / "o")]) == 1
    assert "X has 2 features" in capsys.readouterr().err
