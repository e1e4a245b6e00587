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
    monkeypatch.setattr(_cli, "available_tours", lambda: [("kde", tour)])
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
        f"[['statnorm', x] for x in {list(_cli.METHODS)!r}]]\n"
        "print('IMPORTED', bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "IMPORTED []" in out, out


def test_no_method_imports_the_entry_point():
    """Method packages take CLI helpers from statnorm._cliutils, not statnorm._cli."""
    import re
    from pathlib import Path

    import statnorm

    root = Path(statnorm.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for m in _cli.METHODS
        for p in (root / m).rglob("*.py")
        if re.search(r"from \.\._cli import|statnorm\._cli\b", p.read_text())
    ]
    assert not offenders, offenders


def test_load_array_formats_and_errors(tmp_path):
    import numpy as np

    from statnorm._cliutils import load_array

    A = np.arange(6.0).reshape(3, 2)
    np.save(tmp_path / "a.npy", A)
    np.savez(tmp_path / "one.npz", x=A)
    np.savez(tmp_path / "two.npz", x=A, y=A)
    (tmp_path / "h.csv").write_text("u,v\n0,1\n2,3\n4,5\n")
    (tmp_path / "t.tsv").write_text("0\t1\n2\t3\n4\t5\n")
    (tmp_path / "w.txt").write_text("0 1\n2 3\n4 5\n")
    (tmp_path / "y.csv").write_text("label\n0\n1\n1\n")
    for name in ("a.npy", "one.npz", "h.csv", "t.tsv", "w.txt"):
        np.testing.assert_array_equal(load_array(tmp_path / name, "X"), A)
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
