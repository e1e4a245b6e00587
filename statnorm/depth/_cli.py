"""``statnorm depth``: compare two corpora by TTE depth; and the tour section."""

from pathlib import Path

import numpy as np

from .._cliutils import CLIError, load_array


def _load(path, name):
    """Embeddings from .npy / .npz / .csv, or texts (one per line) from .txt."""
    path = Path(path)
    if path.suffix.lower() != ".txt" or not path.is_file():
        return load_array(path, name), None
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


def _run(args):
    from ._multivariate import (
        HalfspaceDepth,
        MahalanobisDepth,
        ProjectionDepth,
        SpatialDepth,
    )
    from ._ranksum import depth_rank_sum_test
    from ._tte import TTEDepth

    F, tf = _load(args.reference, "reference")
    G, tg = _load(args.sample, "sample")
    depth = {
        "cosine": TTEDepth(),
        "chord": TTEDepth(metric="chord"),
        "spatial": SpatialDepth(),
        "mahalanobis": MahalanobisDepth(),
        "projection": ProjectionDepth(random_state=args.random_state),
        "halfspace": HalfspaceDepth(random_state=args.random_state),
    }[args.depth]
    res = depth_rank_sum_test(
        F,
        G,
        depth=depth,
        alternative=args.alternative,
        method=args.method,
        n_permutations=args.n_permutations,
        random_state=args.random_state,
    )
    print(res.summary())
    if np.isfinite(res.mean_resultant_length):
        print(
            f"mean resultant length of the reference: {res.mean_resultant_length:.3g}"
        )
    k = args.top
    for title, d, texts in [
        ("reference", res.depths_reference, tf),
        ("sample (w.r.t. reference)", res.depths_sample, tg),
    ]:
        order = np.lexsort((np.arange(d.size), -d))
        print(f"\n{title}: most central")
        for i in order[:k]:
            print(f"  {d[i]:.4f}  {_label(i, texts)}")
        print(f"{title}: least central")
        for i in order[::-1][:k]:
            print(f"  {d[i]:.4f}  {_label(i, texts)}")
    return 0


def add_subcommand(subparsers):
    """Register ``statnorm depth REFERENCE SAMPLE``."""
    p = subparsers.add_parser(
        "depth",
        help="compare two corpora of embeddings by TTE depth (rank-sum test)",
        description=(
            "Depth rank-sum test of SAMPLE against REFERENCE (TTE depth, Seegmiller "
            "& Preum 2023), then the most and least central items of each. Files: "
            ".npy/.npz/.csv embeddings (one row per text) or .txt texts, one per "
            "line (needs sentence-transformers)."
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
        help="depth function (default: %(default)s, the TTE cosine depth)",
    )
    p.add_argument(
        "--alternative",
        default="greater",
        choices=["greater", "less", "two-sided"],
        help="greater: SAMPLE is more outlying (default: %(default)s)",
    )
    p.add_argument(
        "--method",
        default="asymptotic",
        choices=["asymptotic", "permutation"],
        help="p-value method (default: %(default)s)",
    )
    p.add_argument("--n-permutations", type=int, default=999)
    p.add_argument("--random-state", type=int, default=None)
    p.add_argument(
        "--top", type=int, default=5, help="items listed per corpus (default: 5)"
    )
    p.set_defaults(func=_checked_run)


def _checked_run(args):
    if args.top < 0:
        raise CLIError("--top must be >= 0")
    return _run(args)
