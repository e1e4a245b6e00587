"""The README's Python usage block runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::statnorm.kde.KDERegimeWarning")
def test_readme_usage_block_runs(capsys):
    if not README.exists():  # installed package without the source tree
        pytest.skip("README.md not found")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert blocks, "README.md has no python block"
    namespace = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "Al       Fe       0.7267" in out  # Erb's reference figure
    assert namespace["proba"].shape == (10000, 10)
    assert namespace["proba_digits"].shape == (898, 10)
    assert namespace["fan"].shape == (230, 3)
    assert namespace["result"].pvalue < 1e-10


@pytest.mark.slow
def test_docs_quickstart_runs_with_its_outputs():
    import doctest

    page = README.parent / "docs" / "quickstart.rst"
    if not page.exists():  # installed package without the source tree
        pytest.skip("docs/quickstart.rst not found")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 40
    assert result.failed == 0
