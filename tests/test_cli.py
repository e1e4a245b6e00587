"""The statnorm command line: help, version, tour, datasets, bad input."""

import subprocess
import sys

import pytest

import statnorm
from statnorm import _cli


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "statnorm", *args], capture_output=True, text=True
    )


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("tour", "datasets", "versions"):
        assert cmd in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"statnorm {statnorm.__version__}"


def test_no_command_prints_help(capsys):
    assert _cli.main([]) == 0
    assert "usage: statnorm" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bogus"], "invalid choice: 'bogus'"),
        (["tour", "--methods", "nope"], "unknown method(s) ['nope']"),
        (["datasets", "nope"], "unknown dataset 'nope'"),
        (["tour", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_invocation_is_one_line_no_traceback(argv, needle):
    r = run(*argv)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr


def test_datasets_command(capsys):
    assert _cli.main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "roman_cups" in out and "load_diamonds" in out
    assert _cli.main(["datasets", "diamonds"]) == 0
    assert "licence: ggplot2: MIT." in capsys.readouterr().out


def test_tour_writes_report(tmp_path, capsys):
    out = tmp_path / "tour"
    assert _cli.main(["tour", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    report = (out / "report.md").read_text()
    assert report.startswith("# statnorm tour")
    tours = _cli.available_tours()
    if not tours:
        assert "no method is available yet" in printed
    for method, _ in tours:
        assert f"## {method}" in report
        assert f"{method} done in" in printed
    for png in out.glob("*.png"):
        assert png.stat().st_size > 1000


def test_tour_without_matplotlib_runs_without_figures(tmp_path, capsys, monkeypatch):
    # A core install has no matplotlib: simulate it by making every matplotlib
    # import fail, as it does when the package is absent.
    import sys

    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "tour"
    assert _cli.main(["tour", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    notes = [line for line in printed.splitlines() if "not installed" in line]
    assert len(notes) == 1
    assert "matplotlib" in notes[0] and "statnorm[plot]" in notes[0]
    report = (out / "report.md").read_text()
    for method, _ in _cli.available_tours():
        assert f"## {method}" in report
        assert f"{method} done in" in printed
    assert not list(out.glob("*.png"))
    assert "![" not in report


def test_tour_unwritable_output_is_a_clean_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run("tour", "--output", str(blocker / "sub"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("statnorm tour: error:")


def test_versions_command():
    r = run("versions")
    assert r.returncode == 0 and "numba" in r.stdout


def test_method_registry_hooks(monkeypatch, tmp_path, capsys):
    """A row of COMMANDS and a tour module are picked up, imported on use only."""
    import sys
    import types

    calls = []

    def add_subcommand(sub):
        p = sub.add_parser("fake", help="a fake method")
        p.set_defaults(func=lambda args: calls.append("run") or 0)

    def tour(report):
        calls.append("tour")
        report.text("fake tour ran")

    fake_cli = types.ModuleType("statnorm.fakemethod._cli")
    fake_cli.add_subcommand = add_subcommand
    fake_tour = types.ModuleType("statnorm._tours.kde")
    fake_tour.tour = tour
    monkeypatch.setitem(sys.modules, "statnorm.fakemethod._cli", fake_cli)
    monkeypatch.setitem(_cli.COMMANDS, "fake", ("fakemethod", "a fake method"))
    monkeypatch.setattr(_cli._tour, "available_tours", lambda: [("kde", tour)])
    assert _cli.main(["fake"]) == 0
    assert _cli.main(["tour", "-o", str(tmp_path), "--methods", "kde"]) == 0
    assert calls == ["run", "tour"]
    assert "fake tour ran" in (tmp_path / "report.md").read_text()
    assert "[1/1] kde done in" in capsys.readouterr().out


def test_help_and_version_import_no_method_package():
    """``statnorm --help``/``--version`` stay fast: no method package, no Numba."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from statnorm._cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "bad = [m for m in sys.modules if m == 'numba' or m.split('.')[:2] in "
        f"[['statnorm', x] for x in {list(statnorm.METHODS)!r}]]\n"
        "print('IMPORTED', bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "IMPORTED []" in out, out


def test_no_method_imports_the_entry_point():
    """Method packages take CLI helpers from statnorm._cli's modules (_read,
    _args, ...), never from the entry point (statnorm._cli or its _main)."""
    import re
    from pathlib import Path

    import statnorm

    root = Path(statnorm.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for m in statnorm.METHODS
        for p in (root / m).rglob("*.py")
        if re.search(
            r"from (\.\.|statnorm\.)_cli(\._main)? import", p.read_text()
        )
    ]
    assert not offenders, offenders


def test_load_array_formats_and_errors(tmp_path):
    import argparse

    import numpy as np

    from statnorm._cli._read import load_array

    A = np.arange(6.0).reshape(3, 2)
    np.save(tmp_path / "a.npy", A)
    np.savez(tmp_path / "one.npz", x=A)
    np.savez(tmp_path / "two.npz", x=A, y=A)
    (tmp_path / "h.csv").write_text("u,v\n0,1\n2,3\n4,5\n")
    (tmp_path / "t.tsv").write_text("0\t1\n2\t3\n4\t5\n")
    (tmp_path / "w.txt").write_text("0 1\n2 3\n4 5\n")
    (tmp_path / "y.csv").write_text("label\n0\n1\n1\n")
    for name in ("a.npy", "one.npz", "h.csv"):
        np.testing.assert_array_equal(load_array(tmp_path / name, "X"), A)
    # a first line 0, 1 over integers may be pandas' column names or data:
    # an error says so, and --no-header (header=False) settles it
    for name in ("t.tsv", "w.txt"):
        with pytest.raises(ValueError, match=r"X: cannot tell .*--no-header"):
            load_array(tmp_path / name, "X")
        got = load_array(tmp_path / name, "X", args=argparse.Namespace(header=False))
        np.testing.assert_array_equal(got, A)
    y = load_array(tmp_path / "y.csv", "y", ndmin=1)
    assert y.shape == (3,)
    assert load_array(tmp_path / "y.csv", "y").shape == (3, 1)
    with pytest.raises(ValueError, match=r"X: .* holds 2 arrays"):
        load_array(tmp_path / "two.npz", "X")
    with pytest.raises(FileNotFoundError, match="X: no such file"):
        load_array(tmp_path / "nope.npy", "X")
    with pytest.raises(ValueError, match=r"X: unsupported file type '\.json'"):
        (tmp_path / "a.json").write_text("{}")
        load_array(tmp_path / "a.json", "X")


def test_read_table_pandas_index_parquet_stdin(tmp_path, monkeypatch, capsys):
    """One reader: pandas' index column dropped with a note, parquet, stdin."""
    import argparse
    import io

    import numpy as np
    import pandas as pd

    from statnorm._cli._read import read_table

    df = pd.DataFrame({"a": [0.5, 1.5, 2.5], "b": [3.0, 4.0, 5.0]})
    df.to_csv(tmp_path / "with_index.csv")  # pandas' default: an index column
    args = argparse.Namespace(quiet=False, index_col=None)
    got = read_table(tmp_path / "with_index.csv", "X", args=args)
    assert list(got.columns) == ["a", "b"]
    assert "dropped the unnamed first column" in capsys.readouterr().err
    df.to_csv(tmp_path / "i.csv", index_label="id")
    got = read_table(
        tmp_path / "i.csv", "X", args=argparse.Namespace(quiet=True, index_col="id")
    )
    np.testing.assert_array_equal(got.to_numpy(), df.to_numpy())
    pytest.importorskip("pyarrow")
    df.to_parquet(tmp_path / "t.parquet")
    np.testing.assert_array_equal(
        read_table(tmp_path / "t.parquet", "X").to_numpy(), df.to_numpy()
    )
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(df.to_csv(index=False).encode()))
    )
    np.testing.assert_array_equal(read_table("-", "X").to_numpy(), df.to_numpy())


def test_read_table_never_codes_text_alphabetically(tmp_path):
    import pandas as pd

    from statnorm._cli._read import read_table

    df = pd.DataFrame({"cut": ["Good", "Fair", "Ideal"], "x": [1.0, 2.0, 3.0]})
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(ValueError, match=r"X: column\(s\) \['cut'\] .* not numeric"):
        read_table(tmp_path / "d.csv", "X")
    got = read_table(
        tmp_path / "d.csv", "X", categories={"cut": ["Fair", "Good", "Ideal"]}
    )
    assert got["cut"].tolist() == [1.0, 0.0, 2.0]
    with pytest.raises(ValueError, match="not among the levels"):
        read_table(tmp_path / "d.csv", "X", categories={"cut": ["Fair", "Good"]})
    got = read_table(tmp_path / "d.csv", "X", one_hot=["cut"])
    assert sorted(got.columns) == ["cut_Fair", "cut_Good", "cut_Ideal", "x"]


def test_model_files_round_trip_and_refuse_foreign_types(tmp_path):
    pytest.importorskip("skops")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from statnorm._cli._models import load_model, save_model

    X = np.random.default_rng(0).normal(size=(40, 2))
    est = LogisticRegression().fit(X, X[:, 0] > 0)
    p = save_model(est, tmp_path / "m.skops")
    back = load_model(p, expected=LogisticRegression)
    np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
    with pytest.raises(ValueError, match="holds a LogisticRegression"):
        load_model(p, expected=dict)


def test_datasets_export_writes_files_the_subcommands_read(tmp_path, capsys):
    import numpy as np

    from statnorm._cli._read import load_array
    from statnorm.datasets import load_cifar10_logits, load_roman_cups

    assert _cli.main(["datasets", "cifar10_logits", "-o", str(tmp_path)]) == 0
    assert _cli.main(["datasets", "roman_cups", "-o", str(tmp_path)]) == 0
    X, y = load_cifar10_logits("test", return_X_y=True)
    # float32 logits: their shortest decimal form reads back to the same float32
    np.testing.assert_array_equal(
        load_array(tmp_path / "cifar10_logits_test.csv", "X").astype(X.dtype), X
    )
    np.testing.assert_array_equal(
        load_array(tmp_path / "cifar10_labels_test.csv", "y", ndmin=1), y
    )
    cups = load_roman_cups()
    got = load_array(tmp_path / "roman_cups.csv", "X")
    np.testing.assert_allclose(got[:, 1:], cups.data)
    assert _cli.main(["datasets", "-o", str(tmp_path)]) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["calibrate", "{empty}", "{labels}"],
        ["depth", "{empty}", "{good}"],
        ["kde", "{empty}"],
        ["mmd", "{empty}", "{good}"],
        ["calibrate", "{nan}", "{labels}"],
        ["depth", "{good}", "{nan}"],
        ["kde", "{nan}"],
        ["mmd", "{good}", "{nan}"],
        ["calibrate", "{huge}", "{labels}"],
    ],
    ids=lambda a: "-".join(x.strip("{}") for x in a),
)
def test_bad_data_files_give_one_line_naming_the_file(argv, tmp_path, capsys):
    """0-byte, NaN and overflowing files: one line, exit 1/2, nothing written."""
    import numpy as np

    rng = np.random.default_rng(0)
    (tmp_path / "empty.npy").write_bytes(b"")
    good = rng.normal(size=(30, 4))
    np.save(tmp_path / "good.npy", good)
    bad = good.copy()
    bad[3, 1] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    np.save(tmp_path / "huge.npy", good * 1e305)
    np.save(tmp_path / "labels.npy", rng.integers(0, 4, 30))
    files = {k: str(tmp_path / f"{k}.npy") for k in ("empty", "good", "nan", "huge")}
    files["labels"] = str(tmp_path / "labels.npy")
    out = tmp_path / "out"
    args = [a.format(**files) for a in argv]
    if argv[0] in ("calibrate", "kde"):  # the subcommands that write files
        args += ["-o", str(out)]
    code = _cli.main(args)
    err = capsys.readouterr().err.strip()
    assert code in (1, 2)
    assert len(err.splitlines()) == 1, err
    bad_file = next(files[k] for k in ("empty", "nan", "huge") if f"{{{k}}}" in argv)
    assert bad_file in err
    assert not out.exists() or not any(out.iterdir())


def test_quantile_max_rows_must_not_be_negative(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("a,y\n1,2\n3,4\n")
    with pytest.raises(SystemExit) as info:
        _cli.main(
            ["quantile", str(tmp_path / "d.csv"), "--target", "y", "--max-rows", "-5"]
        )
    assert info.value.code == 2
    assert "--max-rows" in capsys.readouterr().err


def test_kde_output_folder_receives_the_file(tmp_path):
    import numpy as np

    np.save(tmp_path / "X.npy", np.random.default_rng(0).normal(size=(50, 3)))
    folder = tmp_path / "results"
    folder.mkdir()
    assert (
        _cli.main(["kde", str(tmp_path / "X.npy"), "-o", str(folder), "--no-report"])
        == 0
    )
    assert (folder / "log_density.csv").is_file()
    assert list(tmp_path.iterdir()) == [tmp_path / "X.npy", folder] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["X.npy", "results"]


def test_first_call_that_compiles_says_so(tmp_path):
    """A cold Numba cache is announced on stderr once; a warm one is silent."""
    import subprocess
    import sys

    import numpy as np

    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(size=(40, 3)))
    env = {**__import__("os").environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "statnorm", "kde", str(tmp_path / "x.npy")]
    argv += ["--no-report"]
    runs = [
        subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
        for _ in range(2)
    ]
    assert runs[0].stderr.count("compiling Numba kernels (first use only") == 1
    assert "compiling" not in runs[1].stderr
    quiet = subprocess.run(
        [*argv, "--quiet"],
        capture_output=True,
        text=True,
        env={**env, "NUMBA_CACHE_DIR": str(tmp_path / "other")},
        check=True,
    )
    assert quiet.stderr == ""


@pytest.mark.parametrize(
    ("alias", "command"), [("calibrate", "calibration"), ("pcor", "compositional")]
)
def test_subcommands_are_named_after_modules_and_old_names_still_work(
    alias, command, capsys
):
    from statnorm._cli._main import ALIASES

    assert ALIASES[alias] == command
    assert set(_cli.COMMANDS) - {"quantile", "depth", "kde", "rdd", "mmd"} == {
        "calibration",
        "compositional",
    }
    for name in (alias, command):
        with pytest.raises(SystemExit) as exc:
            _cli.main([name, "--help"])
        assert exc.value.code == 0
        assert f"usage: statnorm {command}" in capsys.readouterr().out
