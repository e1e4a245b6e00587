"""Every subcommand, on every input format, agrees with the Python API.

Each subcommand reads the same data written three ways (a CSV written by
pandas with its default index column, parquet, and CSV text on standard
input); its ``--json`` output is parsed back and compared with what the
Python API returns on the same arrays. Equality is exact where the command
calls the same code on the same numbers (17-digit text round-trips floats).
Fit-once/apply-later round trips through skops files reproduce the
probabilities, log-densities and test results exactly.
"""

import io
import json

import numpy as np
import pandas as pd
import pytest

from statnorm import _cli

FORMATS = ("pandas-csv", "parquet", "stdin")


def _write(frame, path, fmt, monkeypatch, *, stdin=False):
    """Write ``frame`` in ``fmt``; return the argument naming it ("-" for stdin)."""
    if fmt == "stdin" and stdin:
        text = frame.to_csv(index=False, float_format="%.17g")
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        return "-"
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
        frame.to_parquet(path.with_suffix(".parquet"))
        return str(path.with_suffix(".parquet"))
    # pandas' default: an unnamed 0..n-1 index column, floats at full precision
    frame.to_csv(path.with_suffix(".csv"), float_format="%.17g")
    return str(path.with_suffix(".csv"))


def _json(argv, capsys):
    assert _cli.main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out)


def _frame(A, prefix="x"):
    return pd.DataFrame(A, columns=[f"{prefix}{j}" for j in range(A.shape[1])])


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("fmt", FORMATS)
def test_mmd_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.mmd import MMDTest

    X, Y = rng.normal(size=(40, 3)), rng.normal(0.4, 1.0, size=(30, 3))
    a = _write(_frame(X), tmp_path / "a", fmt, monkeypatch, stdin=True)
    b = _write(_frame(Y), tmp_path / "b", "pandas-csv", monkeypatch)
    got = _json(["mmd", a, b, "--n-permutations", "99"], capsys)
    res = MMDTest(n_permutations=99, random_state=0).test(X, Y)
    # the pandas index column is dropped: the same data, the same p-value
    assert got["A"]["shape"] == [40, 3]
    assert got["pvalue"] == res.pvalue and got["statistic"] == res.statistic


@pytest.mark.parametrize("fmt", FORMATS)
def test_calibrate_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.calibration import TemperatureScaling
    from statnorm.calibration import metrics as M

    S = rng.normal(size=(120, 3)) * 3
    y = rng.integers(0, 3, 120)
    s = _write(_frame(S, "z"), tmp_path / "s", fmt, monkeypatch, stdin=True)
    lab = _write(pd.DataFrame({"label": y}), tmp_path / "y", "pandas-csv", monkeypatch)
    got = _json(["calibrate", s, lab, "--method", "temperature"], capsys)
    P = TemperatureScaling().fit(S, y).predict_proba(S)
    assert got["metrics"]["NLL"]["after"] == M.negative_log_likelihood(y, P)
    assert got["metrics"]["ECE (15 bins)"]["after"] == M.expected_calibration_error(
        y, P
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_kde_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.kde import HighDimKDE

    X = rng.normal(size=(80, 4))
    d = _write(_frame(X), tmp_path / "d", fmt, monkeypatch, stdin=True)
    got = _json(["kde", d, "--no-report"], capsys)
    want = HighDimKDE(random_state=0).fit(X).score_samples_loo()
    np.testing.assert_array_equal(got["log_density"], want)


@pytest.mark.parametrize("fmt", FORMATS)
def test_depth_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.depth import depth_rank_sum_test

    F, G = rng.normal(2.0, 1.0, size=(50, 5)), rng.normal(2.3, 1.0, size=(40, 5))
    f = _write(_frame(F), tmp_path / "f", fmt, monkeypatch, stdin=True)
    g = _write(_frame(G), tmp_path / "g", "pandas-csv", monkeypatch)
    got = _json(["depth", f, g], capsys)
    res = depth_rank_sum_test(F, G, random_state=0)  # the CLI default seed
    assert got["statistic"] == res.statistic and got["pvalue"] == res.pvalue


@pytest.mark.parametrize("fmt", FORMATS)
def test_pcor_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.compositional import CompositionalPartialCorrelation

    parts = pd.DataFrame(
        rng.lognormal(size=(30, 5)), columns=["Si", "Al", "Fe", "Mg", "Ca"]
    )
    d = _write(parts, tmp_path / "p", fmt, monkeypatch, stdin=True)
    got = _json(["pcor", d], capsys)
    est = CompositionalPartialCorrelation().fit(parts)
    assert list(got["partial_variance"]) == list(parts.columns)
    np.testing.assert_array_equal(
        list(got["partial_variance"].values()), est.partial_variance_
    )
    top = est.summary(max_rows=10).to_dict()
    assert got["top_pairs"] == json.loads(json.dumps(top))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdd_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from statnorm.rdd import DistributionalRDD, long_to_samples

    n, m = 120, 15
    x = rng.uniform(-1, 1, n)
    long = pd.DataFrame(
        {
            "firm": np.repeat([f"f{i}" for i in range(n)], m),
            "score": np.repeat(x, m),
            "wage": rng.normal(np.repeat(x + (x >= 0), m), 1.0),
        }
    )
    d = _write(long, tmp_path / "l", fmt, monkeypatch, stdin=True)
    argv = ["rdd", d, "--running", "score", "--unit", "firm", "--outcome", "wage"]
    got = _json([*argv, "--n-quantiles", "9", "--n-bootstrap", "49"], capsys)
    s = long_to_samples(long["firm"], long["wage"], long["score"])
    est = DistributionalRDD(
        q_grid=np.arange(1, 10) / 10, n_bootstrap=49, random_state=0
    ).fit(s["x"], s["samples"])
    np.testing.assert_array_equal(got["effect"]["tau"], est.tau_)
    np.testing.assert_array_equal(got["effect"]["band_upper"], est.band_upper_)
    assert got["nullity"]["pvalue"] == est.test_nullity().pvalue


@pytest.mark.parametrize("fmt", FORMATS)
def test_quantile_json_equals_api(tmp_path, rng, fmt, monkeypatch, capsys):
    from threadpoolctl import threadpool_limits

    from statnorm.quantile._compare import compare

    n = 160
    X = rng.uniform(size=(n, 2))
    y = X[:, 0] + rng.normal(0, 0.1 + X[:, 1], n)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "size": "S", "target": y})
    frame.loc[X[:, 1] > 0.5, "size"] = "L"
    d = _write(frame, tmp_path / "q", fmt, monkeypatch, stdin=True)
    argv = ["quantile", d, "--target", "target", "--cv", "2", "--no-local"]
    argv += ["--quantiles", "0.1", "0.5", "0.9", "--categories", "size=S,L"]
    got = _json(argv, capsys)
    # the same split and models through the Python API; "S" < "L" as named
    Z = np.c_[X, (X[:, 1] > 0.5).astype(float)]
    idx = np.random.default_rng(0).permutation(n)
    te, tr = idx[:40], idx[40:]
    with threadpool_limits(1):
        table, _ = compare(
            Z[tr], y[tr], Z[te], y[te], quantiles=[0.1, 0.5, 0.9], cv=2, local=False
        )
    assert got["table"] == json.loads(json.dumps(table.to_dict()))


def test_save_apply_round_trips_are_exact(tmp_path, rng, capsys):
    pytest.importorskip("skops")
    S = rng.normal(size=(150, 4)) * 2
    y = rng.integers(0, 4, 150)
    np.save(tmp_path / "s.npy", S)
    np.save(tmp_path / "y.npy", y)
    model = tmp_path / "cal.skops"
    fit = ["calibrate", str(tmp_path / "s.npy"), str(tmp_path / "y.npy")]
    assert _cli.main([*fit, "--method", "vector", "--save", str(model)]) == 0
    capsys.readouterr()
    got = _json(["calibrate", "--apply", str(model), str(tmp_path / "s.npy")], capsys)
    from statnorm.calibration import VectorScaling

    want = VectorScaling().fit(S, y).predict_proba(S)
    np.testing.assert_array_equal(got["probabilities"], want)
    out = tmp_path / "out"
    argv = ["calibrate", "--apply", str(model), str(tmp_path / "s.npy"), "-o", str(out)]
    assert _cli.main(argv) == 0
    written = pd.read_csv(out / "calibrated_proba.csv")
    assert list(written.columns) == ["p0", "p1", "p2", "p3"]
    np.testing.assert_array_equal(written.to_numpy(), want)

    # a fitted KDE: log-densities of new points, exactly as in Python
    from statnorm.kde import HighDimKDE

    X, Q = rng.normal(size=(60, 3)), rng.normal(size=(7, 3))
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "q.npy", Q)
    kde_file = tmp_path / "kde.skops"
    argv = ["kde", str(tmp_path / "x.npy"), "--no-report", "--save", str(kde_file)]
    assert _cli.main(argv) == 0
    capsys.readouterr()
    got = _json(["kde", "--apply", str(kde_file), str(tmp_path / "q.npy")], capsys)
    want = HighDimKDE(random_state=0).fit(X).score_samples(Q)
    np.testing.assert_array_equal(got["log_density"], want)

    # a learned kernel, applied to fresh data
    A = rng.normal(size=(40, 3))
    B = rng.normal(1.0, 1.0, size=(40, 3))
    np.save(tmp_path / "a.npy", A)
    np.save(tmp_path / "b.npy", B)
    k_file = tmp_path / "kernel.skops"
    argv = ["mmd", str(tmp_path / "a.npy"), str(tmp_path / "b.npy")]
    learned = _json(
        [*argv, "--learn", "mmd-d", "--max-iter", "3", "--save", str(k_file)], capsys
    )
    A2, B2 = rng.normal(size=(30, 3)), rng.normal(1.0, 1.0, size=(30, 3))
    np.save(tmp_path / "a2.npy", A2)
    np.save(tmp_path / "b2.npy", B2)
    fresh = ["mmd", str(tmp_path / "a2.npy"), str(tmp_path / "b2.npy")]
    got = _json([*fresh, "--apply", str(k_file), "--n-permutations", "99"], capsys)
    assert got["kernel"] == learned["kernel"]
    from statnorm._cli._models import load_model
    from statnorm.mmd import MMDTest

    res = MMDTest(load_model(k_file), n_permutations=99, random_state=0).test(A2, B2)
    assert got["pvalue"] == res.pvalue and got["statistic"] == res.statistic


def test_wrong_model_file_and_conflicting_flags(tmp_path, rng, capsys):
    pytest.importorskip("skops")
    X = rng.normal(size=(30, 2))
    np.save(tmp_path / "x.npy", X)
    kde_file = tmp_path / "kde.skops"
    argv = ["kde", str(tmp_path / "x.npy"), "--no-report", "--save", str(kde_file)]
    assert _cli.main(argv) == 0
    capsys.readouterr()
    # a KDE file is not a calibrator: one line naming --apply and both types
    assert (
        _cli.main(["calibrate", "--apply", str(kde_file), str(tmp_path / "x.npy")]) == 1
    )
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "--apply" in err and "HighDimKDE" in err and "BaseCalibrator" in err
    assert _cli.main(["calibrate", str(tmp_path / "x.npy")]) == 2
    assert "LABELS is required" in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(_cli.COMMANDS))
def test_help_shows_defaults_and_two_worked_examples(command, capsys):
    with pytest.raises(SystemExit) as exc:
        _cli.main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    examples = text.split("examples (on data bundled with statnorm):")[1]
    runs = [ln for ln in examples.splitlines() if ln.strip().startswith("statnorm")]
    assert sum(f"statnorm {command} " in ln for ln in runs) >= 2
    assert any("statnorm datasets " in ln for ln in runs)
    for flag in ("--json", "--output", "--random-state", "--quiet"):
        if command == "compositional" and flag == "--random-state":
            continue  # partial correlations are not random
        assert flag in text, (command, flag)
    assert "(default: " in text


@pytest.mark.parametrize("command", sorted(_cli.COMMANDS))
def test_worked_examples_parse_and_name_real_data(command, capsys, tmp_path):
    """Every example in --help is a valid command on files `datasets` writes."""
    import shlex

    from statnorm._cli._datasets import export

    with pytest.raises(SystemExit):
        _cli.main([command, "--help"])
    text = capsys.readouterr().out.split("examples (on data bundled")[1]
    written = set()
    for line in text.splitlines():
        words = shlex.split(line.strip())
        if words[:1] != ["statnorm"]:
            continue
        if words[1] == "datasets":
            name = words[2]
            written |= {p.name for p in export(name, tmp_path)}
            continue
        args = _cli.build_parser(words[1]).parse_args(words[1:])
        assert args.command == command
        for value in vars(args).values():
            if isinstance(value, str) and value.startswith("data/"):
                assert value[len("data/") :] in written, (line, value)


def test_calibrate_sample_weight_and_new_methods(tmp_path, rng, capsys):
    from statnorm.calibration import SigmoidCalibration, TemperatureScaling
    from statnorm.calibration import metrics as M

    S = rng.normal(size=(90, 3)) * 2
    y = rng.integers(0, 3, 90)
    w = rng.integers(0, 3, 90).astype(float)
    for name, arr in (("s", S), ("y", y), ("w", w)):
        np.save(tmp_path / f"{name}.npy", arr)
    base = ["calibrate", str(tmp_path / "s.npy"), str(tmp_path / "y.npy")]
    got = _json(
        [*base, "--method", "temperature", "--sample-weight", str(tmp_path / "w.npy")],
        capsys,
    )
    P = TemperatureScaling().fit(S, y, sample_weight=w).predict_proba(S)
    assert got["metrics"]["NLL"]["after"] == M.negative_log_likelihood(y, P)
    got = _json([*base, "--method", "sigmoid"], capsys)
    P = SigmoidCalibration().fit(S, y).predict_proba(S)
    assert got["metrics"]["Brier"]["after"] == M.brier_score(y, P)
    assert "MCE (15 adaptive bins)" in got["metrics"]
    argv = [*base, "--method", "hcal", "--sample-weight", str(tmp_path / "w.npy")]
    code = _cli.main(argv)
    err = capsys.readouterr().err
    if code != 0:  # until h-calibration takes weights: refused, never ignored
        assert code == 2 and "--method hcal takes no sample weights" in err


def test_pcor_fdr_intervals_covariates_weights_equal_api(tmp_path, rng, capsys):
    from statnorm.compositional import CompositionalPartialCorrelation

    parts = pd.DataFrame(rng.lognormal(size=(40, 5)), columns=list("ABCDE"))
    parts["B"] = parts["A"] * rng.lognormal(0, 0.3, 40)  # one strong pair
    extra = pd.DataFrame({"temp": rng.normal(size=40), "w": rng.integers(1, 4, 40)})
    path = tmp_path / "p.csv"
    pd.concat([parts, extra], axis=1).to_csv(path, index=False)
    argv = ["pcor", str(path), "--covariates", "temp", "--sample-weight", "w"]
    argv += ["--fdr", "0.1", "--fdr-method", "by", "--confidence-level", "0.9"]
    got = _json(argv, capsys)
    est = CompositionalPartialCorrelation().fit(
        parts, covariates=extra[["temp"]].to_numpy(), sample_weight=extra["w"]
    )
    e = est.edges(fdr=0.1, method="by")
    ci = est.confidence_interval(0.9)
    sig = got["significant_pairs"]
    assert sig["part_1"] == list(e.source) and ("A", "B") in zip(
        sig["part_1"], sig["part_2"], strict=True
    )
    np.testing.assert_array_equal(sig["qvalue"], e.qvalue)
    np.testing.assert_array_equal(sig["lower"], ci.lower[e.i, e.j])
    with pytest.raises(SystemExit):
        _cli.main(["pcor", str(path), "--fdr", "1.5"])
    assert _cli.main(["pcor", str(path), "--covariates", "nope"]) == 1
    assert "--covariates: ['nope'] not among the columns" in capsys.readouterr().err


def test_rdd_clusters_covariates_density_equal_api(tmp_path, rng, capsys):
    from statnorm.rdd import DistributionalRDD, density_test, long_to_samples

    n, m = 150, 10
    x = rng.uniform(-1, 1, n)
    region = rng.integers(0, 30, n)
    z = rng.normal(size=n)
    long = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(n), m),
            "score": np.repeat(x, m),
            "region": np.repeat(region, m),
            "z": np.repeat(z, m),
            "wage": rng.normal(np.repeat(x + (x >= 0) + z, m), 1.0),
        }
    )
    path = tmp_path / "l.csv"
    long.to_csv(path, index=False)
    argv = ["rdd", str(path), "--running", "score", "--unit", "firm"]
    argv += ["--outcome", "wage", "--cluster", "region", "--covariates", "z"]
    argv += ["--density-test", "--n-quantiles", "9", "--n-bootstrap", "49"]
    got = _json(argv, capsys)
    s = long_to_samples(long["firm"], long["wage"], long["score"])
    est = DistributionalRDD(
        q_grid=np.arange(1, 10) / 10, n_bootstrap=49, random_state=0
    ).fit(s["x"], s["samples"], clusters=region, covariates=z[:, None])
    np.testing.assert_array_equal(got["effect"]["tau"], est.tau_)
    np.testing.assert_array_equal(got["effect"]["std_error"], est.std_error_)
    assert got["density_test"]["pvalue"] == density_test(s["x"]).pvalue
    long.loc[0, "z"] = 99.0  # a unit covariate that varies within the unit
    long.to_csv(path, index=False)
    assert _cli.main(argv) == 1
    assert "--covariates z: the column varies within unit(s) [0]" in (
        capsys.readouterr().err
    )


def test_calibrate_hcal_flags_equal_api_and_refuse_other_methods(tmp_path, rng, capsys):
    from statnorm.calibration import HCalibrator
    from statnorm.calibration import metrics as M

    S = rng.normal(size=(120, 3)) * 3
    y = rng.integers(0, 3, 120)
    np.save(tmp_path / "s.npy", S)
    np.save(tmp_path / "y.npy", y)
    base = ["calibrate", str(tmp_path / "s.npy"), str(tmp_path / "y.npy")]
    flags = ["--grouping", "kmeans", "--selector", "last", "--cv", "in-sample"]
    got = _json([*base, "--method", "hcal", *flags, "--init", "identity"], capsys)
    cal = HCalibrator(
        grouping="kmeans",
        selector="last",
        cv="in-sample",
        init="identity",
        random_state=0,
    ).fit(S, y)
    P = cal.predict_proba(S)
    assert got["metrics"]["NLL"]["after"] == M.negative_log_likelihood(y, P)
    got = _json([*base, "--method", "hcal", "--cv", "auto"], capsys)
    P = HCalibrator(random_state=0).fit(S, y).predict_proba(S)
    assert got["metrics"]["NLL"]["after"] == M.negative_log_likelihood(y, P)
    for bad, msg in (
        (["--method", "temperature", "--grouping", "kmeans"], "--grouping: only with"),
        (["--method", "temperature", "--init", "identity"], "--init: only with"),
        (["--method", "hcal", "--cv", "1"], "--cv: expected a number of folds"),
        (["--method", "hcal", "--cv", "five"], "--cv: expected a number of folds"),
    ):
        assert _cli.main([*base, *bad]) == 2
        assert msg in capsys.readouterr().err
