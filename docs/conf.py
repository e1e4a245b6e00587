"""Sphinx configuration for statnorm.

The build is offline: intersphinx reads the inventories shipped in
``_intersphinx/`` (see README.txt there) and MathJax is served from the built
pages by ``sphinx-mathjax-offline`` (docs extra), so no page needs the network.
"""

import os
import tempfile

os.environ.setdefault(
    "NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "statnorm-numba")
)
os.environ.setdefault("MPLBACKEND", "Agg")

import statnorm  # noqa: E402

project = "statnorm"
author = "statnorm developers"
copyright = "2026, statnorm developers"
release = statnorm.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # Copies MathJax 3 into _static/mathjax and points mathjax_path at it.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True


def _foreign_bases():
    """Names of the non-statnorm classes in the public classes' MROs.

    Members inherited from our own bases (``Result``, ``FittedFromResult``,
    ...) are documented on each class page, so numpydoc's links from the
    Attributes sections resolve; those of scikit-learn and Python's builtins
    are left to their own documentation.
    """
    import importlib
    import inspect

    names = set()
    for sub in _SUBPACKAGES:
        mod = importlib.import_module(f"statnorm.{sub}")
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                names.update(
                    c.__name__
                    for c in obj.__mro__[1:]
                    if not c.__module__.startswith("statnorm")
                )
    return ",".join(sorted(names | {"object"}))


_SUBPACKAGES = (
    "calibration", "compositional", "datasets", "depth", "kde", "mmd",
    "quantile", "rdd", "results", "utils", "exceptions",
)  # fmt: skip

autodoc_default_options = {
    "members": True,
    # no "inherited-members" here: a non-string default replaces the class
    # template's own :inherited-members: list (autosummary_context below)
    # scikit-learn generates these metadata-routing methods with docstrings
    # that numpydoc cannot parse; they are documented by scikit-learn.
    "exclude-members": ",".join(
        f"set_{m}_request"
        for m in ("fit", "score", "predict", "transform", "partial_fit", "split")
    ),
}
# the class template (_templates/autosummary/class.rst) documents the members
# inherited from statnorm's own bases, not those of these classes
autosummary_context = {"foreign_bases": _foreign_bases()}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"statnorm {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = ["_static"]
html_css_files = ["statnorm.css"]
nitpicky = False

# Links to the documentation of the libraries statnorm builds on. The
# inventories are local files (nothing is downloaded at build time); their
# targets are the projects' stable pages. numpy and matplotlib ship no offline
# inventory we can redistribute, so their names are not linked.
intersphinx_mapping = {
    name: (url, os.path.join("_intersphinx", f"{name}.inv"))
    for name, url in {
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "pandas": "https://pandas.pydata.org/docs/",
        "sklearn": "https://scikit-learn.org/stable/",
    }.items()
}
