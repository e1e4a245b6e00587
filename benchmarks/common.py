"""Shared helpers for the asv suite.

Conventions (see ``benchmarks/README.md``):

- one module per method, ``bench_<method>.py``; classes with ``params`` and
  ``param_names``; data built in ``setup`` (never inside ``time_*``);
- the JIT compile is paid in ``setup`` by a tiny warm-up call;
- the peer a user would otherwise pick is timed in the same class, on the
  same data, as ``time_peer_<name>`` next to ``time_statnorm``, so asv's
  output gives the ratio directly;
- ``track_*`` methods report quality (agreement with the peer, coverage, size)
  so that a speed-up that breaks results is visible in the same run.
"""

import os

import numpy as np

QUICK = os.environ.get("STATNORM_BENCH_QUICK", "") not in ("", "0")
"""Set by .ci/run: benchmarks may use their smallest sizes only."""


def rng(seed=0):
    """Fixed-seed generator so data are identical across commits."""
    return np.random.default_rng(seed)


def skip_unless_available(module, name):
    """Return ``module.name`` or raise NotImplementedError (asv then skips).

    Lets the suite run against older statnorm commits that lack a method.
    """
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise NotImplementedError(f"{module}.{name} is not available") from exc


class Benchmark:
    """Base class: sensible timing defaults for numba-heavy code."""

    timeout = 300
    warmup_time = 0.1
    min_run_count = 1
