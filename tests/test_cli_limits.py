"""Hostile or huge inputs: refused early, in one line, never a traceback.

The budget (``--max-cells``) is set low here, so that small files stand for
huge ones: a ``.gz`` file that inflates beyond it, a table with too many
cells, an ``.npy``/parquet file whose shape is too large (checked before its
data are read), a KDE or Mahalanobis depth whose ``d x d`` matrix would not
fit, more classes than calibration rows, and a ``MemoryError`` raised
anywhere in a subcommand.
"""

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from statnorm import _cli


def _fails_in_one_line(argv, capsys, *needles):
    status = _cli.main(argv)
    err = capsys.readouterr().err
    assert status == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_a_gzip_bomb_is_not_inflated_beyond_the_budget(tmp_path, capsys):
    row = ",".join(["0"] * 100) + "\n"
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as fh:  # 4 MB of text in a few kB
        fh.write((row * 20_000).encode())
    assert path.stat().st_size < 100_000
    _fails_in_one_line(
        ["kde", str(path), "--max-cells", "1000"],
        capsys,
        "DATA:",
        "inflates to more than",
        "--max-cells 1000",
    )
    # within the budget the same file is read
    small = tmp_path / "ok.csv.gz"
    with gzip.open(small, "wb") as fh:
        fh.write(b"a,b\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(30)))
    assert _cli.main(["kde", str(small), "--no-report", "--max-cells", "1000"]) == 0


@pytest.mark.parametrize("kind", ["csv", "stdin", "npy", "npz", "parquet"])
def test_too_many_cells_are_refused_before_reading(kind, tmp_path, capsys, monkeypatch):
    A = np.random.default_rng(0).normal(size=(5, 300))  # 1500 cells
    if kind == "csv":
        path = tmp_path / "w.csv"
        np.savetxt(path, A, delimiter=",")
    elif kind == "stdin":
        text = "\n".join(",".join(map(repr, map(float, r))) for r in A)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        path = "-"
    elif kind == "npy":
        path = tmp_path / "w.npy"
        np.save(path, A)
    elif kind == "npz":
        path = tmp_path / "w.npz"
        np.savez_compressed(path, x=A)
    else:
        pytest.importorskip("pyarrow")
        path = tmp_path / "w.parquet"
        pd.DataFrame(A, columns=[f"c{j}" for j in range(300)]).to_parquet(path)
    line = _fails_in_one_line(
        ["mmd", str(path), str(path), "--max-cells", "1000"], capsys, "A:"
    )
    assert "--max-cells 1000" in line
    if kind != "stdin":  # at the budget, the file is read
        argv = ["mmd", str(path), str(path), "--n-permutations", "9", "-q"]
        assert _cli.main([*argv, "--max-cells", "1500"]) == 0, capsys.readouterr().err


def test_a_text_file_larger_than_the_byte_budget_is_not_read(tmp_path, capsys):
    path = tmp_path / "big.csv"
    # one column of long numbers: few cells, many bytes
    path.write_text("\n".join("1." + "0" * 5000 for _ in range(250)) + "\n")
    _fails_in_one_line(
        ["kde", str(path), "--max-cells", "10"], capsys, "bytes of text", "--max-cells"
    )


def test_kde_checks_the_covariance_size_before_allocating(tmp_path, capsys):
    path = tmp_path / "wide.npy"
    np.save(path, np.random.default_rng(0).normal(size=(5, 400)))
    line = _fails_in_one_line(
        ["kde", str(path), "--max-cells", "100000"],
        capsys,
        "400 x 400 matrix",
        "--max-cells 100000",
    )
    assert "kernel covariance" in line


def test_mahalanobis_depth_checks_the_covariance_size(tmp_path, capsys):
    path = tmp_path / "wide.npy"
    np.save(path, np.random.default_rng(0).normal(2.0, 1.0, size=(5, 400)))
    argv = ["depth", str(path), str(path), "--depth", "mahalanobis"]
    _fails_in_one_line([*argv, "--max-cells", "100000"], capsys, "400 x 400 matrix")


def test_calibrate_refuses_more_classes_than_rows(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "s.npy", rng.normal(size=(5, 2000)))
    np.save(tmp_path / "y.npy", np.array([0, 1, 2, 0, 1]))
    argv = ["calibrate", str(tmp_path / "s.npy"), str(tmp_path / "y.npy")]
    _fails_in_one_line(argv, capsys, "2000 columns (classes) but 5 rows", "transpose")
    # temperature scaling has one parameter: it accepts the file
    assert _cli.main([*argv, "--method", "temperature", "-q"]) == 0


def test_memory_error_anywhere_is_one_line(tmp_path, capsys, monkeypatch):
    from statnorm.kde import HighDimKDE

    def fit(self, X, y=None):
        raise MemoryError(
            "Unable to allocate 7.28 TiB for an array with shape (1000000, "
            "1000000) and data type float64"
        )

    monkeypatch.setattr(HighDimKDE, "fit", fit)
    np.save(tmp_path / "x.npy", np.ones((5, 3)))
    _fails_in_one_line(
        ["kde", str(tmp_path / "x.npy")], capsys, "out of memory", "7.28 TiB"
    )


def test_max_cells_must_be_a_positive_integer(capsys):
    with pytest.raises(SystemExit) as exc:
        _cli.main(["kde", "x.csv", "--max-cells", "0"])
    assert exc.value.code == 2
    assert "--max-cells must be a positive integer" in capsys.readouterr().err
