"""Build ``data/r3d_reference.npz`` from the R-generated reference CSVs.

The CSVs are outputs of the R package R3D (Davidvandijcke/R3D, MIT licence,
snapshot 28744dbc, folder ``stata_r3d/tests``, produced by its
``generate_reference_data.R``: n = 200 units, 50 N(5 + 0.5 X + 3 1{X >= 0},
0.5^2) draws each, grids (1:20)/21 and (1:99)/100, set.seed(42)). Only the
numbers are kept. Usage: ``python make_r3d_fixture.py CSV_DIR``.
"""

import csv
import sys
from pathlib import Path

import numpy as np


def read(path):
    with open(path) as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cols = {}
    for j, name in enumerate(header):
        vals = [r[j] for r in body]
        try:
            cols[name] = np.array([float(v) if v != "NA" else np.nan for v in vals])
        except ValueError:
            cols[name] = np.array(vals)
    return cols


def main(src):
    src = Path(src)
    out = {}
    for tag in ("sharp_simple_20", "sharp_simple_99", "fuzzy_simple_20"):
        d = read(src / f"ref_data_{tag}.csv")
        out[f"data_{tag}_X"] = d["X"]
        qcols = sorted((k for k in d if k.startswith("Q")), key=lambda k: int(k[1:]))
        out[f"data_{tag}_Q"] = np.column_stack([d[k] for k in qcols])
        if "T_treat" in d:
            out[f"data_{tag}_T"] = d["T_treat"]
    for tag in (
        "sharp_simple_epanechnikov",
        "sharp_simple_triangular",
        "sharp_simple_uniform",
        "sharp_simple_99",
        "sharp_frechet_20",
        "fuzzy_simple_20",
        "fuzzy_frechet_20",
        "sharp_simple_fixedbw",
        "sharp_simple_p1",
        "sharp_simple_p3",
    ):
        for k, v in read(src / f"ref_results_{tag}.csv").items():
            out[f"res_{tag}_{k}"] = v
    for tag in ("sharp", "frechet", "fuzzy"):
        for k, v in read(src / f"ref_bwselect_{tag}.csv").items():
            out[f"bw_{tag}_{k}"] = v
    for kname in ("triangular", "epanechnikov", "uniform"):
        for side in ("plus", "minus"):
            a = read(src / f"ref_locpoly_alpha_{side}_{kname}.csv")
            out[f"locpoly_alpha_{side}_{kname}"] = np.vstack(list(a.values())).T
            w = read(src / f"ref_locpoly_w_{side}_{kname}.csv")
            out[f"locpoly_w_{side}_{kname}"] = np.column_stack(list(w.values()))
        out[f"locpoly_bw_{kname}"] = read(src / f"ref_locpoly_bw_{kname}.csv")["h"]
    xi = read(src / "ref_xi_matrix.csv")
    out["xi"] = np.column_stack(list(xi.values()))
    for k, v in read(src / "ref_bootstrap_deterministic.csv").items():
        out[f"bootdet_{k}"] = v
    taus = read(src / "ref_bootstrap_taus.csv")
    out["boot_taus"] = np.column_stack(list(taus.values()))
    pv = read(src / "ref_pvalues_deterministic.csv")
    out["pvalues_p"] = pv["p_value"]
    out["pvalues_stat"] = pv["test_stat"]
    for k, v in read(src / "ref_gini.csv").items():
        if k == "gini":
            out["gini"] = v
    iso = read(src / "ref_isotonic.csv")
    out["iso_case"] = iso["case"].astype(str)
    out["iso_input"] = iso["input"]
    out["iso_output"] = iso["output"]
    np.savez_compressed(Path(__file__).parent / "data" / "r3d_reference.npz", **out)


if __name__ == "__main__":
    main(sys.argv[1])
