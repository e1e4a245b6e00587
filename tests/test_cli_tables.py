"""Tables as pandas and NumPy write them, and hostile or huge ones.

- ``DataFrame(array).to_csv(...)`` writes integer column names (``,0,1,2``)
  and, by default, an unnamed index column: both are recognised, with and
  without the index, for float32 and float64 arrays, in every subcommand that
  reads tables; parquet and ``.npy`` too. Each subcommand's ``--json`` output
  equals the Python API on the numbers the file holds, exactly (float64 is
  written with 17 significant digits; float32 as its shortest decimal, which
  is what the file then holds).
- A header is never read as data silently: when the file cannot tell, the
  error names ``--header`` and ``--no-header``.
- ``--max-cells`` bounds what is read (also what a ``.gz`` file inflates to);
  computations that need a ``d x d`` matrix check ``d`` first; running out of
  memory is one line, not a traceback.
"""

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from statnorm import _cli
from statnorm._cli._parser import HeaderUndecided
from statnorm._cli._read import load_array, read_table

VARIANTS = [
    (fmt, dtype)
    for fmt in ("csv-index", "csv", "parquet", "npy")
    for dtype in ("float64", "float32")
]
IDS = [f"{f}-{d}" for f, d in VARIANTS]


def _write(A, path, fmt):
    """Write ``DataFrame(A)`` (or ``A``) as ``fmt``; return (argument, values held)."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    frame = pd.DataFrame(A)
    suffix = {"csv-index": ".csv", "csv": ".csv", "parquet": ".parquet"}
    suffix = suffix.get(fmt, ".npy")
    path = path.with_suffix(suffix)
    if fmt == "csv-index":
        frame.to_csv(path)  # pandas' defaults: ",0,1,..." and the index
    elif fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path)
    else:
        np.save(path, A)
    if fmt.startswith("csv") and A.dtype == np.float32:
        held = A.astype(str).astype(np.float64)  # the shortest float32 decimals
    else:
        held = A.astype(np.float64)
    return str(path), held


def _col(fmt, j):
    """The name column ``j`` of ``DataFrame(array)`` has once read."""
    return f"x{j}" if fmt == "npy" else str(j)


def _json(argv, capsys):
    assert _cli.main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def rng():
    return np.random.default_rng(11)


# ------------------------------------------------------------ the reader
@pytest.mark.parametrize(("fmt", "dtype"), VARIANTS, ids=IDS)
def test_dataframe_of_an_array_reads_back_exactly(fmt, dtype, tmp_path, rng):
    A = rng.normal(size=(200, 3)).astype(dtype)
    path, held = _write(A, tmp_path / "h", fmt)
    got = load_array(path, "X")
    assert got.shape == (200, 3)  # no header row read as data, index dropped
    np.testing.assert_array_equal(got, held)


def test_a_shuffled_pandas_index_is_kept_with_a_note(tmp_path, rng, capsys):
    frame = pd.DataFrame(rng.normal(size=(20, 2))).sample(frac=1, random_state=0)
    frame.to_csv(tmp_path / "s.csv")
    args = argparse.Namespace(quiet=False, index_col=None, header=None)
    assert read_table(tmp_path / "s.csv", "X", args=args).shape == (20, 3)
    assert "pass --index-col 'Unnamed: 0'" in capsys.readouterr().err
    args.index_col = "Unnamed: 0"
    got = read_table(tmp_path / "s.csv", "X", args=args)
    np.testing.assert_array_equal(got.to_numpy(), frame.to_numpy())


def test_a_wide_numeric_table_reads_back_exactly(tmp_path, rng):
    A = rng.normal(size=(4, 1500))
    for index in (True, False):
        pd.DataFrame(A).to_csv(tmp_path / "w.csv", index=index)
        got = read_table(tmp_path / "w.csv", "X")
        assert list(got.columns[:2]) == ["0", "1"]
        np.testing.assert_array_equal(got.to_numpy(), A)
    np.savetxt(tmp_path / "w.csv", A, delimiter=",")
    np.testing.assert_array_equal(load_array(tmp_path / "w.csv", "X"), A)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a,b\n0.5,1.5\n2.5,3.5\n", (2, 2)),  # names
        ("0.5,1.5\n2.5,3.5\n", (2, 2)),  # decimals over decimals: data
        ("3,7\n0.5,1.5\n2.5,3.5\n", (2, 2)),  # integers over decimals: a header
        ("0.5,0.9\n1,2\n3,4\n", (2, 2)),  # decimals over integers: a header
        ("5,1\n2,3\n4,5\n", (3, 2)),  # integers over integers, not 0..d-1: data
        (",0\n0,0.5\n1,1.5\n", (2, 1)),  # pandas' index header over a counter
    ],
)
def test_header_rules(text, shape, tmp_path):
    (tmp_path / "t.csv").write_text(text)
    assert load_array(tmp_path / "t.csv", "X").shape == shape


@pytest.mark.parametrize(
    "text",
    [
        "0,1\n2,3\n4,5\n",  # pandas' names 0, 1 or data?
        "0\n1\n1\n",  # a pandas Series' "0" or the first label?
        ",1.5\n0.5,2.5\n",  # a missing value or an index header?
        "0,0.5\n0.25,0.75\n",  # one column says header, the other data
    ],
)
def test_a_doubtful_first_line_is_an_error_naming_the_options(text, tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(HeaderUndecided, match="--header .* --no-header"):
        load_array(path, "X")
    n_lines = text.count("\n")
    ns = argparse.Namespace(header=False)
    assert len(read_table(path, "X", args=ns)) == n_lines
    assert len(read_table(path, "X", args=argparse.Namespace(header=True))) == (
        n_lines - 1
    )
    capsys.readouterr()
    # and on the command line: one line, exit 1, no traceback
    assert _cli.main(["kde", str(path), "--no-report"]) == 1
    err = capsys.readouterr().err
    assert "--no-header" in err and len(err.strip().splitlines()) == 1


def test_header_options_on_the_command_line(tmp_path, rng, capsys):
    from statnorm.kde import HighDimKDE

    A = np.c_[np.arange(30.0), rng.normal(size=30)]
    text = "0,1\n" + "\n".join(f"{int(a)},{float(b)!r}" for a, b in A)
    (tmp_path / "t.csv").write_text(text)
    # integers 0, 1 over a column of integers and one of decimals: undecided
    assert _cli.main(["kde", str(tmp_path / "t.csv"), "--no-report"]) == 1
    capsys.readouterr()
    got = _json(["kde", str(tmp_path / "t.csv"), "--no-report", "--header"], capsys)
    want = HighDimKDE(random_state=0).fit(A).score_samples_loo()
    np.testing.assert_array_equal(got["log_density"], want)
    got = _json(["kde", str(tmp_path / "t.csv"), "--no-report", "--no-header"], capsys)
    assert len(got["log_density"]) == 31


# ------------------------------------------------- every subcommand, exact
@pytest.mark.parametrize(("fmt", "dtype"), VARIANTS, ids=IDS)
def test_mmd_kde_depth(fmt, dtype, tmp_path, rng, capsys):
    from statnorm.depth import depth_rank_sum_test
    from statnorm.kde import HighDimKDE
    from statnorm.mmd import MMDTest

    # away from the origin: the cosine depth needs a mean direction
    X = rng.normal(2.0, 1.0, size=(30, 3)).astype(dtype)
    Y = rng.normal(2.5, 1.0, size=(25, 3)).astype(dtype)
    a, Xh = _write(X, tmp_path / "a", fmt)
    b, Yh = _write(Y, tmp_path / "b", fmt)
    got = _json(["mmd", a, b, "--n-permutations", "49"], capsys)
    res = MMDTest(n_permutations=49, random_state=0).test(Xh, Yh)
    assert got["A"]["shape"] == [30, 3] and got["B"]["shape"] == [25, 3]
    assert (got["statistic"], got["pvalue"]) == (res.statistic, res.pvalue)
    got = _json(["kde", a, "--no-report"], capsys)
    want = HighDimKDE(random_state=0).fit(Xh).score_samples_loo()
    np.testing.assert_array_equal(got["log_density"], want)
    got = _json(["depth", a, b], capsys)
    res = depth_rank_sum_test(Xh, Yh, random_state=0)  # the CLI default seed
    assert (got["statistic"], got["pvalue"]) == (res.statistic, res.pvalue)
    assert (got["n_reference"], got["n_sample"]) == (30, 25)


@pytest.mark.parametrize(("fmt", "dtype"), VARIANTS, ids=IDS)
def test_calibrate(fmt, dtype, tmp_path, rng, capsys):
    from statnorm.calibration import TemperatureScaling
    from statnorm.calibration import metrics as M

    S = (rng.normal(size=(60, 3)) * 3).astype(dtype)
    y = rng.integers(0, 3, 60)
    y[0] = 0  # a first label 0 under pandas' column name "0"
    s, Sh = _write(S, tmp_path / "s", fmt)
    lab, _ = _write(y, tmp_path / "y", fmt)
    got = _json(["calibrate", s, lab, "--method", "temperature"], capsys)
    P = TemperatureScaling().fit(Sh, y).predict_proba(Sh)
    assert got["n_samples"] == 60
    assert got["metrics"]["NLL"]["after"] == M.negative_log_likelihood(y, P)


@pytest.mark.parametrize(("fmt", "dtype"), VARIANTS, ids=IDS)
def test_pcor(fmt, dtype, tmp_path, rng, capsys):
    from statnorm.compositional import CompositionalPartialCorrelation

    parts = rng.lognormal(size=(30, 4)).astype(dtype)
    d, held = _write(parts, tmp_path / "p", fmt)
    got = _json(["pcor", d], capsys)
    est = CompositionalPartialCorrelation().fit(held)
    assert list(got["partial_variance"]) == [_col(fmt, j) for j in range(4)]
    np.testing.assert_array_equal(
        list(got["partial_variance"].values()), est.partial_variance_
    )


@pytest.mark.parametrize(("fmt", "dtype"), VARIANTS, ids=IDS)
def test_rdd(fmt, dtype, tmp_path, rng, capsys):
    from statnorm.rdd import DistributionalRDD, long_to_samples

    n, m = 60, 8
    x = rng.uniform(-1, 1, n)
    long = np.c_[
        np.repeat(np.arange(n), m), np.repeat(x, m), rng.normal(np.repeat(x, m), 1.0)
    ].astype(dtype)
    d, held = _write(long, tmp_path / "l", fmt)
    argv = ["rdd", d, "--unit", _col(fmt, 0), "--running", _col(fmt, 1)]
    argv += ["--outcome", _col(fmt, 2), "--n-quantiles", "5", "--n-bootstrap", "19"]
    got = _json(argv, capsys)
    s = long_to_samples(held[:, 0], held[:, 2], held[:, 1])
    est = DistributionalRDD(
        q_grid=np.arange(1, 6) / 6, n_bootstrap=19, random_state=0
    ).fit(s["x"], s["samples"])
    np.testing.assert_array_equal(got["effect"]["tau"], est.tau_)


# the quantile models are the slowest to fit: both CSV forms, both dtypes
QUANTILE_VARIANTS = [
    ("csv-index", "float32"),
    ("csv", "float64"),
    ("parquet", "float32"),
    ("npy", "float64"),
]


@pytest.mark.parametrize(
    ("fmt", "dtype"), QUANTILE_VARIANTS, ids=[f"{f}-{d}" for f, d in QUANTILE_VARIANTS]
)
def test_quantile(fmt, dtype, tmp_path, rng, capsys):
    from threadpoolctl import threadpool_limits

    from statnorm.quantile._compare import compare

    n = 80
    X = rng.uniform(size=(n, 2))
    y = X[:, 0] + rng.normal(0, 0.1 + X[:, 1], n)
    d, held = _write(np.c_[X, y].astype(dtype), tmp_path / "q", fmt)
    argv = ["quantile", d, "--target", _col(fmt, 2), "--cv", "2", "--no-local"]
    got = _json([*argv, "--quantiles", "0.1", "0.5", "0.9"], capsys)
    idx = np.random.default_rng(0).permutation(n)
    te, tr = idx[:20], idx[20:]
    Z, t = held[:, :2], held[:, 2]
    with threadpool_limits(1):
        table, _ = compare(
            Z[tr], t[tr], Z[te], t[te], quantiles=[0.1, 0.5, 0.9], cv=2, local=False
        )
    assert got["table"] == json.loads(json.dumps(table.to_dict()))
