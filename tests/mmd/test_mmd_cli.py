"""``statnorm mmd`` on the command line."""

import numpy as np
import pytest

from statnorm import _cli


@pytest.fixture(autouse=True)
def _only_mmd(monkeypatch):
    # build the real parser with the mmd subcommand only, so that this file
    # tests mmd and not the other methods' command-line modules
    monkeypatch.setattr(_cli._tour, "METHODS", ("mmd",))


@pytest.fixture
def files(tmp_path, rng):
    a = tmp_path / "a.npy"
    b = tmp_path / "b.npy"
    c = tmp_path / "c.csv"
    np.save(a, rng.normal(size=(60, 4)))
    np.save(b, rng.normal(0.8, size=(60, 4)))
    np.savetxt(c, rng.normal(size=(40, 4)), delimiter=",")
    return str(a), str(b), str(c)


def test_mmd_command_median_kernel(files, capsys):
    a, b, c = files
    assert (
        _cli.main(["mmd", a, b, "--n-permutations", "199", "--random-state", "1"]) == 0
    )
    out = capsys.readouterr().out
    assert "p-value (199 permutations): 0.005" in out
    assert "GaussianKernel(bandwidth=" in out
    assert _cli.main(["mmd", a, c, "--n-permutations", "99"]) == 0
    assert "MMD^2 (unbiased)" in capsys.readouterr().out


def test_mmd_command_learned_kernel(files, capsys):
    a, b, c = files
    argv = [
        "mmd",
        a,
        b,
        c,
        "--learn",
        "mmd-mp",
        "--max-iter",
        "5",
        "--n-permutations",
        "99",
    ]
    assert _cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "kernel learned by mmd-mp on 30 + 50 training rows" in out
    assert "held-out 30 + 50 rows" in out
    assert "DeepKernel(featurizer='linear'" in out


@pytest.mark.parametrize(
    ("extra", "code", "needle"),
    [
        (["--n-permutations", "0"], 1, "'n_permutations' parameter of MMDTest"),
        (["--bandwidth", "-1"], 2, "--bandwidth must be a positive number"),
        (["--train-fraction", "1.5"], 2, "--train-fraction must be a number in"),
        (["--save", "k.skops"], "2", "--save saves a learned kernel"),
    ],
)
def test_mmd_command_bad_input_is_one_line(files, capsys, extra, code, needle):
    a, b, _ = files
    if code == 2:  # a usage error, found by the argument parser
        with pytest.raises(SystemExit) as exc:
            _cli.main(["mmd", a, b, *extra])
        assert exc.value.code == 2
    else:  # 1: bad data; "2": a usage error found after parsing
        assert _cli.main(["mmd", a, b, *extra]) == int(code)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_mmd_command_bad_files(tmp_path, files, capsys):
    a, _, _ = files
    assert _cli.main(["mmd", a, str(tmp_path / "missing.npy")]) == 1
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    assert _cli.main(["mmd", a, str(bad)]) == 1
    assert "B: unsupported file type '.json'" in capsys.readouterr().err
    wide = tmp_path / "wide.npy"
    np.save(wide, np.ones((5, 7)))
    assert _cli.main(["mmd", a, str(wide)]) == 1
    assert "B: every sample needs the 4 columns of A" in capsys.readouterr().err


# The tour section itself runs in tests/test_cli.py::test_tour_writes_report.


def test_mmd_command_statistic_and_deprecated_estimator(files, capsys):
    a, b, _ = files
    argv = ["mmd", a, b, "--n-permutations", "19", "--random-state", "0"]
    assert _cli.main([*argv, "--statistic", "biased"]) == 0
    new = capsys.readouterr().out
    assert "MMD^2 (biased)" in new
    with pytest.warns(FutureWarning, match="--estimator was renamed --statistic"):
        assert _cli.main([*argv, "--estimator", "biased"]) == 0
    assert capsys.readouterr().out == new


def test_mmd_command_n_iter_no_change_turns_early_stopping_on(files, capsys):
    # KernelLearner warns on an int n_iter_no_change without early_stopping=True;
    # the command line passes both (filterwarnings=error makes a warning fail)
    a, b, _ = files
    argv = ["mmd", a, b, "--learn", "mmd-d", "--max-iter", "3"]
    argv += ["--n-iter-no-change", "1", "--n-permutations", "19"]
    assert _cli.main(argv) == 0
    assert "kernel learned by mmd-d" in capsys.readouterr().out
