"""Import behaviour, version, validation helpers, numba convention, results."""

import json
import subprocess
import sys

import numba
import numpy as np
import pytest

import statnorm
from statnorm import METHODS, _numba, _validation
from statnorm.results import SummaryTable, TestResult


def _fresh_python(code):
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_version_and_lazy_import():
    code = (
        "import json, sys, statnorm; "
        "print(json.dumps([statnorm.__version__, "
        "sorted(m for m in sys.modules if m.startswith(('numba', 'statnorm.')))]))"
    )
    version, loaded = json.loads(_fresh_python(code))
    assert version == statnorm.__version__
    assert loaded == ["statnorm._version"]


@pytest.mark.parametrize("method", METHODS)
def test_method_subpackages_import_and_document_themselves(method):
    mod = getattr(statnorm, method)
    assert mod.__doc__ and len(mod.__doc__) > 100
    assert isinstance(mod.__all__, list)


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        statnorm.nope  # noqa: B018


# --------------------------------------------------------------- validation


def test_check_2d_messages_name_the_argument():
    with pytest.raises(ValueError, match="Input logits contains NaN"):
        _validation.check_2d([[np.nan, 1.0]], name="logits")
    with pytest.raises(ValueError, match="Input logits contains infinity"):
        _validation.check_2d([[np.inf, 1.0]], name="logits")
    with pytest.raises(ValueError, match="Expected 2D array"):
        _validation.check_2d([1.0, 2.0], name="logits")
    with pytest.raises(ValueError, match=r"logits has 1 sample\(s\) .* minimum of 2"):
        _validation.check_2d([[1.0, 2.0]], name="logits", min_samples=2)
    with pytest.raises(ValueError, match=r"0 sample"):
        _validation.check_2d(np.empty((0, 3)), name="X")
    with pytest.raises(ValueError, match=r"1 feature\(s\)"):
        _validation.check_2d([[1.0], [2.0]], name="X", min_features=2)
    with pytest.raises(TypeError, match="X must be an array-like of numbers"):
        _validation.check_2d(None)
    with pytest.raises(ValueError, match="Complex data not supported"):
        _validation.check_2d(np.array([[1 + 1j]]))
    with pytest.raises(TypeError, match="real numbers"):
        _validation.check_2d(np.array([["a", "b"]], dtype=object))


def test_check_2d_copies_and_never_mutates():
    X = np.arange(6, dtype=np.float64).reshape(2, 3)
    out = _validation.check_2d(X, copy=True)
    out[0, 0] = 99
    assert X[0, 0] == 0
    Xi = np.arange(6).reshape(2, 3)
    assert _validation.check_2d(Xi).dtype == np.float64
    assert Xi.dtype.kind == "i"


def test_check_1d_and_lengths():
    assert _validation.check_1d([[1], [2]]).shape == (2,)
    with pytest.raises(ValueError, match="x should be a 1d array"):
        _validation.check_1d(np.ones((2, 2)), name="x")
    with pytest.raises(ValueError, match="Input w contains NaN"):
        _validation.check_1d([1.0, np.nan], name="w")
    with pytest.raises(ValueError, match="logits has 3, y has 2"):
        _validation.check_consistent_length(logits=np.ones((3, 2)), y=[0, 1])
    _validation.check_consistent_length(a=[1, 2], b=None, c=[3, 4])


def test_check_classification_targets():
    classes, enc = _validation.check_classification_targets(["b", "a", "b"])
    assert list(classes) == ["a", "b"]
    assert enc.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="only 1 class"):
        _validation.check_classification_targets([3, 3, 3])
    with pytest.raises(ValueError, match="Unknown label type for y: continuous"):
        _validation.check_classification_targets([0.5, 1.5, 2.25])


def test_check_probabilities_and_composition():
    P = _validation.check_probabilities([[0.2, 0.8], [0.5, 0.5]])
    assert P.shape == (2, 2)
    with pytest.raises(ValueError, match="rows must sum to 1"):
        _validation.check_probabilities([[0.2, 0.7]])
    with pytest.raises(ValueError, match=r"min=-0\.1"):
        _validation.check_probabilities([[-0.1, 1.1]])
    with pytest.raises(ValueError, match="Negative values in data passed to X"):
        _validation.check_composition([[1.0, -2.0]])
    with pytest.raises(ValueError, match="all-zero row"):
        _validation.check_composition([[0.0, 0.0], [1.0, 1.0]], allow_zeros=True)
    with pytest.raises(ValueError, match="multiplicative_replacement"):
        _validation.check_composition([[0.0, 1.0], [1.0, 1.0]])
    assert _validation.check_composition([[0.0, 1.0]], allow_zeros=True).shape == (1, 2)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, True, "0.9", None])
def test_check_confidence_level_rejects(bad):
    with pytest.raises(ValueError, match="confidence_level must be a float"):
        _validation.check_confidence_level(bad)


def test_spawn_seeds_is_reproducible_and_independent():
    a = _validation.spawn_seeds(42, 100)
    assert np.array_equal(a, _validation.spawn_seeds(42, 100))
    assert len(np.unique(a)) == 100
    assert not np.array_equal(a, _validation.spawn_seeds(43, 100))
    # task i's seed does not depend on how many tasks there are
    assert np.array_equal(_validation.spawn_seeds(42, 10), a[:10])


# -------------------------------------------------------------------- numba


def test_njit_convention_caches_and_releases_gil():
    def f(x):
        return x + 1.0

    jf = _numba.njit(f)
    assert jf(1.0) == 2.0
    assert jf.targetoptions["nogil"] is True
    assert jf._cache is not None


def test_fastmath_safe_keeps_nan_semantics():
    def count_nan(a):
        c = 0
        for v in a:
            if np.isnan(v):
                c += 1
        return c

    safe = _numba.njit(count_nan, fastmath=set(_numba.FASTMATH_SAFE))
    assert safe(np.array([1.0, np.nan, 2.0, np.nan])) == 2


def test_parallel_threads_restores_and_maps_n_jobs():
    before = numba.get_num_threads()
    limit = numba.config.NUMBA_NUM_THREADS
    with _numba.parallel_threads(-1) as n:
        assert n == limit == numba.get_num_threads()
    assert numba.get_num_threads() == before
    with pytest.raises(RuntimeError), _numba.parallel_threads(1):
        raise RuntimeError
    assert numba.get_num_threads() == before
    assert _numba.effective_n_threads(-limit - 5) == 1
    with pytest.raises(ValueError, match="n_jobs == 0"):
        _numba.effective_n_threads(0)


def test_parallel_threads_limits_blas_inside_parallel_regions():
    from threadpoolctl import threadpool_info

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least 2 numba threads")
    with _numba.parallel_threads(2):
        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        assert all(p["num_threads"] == 1 for p in blas)


# ------------------------------------------------------------------ results


def test_test_result_unpacks_and_is_frozen():
    r = TestResult(statistic=1.5, pvalue=0.25)
    stat, p = r
    assert (stat, p) == (1.5, 0.25)
    with pytest.raises(AttributeError):
        r.pvalue = 0.1  # type: ignore[misc]
    assert "pvalue=0.25" in repr(r)


def test_summary_table_renders():
    t = SummaryTable("T", ("a", "b"), ((1, 0.123456),), notes=("n",))
    assert "0.1235" in str(t)
    assert "<caption>T</caption>" in t._repr_html_()
    assert t.to_markdown().splitlines()[0] == "| a | b |"


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _pyproject():
    import tomllib

    path = ROOT / "pyproject.toml"
    if not path.exists():  # installed package without the source tree
        pytest.skip("pyproject.toml not found")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_install_page_names_every_extra_and_nothing_else():
    import re

    extras = set(_pyproject()["project"]["optional-dependencies"])
    page = (ROOT / "docs" / "install.rst").read_text(encoding="utf-8")
    # The extras are the terms of the definition list: ``name`` alone on a line.
    listed = re.findall(r"^``([A-Za-z0-9_-]+)``\s*$", page, flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "an extra is listed twice"
    assert set(listed) == extras


def test_version_is_written_in_one_place():
    import importlib.metadata
    import json
    import re

    meta = _pyproject()
    assert "version" not in meta["project"]
    assert meta["project"]["dynamic"] == ["version"]
    assert meta["tool"]["hatch"]["version"]["path"] == "statnorm/_version.py"
    src = (ROOT / "statnorm" / "_version.py").read_text(encoding="utf-8")
    assert re.findall(r'__version__ = "([^"]+)"', src) == [statnorm.__version__]
    # No other file of the package spells the version out.
    for path in (ROOT / "statnorm").rglob("*.py"):
        if path.name != "_version.py":
            assert f'"{statnorm.__version__}"' not in path.read_text(encoding="utf-8")
    # The installed metadata agrees, when it was installed from this tree.
    try:
        dist = importlib.metadata.distribution("statnorm")
    except importlib.metadata.PackageNotFoundError:
        return
    url = json.loads(dist.read_text("direct_url.json") or "{}").get("url", "")
    if url.removeprefix("file://").rstrip("/") == str(ROOT):
        assert dist.version == statnorm.__version__


def test_changelog_heads_with_the_current_version():
    import re

    page = (ROOT / "docs" / "changes.rst").read_text(encoding="utf-8")
    heads = re.findall(r"^statnorm (\S+)\n-+$", page, flags=re.MULTILINE)
    # The release in progress is |release| (= statnorm.__version__); a
    # released version is written out and must then be the current one.
    assert heads and heads[0] in ("|release|", statnorm.__version__)
    assert heads.count("|release|") <= 1
