"""``statnorm depth``: compare two corpora by TTE depth; and the tour section."""

from pathlib import Path

import numpy as np

from .._cli._args import (
    add_n_permutations,
    add_output_options,
    add_random_state,
    add_table_options,
    configure_logging,
    examples,
    nonneg_int,
)
from .._cli._parser import CLIError, note
from .._cli._read import check_square_budget, load_array
from .._cli._write import emit, output_dir, write_frame


def _load(path, name, args):
    """Embeddings from any table file, or texts (one per line) from .txt."""
    if str(path) == "-" or Path(path).suffix.lower() != ".txt":
        return load_array(path, name, args=args), None
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{name}: no such file: {path}")
    from ._embed import embed_texts

    texts = [t for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
    try:
        return embed_texts(texts), texts
    except ImportError as exc:
        raise CLIError(
            f"{name}: {path} is a text file; embedding texts needs "
            "sentence-transformers (pip install sentence-transformers), or pass "
            "precomputed embeddings as .npy"
        ) from exc


def _label(i, texts, width=70):
    if texts is None:
        return f"row {i}"
    t = " ".join(texts[i].split())
    return f"row {i}: {t[: width - 1] + '…' if len(t) > width else t}"


def _depth(args):
    """The depth named by ``--depth``."""
    from ._multivariate import (
        HalfspaceDepth,
        MahalanobisDepth,
        ProjectionDepth,
        SpatialDepth,
    )
    from ._tte import TTEDepth

    return {
        "cosine": TTEDepth,
        "chord": lambda: TTEDepth(metric="chord"),
        "spatial": SpatialDepth,
        "mahalanobis": MahalanobisDepth,
        "projection": lambda: ProjectionDepth(random_state=args.random_state),
        "halfspace": lambda: HalfspaceDepth(random_state=args.random_state),
    }[args.depth]()


def _central_lines(res, k, tf, tg, data):
    """The most and least central rows of each corpus (text; indices in data)."""
    text = []
    for key, title, d, texts in [
        ("reference", "reference", res.depths_reference, tf),
        ("sample", "sample (w.r.t. reference)", res.depths_sample, tg),
    ]:
        order = np.lexsort((np.arange(d.size), -d))
        data[f"most_central_{key}"] = [int(i) for i in order[:k]]
        data[f"least_central_{key}"] = [int(i) for i in order[::-1][:k]]
        text.append(f"\n{title}: most central")
        text += [f"  {d[i]:.4f}  {_label(i, texts)}" for i in order[:k]]
        text.append(f"{title}: least central")
        text += [f"  {d[i]:.4f}  {_label(i, texts)}" for i in order[::-1][:k]]
    return text


def _run(args):
    import pandas as pd

    from ._ranksum import depth_rank_sum_test

    configure_logging(args)
    F, tf = _load(args.reference, "REFERENCE", args)
    G, tg = _load(args.sample, "SAMPLE", args)
    if args.depth == "mahalanobis":
        check_square_budget(
            F.shape[1], args, "REFERENCE", args.reference, "the covariance"
        )
    res = depth_rank_sum_test(
        F,
        G,
        depth=_depth(args),
        alternative=args.alternative,
        method=args.method,
        n_permutations=args.n_permutations,
        random_state=args.random_state,
        verbose=0 if args.json else args.verbose,  # stdout is for --json
    )
    data = {
        "depth": args.depth,
        "method": res.method,
        "alternative": args.alternative,
        "statistic": res.statistic,
        "pvalue": res.pvalue,
        "n_reference": len(res.depths_reference),
        "n_sample": len(res.depths_sample),
        "mean_resultant_length": res.mean_resultant_length,
    }
    text = [str(res.summary())]
    if np.isfinite(res.mean_resultant_length):
        text.append(
            f"mean resultant length of the reference: {res.mean_resultant_length:.3g}"
        )
    text += _central_lines(res, args.top, tf, tg, data)
    out = output_dir(args)
    if out is not None:
        paths = [
            write_frame(pd.DataFrame({"depth": d}), out, f"depths_{key}.csv")
            for key, d in (
                ("reference", res.depths_reference),
                ("sample", res.depths_sample),
            )
        ]
        note(args, "wrote " + " and ".join(map(str, paths)))
    emit(args, text="\n".join(text), data=data)
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm depth REFERENCE SAMPLE``."""
    p = subparsers.add_parser(
        "depth",
        help="compare two corpora of embeddings by TTE depth (rank-sum test)",
        description=(
            "Depth rank-sum test of SAMPLE against REFERENCE (TTE depth, Seegmiller "
            "& Preum 2023), then the most and least central items of each. Files: "
            "embeddings (one row per text) as CSV/TSV, parquet, .npy/.npz or - for "
            "standard input, or .txt texts, one per line (needs "
            "sentence-transformers)."
        ),
        epilog=examples(
            "statnorm datasets mgt_embeddings -o data",
            "statnorm depth data/mgt_truthfulqa_human.npy "
            "data/mgt_truthfulqa_chatgpt.npy --top 3",
            "statnorm depth data/mgt_squad1_human.npy data/mgt_squad1_chatgpt.npy "
            "--method permutation --n-permutations 199 --json",
        ),
    )
    p.add_argument("reference", help="reference corpus F (depths are w.r.t. it)")
    p.add_argument("sample", help="corpus G compared with F")
    p.add_argument(
        "--depth",
        default="cosine",
        choices=[
            "cosine",
            "chord",
            "spatial",
            "mahalanobis",
            "projection",
            "halfspace",
        ],
        help="depth function (cosine is the TTE depth)",
    )
    p.add_argument(
        "--alternative",
        default="greater",
        choices=["greater", "less", "two-sided"],
        help="greater: SAMPLE is more outlying",
    )
    p.add_argument(
        "--method",
        default="auto",
        choices=["auto", "asymptotic", "permutation"],
        help=(
            "p-value method; auto: permutation when either corpus has fewer "
            "than 200 rows, else asymptotic (the JSON says which ran)"
        ),
    )
    add_n_permutations(p)
    add_random_state(p)
    p.add_argument(
        "--top",
        type=nonneg_int("--top"),
        default=5,
        help="items listed per corpus",
    )
    add_table_options(p)
    add_output_options(p)
    p.set_defaults(func=_run)
