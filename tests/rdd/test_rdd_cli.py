"""``statnorm rdd`` on a long-format CSV."""

import numpy as np
import pytest

from statnorm._cli import main


def _write(tmp_path, rng, fuzzy=False):
    n, m = 150, 20
    x = rng.uniform(-1, 1, n)
    t = (rng.uniform(size=n) < 0.1 + 0.8 * (x >= 0.2)).astype(int)
    shift = 2 * (t if fuzzy else (x >= 0.2))
    path = tmp_path / "long.csv"
    with open(path, "w") as fh:
        fh.write("firm,score,wage,treated\n")
        for i in range(n):
            fh.writelines(
                f"f{i},{float(x[i])!r},{float(y)!r},{t[i]}\n"
                for y in rng.normal(3 + x[i] + shift[i], 1.0, m)
            )
    return path


def test_cli_sharp_prints_summary_and_writes_plot(tmp_path, rng, capsys):
    path = _write(tmp_path, rng)
    code = main(
        [
            "rdd",
            str(path),
            "--running",
            "score",
            "--unit",
            "firm",
            "--outcome",
            "wage",
            "--cutoff",
            "0.2",
            "--n-quantiles",
            "9",
            "--n-bootstrap",
            "50",
            "-o",
            str(tmp_path / "out"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Distributional RDD (sharp" in out and "nullity" in out
    fig = tmp_path / "out" / "rdd.png"
    assert fig.exists() and fig.stat().st_size > 1000
    effect = np.genfromtxt(tmp_path / "out" / "effect.csv", delimiter=",", names=True)
    assert effect["q"].shape == (9,) and np.isfinite(effect["tau"]).all()


def test_cli_fuzzy(tmp_path, rng, capsys):
    path = _write(tmp_path, rng, fuzzy=True)
    code = main(
        [
            "rdd",
            str(path),
            "--running",
            "score",
            "--unit",
            "firm",
            "--outcome",
            "wage",
            "--cutoff",
            "0.2",
            "--treatment",
            "treated",
            "--n-quantiles",
            "9",
            "--n-bootstrap",
            "50",
        ]
    )
    assert code == 0
    assert "first stage" in capsys.readouterr().out


def test_cli_bad_input_is_one_line(tmp_path, rng, capsys):
    path = _write(tmp_path, rng)
    code = main(
        [
            "rdd",
            str(path),
            "--running",
            "nope",
            "--unit",
            "firm",
            "--outcome",
            "wage",
        ]
    )
    err = capsys.readouterr().err
    assert (
        code == 1
        and "--running: 'nope' is not a column" in err
        and "Traceback" not in err
    )
    code = main(
        [
            "rdd",
            str(path),
            "--running",
            "score",
            "--unit",
            "firm",
            "--outcome",
            "wage",
            "--cutoff",
            "5",
        ]
    )
    assert code == 1 and "No units at or above" in capsys.readouterr().err


def test_non_binary_treatment_column_is_rejected(tmp_path, capsys):
    import numpy as np

    from statnorm._cli import main

    rng = np.random.default_rng(0)
    n, m = 60, 5
    x = np.repeat(rng.uniform(-1, 1, n), m)
    rows = ["unit,y,x,t"] + [
        f"{i // m},{v:.4f},{xi:.4f},{3 * (xi >= 0) + 2}"
        for i, (v, xi) in enumerate(zip(rng.normal(size=n * m), x))
    ]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    code = main(
        [
            "rdd",
            str(tmp_path / "d.csv"),
            "--unit",
            "unit",
            "--outcome",
            "y",
            "--running",
            "x",
            "--treatment",
            "t",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "--treatment" in err and "d.csv" in err
    assert not out.exists()


def test_cli_inference_options_reach_the_estimator(tmp_path, rng, capsys):
    import json

    from statnorm._cli._main import build_parser
    from statnorm.rdd._cli import _estimator

    base = ["rdd", "d.csv", "--running", "x", "--unit", "u", "--outcome", "y"]
    extra = ["--inference", "conventional", "--vce", "hc1", "--bias-order", "3",
             "--bandwidth-bias", "0.8", "--rho", "0.4"]
    est = _estimator(build_parser("rdd").parse_args(base + extra))
    assert est.get_params() | {"inference": "conventional", "vce": "hc1",
                               "bias_order": 3, "bandwidth_bias": 0.8,
                               "rho": 0.4} == est.get_params()
    default = _estimator(build_parser("rdd").parse_args(base))
    assert (default.inference, default.vce, default.bias_order) == ("auto", None, None)
    # the two bands differ on the same data (robust is centred elsewhere)
    path = _write(tmp_path, rng)
    argv = ["rdd", str(path), "--running", "score", "--unit", "firm", "--outcome",
            "wage", "--cutoff", "0.2", "--n-quantiles", "5", "--n-bootstrap", "30",
            "--json"]
    bands = {}
    for inference in ("robust", "conventional"):
        assert main([*argv, "--inference", inference, "--vce", "hc2"]) == 0
        effect = json.loads(capsys.readouterr().out)["effect"]
        bands[inference] = np.array(effect["band_lower"])
    assert not np.allclose(bands["robust"], bands["conventional"])
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--bias-order", "0"])
    assert exc.value.code == 2
    assert "--bias-order must be a positive integer" in capsys.readouterr().err
