"""Check that the sdist and the wheel in DIST hold every file they should.

Usage: ``python .ci/check_dist.py DIST`` from the root of a git checkout.

- The wheel holds every git-tracked file under ``statnorm/`` (modules and the
  bundled data sets, NOTICE records and fixtures next to them), and its
  metadata version is ``statnorm/_version.py``'s.
- The sdist holds every git-tracked file but those pyproject.toml excludes.
"""

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path


def main(dist):
    dist = Path(dist)
    wheels, sdists = list(dist.glob("statnorm-*.whl")), list(dist.glob("statnorm-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {dist}: {wheels} {sdists}")
        return 1
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout.split("\0")
    tracked = [f for f in tracked if f and Path(f).is_file()]
    version = re.search(
        r'__version__ = "([^"]+)"', Path("statnorm/_version.py").read_text()
    ).group(1)
    problems = []

    with zipfile.ZipFile(wheels[0]) as whl:
        names = set(whl.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        got = re.search(r"^Version: (.+)$", whl.read(meta).decode(), re.M).group(1)
    if got != version:
        problems.append(f"wheel version {got} != statnorm/_version.py {version}")
    pkg = [f for f in tracked if f.startswith("statnorm/")]
    problems += [f"wheel lacks {f}" for f in pkg if f not in names]
    data = [f for f in pkg if not f.endswith(".py")]

    with tarfile.open(sdists[0]) as sd:
        top = sd.getnames()[0].split("/")[0]
        snames = {n.split("/", 1)[1] for n in sd.getnames() if "/" in n}
    # pyproject's sdist excludes: build output and generated gallery files.
    excluded = (".asv/", "docs/_build/", "docs/auto_examples/", ".venv/")
    problems += [
        f"sdist lacks {f}"
        for f in tracked
        if f not in snames and not f.startswith(excluded)
    ]
    for line in problems:
        print(line)
    print(
        f"check_dist: {len(problems)} problem(s); wheel {wheels[0].name} with "
        f"{len(pkg)} package files ({len(data)} data files), sdist {top} with "
        f"{len(snames)} files"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
