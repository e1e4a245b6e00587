"""Report the environment in bug reports."""

import importlib
import platform
import sys

_DEPS = (
    "statnorm",
    "numpy",
    "scipy",
    "sklearn",
    "numba",
    "llvmlite",
    "statsmodels",
    "threadpoolctl",
    "matplotlib",
    "pandas",
)


def _versions():
    out = {}
    for name in _DEPS:
        try:
            mod = importlib.import_module(name)
            out[name] = getattr(mod, "__version__", "unknown")
        except ImportError:
            out[name] = None
    return out


def show_versions(*, as_dict=False):
    """Print (or return) the versions of Python, statnorm and its dependencies.

    Numba's thread count and threading-layer configuration are included, since
    most performance reports depend on them.

    Parameters
    ----------
    as_dict : bool, default=False
        Return the information as a dict instead of printing it.

    Returns
    -------
    info : dict or None
        ``{"python": ..., "platform": ..., "<package>": version or None, ...}``
        when ``as_dict`` is True.

    Examples
    --------
    >>> from statnorm.utils import show_versions
    >>> info = show_versions(as_dict=True)
    >>> sorted(info)[:3]
    ['llvmlite', 'matplotlib', 'numba']
    """
    if not isinstance(as_dict, bool):
        raise TypeError(f"as_dict must be a bool. Got {as_dict!r} instead.")
    info = {"python": sys.version.split()[0], "platform": platform.platform()}
    info.update(_versions())
    try:
        import numba

        info["numba_num_threads"] = numba.config.NUMBA_NUM_THREADS
        info["numba_threading_layer_config"] = numba.config.THREADING_LAYER
    except ImportError:  # pragma: no cover - numba is a hard dependency
        pass
    if as_dict:
        return info
    width = max(map(len, info))
    for k, v in info.items():
        print(f"{k:>{width}}: {v}")
    return None
