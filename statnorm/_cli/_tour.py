"""``statnorm tour``: run every available method on bundled data."""

import importlib
import importlib.util
import time

from .. import METHODS, __version__
from ._parser import CLIError


def _import_if_present(name):
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name) if spec is not None else None


def available_tours():
    """Return ``[(method, tour_function)]`` for the methods that have a tour."""
    out = []
    for m in METHODS:
        mod = _import_if_present(f"statnorm._tours.{m}")
        if mod is None:  # a method whose tour still lives in its _cli module
            mod = _import_if_present(f"statnorm.{m}._cli")
        if mod is not None and hasattr(mod, "tour"):
            out.append((m, mod.tour))
    return out


def _cmd_tour(args):
    from .._report import Report

    wanted = args.methods or list(METHODS)
    unknown = sorted(set(wanted) - set(METHODS))
    if unknown:
        raise CLIError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    tours = [(m, f) for m, f in available_tours() if m in wanted]
    report = Report(args.output, title="statnorm tour")
    report.text(
        f"statnorm {__version__}. Each section runs one method on the data "
        "bundled with statnorm; nothing is downloaded."
    )
    if not report.plots:
        msg = (
            "statnorm tour: matplotlib is not installed, so the tour runs without "
            "figures (install statnorm[plot] for them)."
        )
        print(msg)
        report.text(msg)
    if not tours:
        msg = (
            "statnorm tour: no method is available yet "
            f"(0 of {len(METHODS)} built); nothing to run."
        )
        print(msg)
        report.text(msg)
        path = report.write()
        print(f"wrote {path}")
        return 0
    for i, (m, tour) in enumerate(tours, 1):
        print(f"[{i}/{len(tours)}] {m} ...", flush=True)
        t0 = time.perf_counter()
        report.section(m)
        tour(report)
        print(
            f"[{i}/{len(tours)}] {m} done in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    path = report.write()
    print(f"wrote {path} and {len(report.figures)} figure(s)")
    return 0
