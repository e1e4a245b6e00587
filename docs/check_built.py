"""Check the built HTML docs (run by .ci/run after sphinx-build).

Usage: ``python docs/check_built.py BUILD_DIR [--chromium N]``. Exits 1
and lists the problems when

- a page's text still holds raw TeX (``\\(``, ``\\[``, ``$$``, ``$x^2$``-like
  spans or an unparsed ``:math:`` role) outside the math elements MathJax
  renders, or a page with math does not load the local MathJax copy;
- a page under ``generated/`` (one per public name) cannot be reached by
  following links from ``index.html``;
- a cross-reference did not resolve: Sphinx writes an ``xref`` element with
  no enclosing link.

Standard library only (html.parser); no browser needed. With
``--chromium N`` it also loads the ``N`` pages with the most math in headless
Chromium (``chromium``, or the ``CHROMIUM`` environment variable) and checks
the DOM after MathJax ran: every math element rendered (an ``mjx-container``
each) and no raw TeX left anywhere in the page's text.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Text (not in code, math, scripts) that is TeX nobody rendered.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|:math:`|\$[^$\s][^$]*[\\^_{][^$]*\$")
SKIP_TEXT = {"script", "style", "pre", "code", "textarea", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}  # fmt: skip


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, classes)
        self.links = []
        self.scripts = []
        self.raw_tex = []
        self.unresolved = []
        self.has_math = False

    def _inside(self, pred):
        return any(pred(tag, cls) for tag, cls in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = set((attrs.get("class") or "").split())
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if "math" in cls:
            self.has_math = True
        if "xref" in cls and not self._inside(lambda t, c: t == "a"):
            self.unresolved.append(cls)
            self._pending_xref = True
        if tag not in VOID:
            self.stack.append((tag, cls))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        if getattr(self, "_pending_xref", False) and data.strip():
            self.unresolved[-1] = data.strip()
            self._pending_xref = False
        if self._inside(lambda t, c: t in SKIP_TEXT or "math" in c):
            return
        for m in RAW_TEX.finditer(data):
            self.raw_tex.append(data[max(0, m.start() - 30) : m.end() + 30].strip())


def _local_target(page, href, root):
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    if target.suffix != ".html" or root not in target.parents:
        return None
    return target


def check(root):
    root = Path(root).resolve()
    problems = []
    pages = {}
    for path in sorted(root.rglob("*.html")):
        if "_sources" in path.parts or "_static" in path.parts:
            continue
        p = _Page()
        p.feed(path.read_text(encoding="utf-8"))
        pages[path] = p
        rel = path.relative_to(root)
        problems += [f"{rel}: raw TeX in text: {t!r}" for t in p.raw_tex]
        problems += [f"{rel}: unresolved reference {u!r}" for u in p.unresolved]
        if p.has_math:
            mj = [s for s in p.scripts if "mathjax" in s.lower()]
            local = [s for s in mj if not urlsplit(s).scheme and not s.startswith("//")]
            if not mj or len(local) != len(mj):
                problems.append(f"{rel}: math without a local MathJax script ({mj})")
            for s in local:
                if not (path.parent / urlsplit(s).path).is_file():
                    problems.append(f"{rel}: MathJax script {s} is missing")
    index = root / "index.html"
    if index not in pages:
        return [*problems, "index.html is missing"]
    seen, todo = {index}, deque([index])
    while todo:
        page = todo.popleft()
        for href in pages[page].links:
            target = _local_target(page, href, root)
            if target is not None and target in pages and target not in seen:
                seen.add(target)
                todo.append(target)
    api = sorted((root / "generated").glob("*.html"))
    if not api:
        problems.append("no API pages under generated/")
    problems += [
        f"{p.relative_to(root)}: not reachable by links from index.html"
        for p in api
        if p not in seen
    ]
    return problems


class _Rendered(HTMLParser):
    """Counts of a DOM dumped by Chromium: math elements, MathJax
    containers, and raw TeX in text outside scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.n_math = 0
        self.n_mjx = 0
        self.raw_tex = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        cls = set((dict(attrs).get("class") or "").split())
        self.n_math += "math" in cls and tag in {"span", "div"}
        self.n_mjx += tag == "mjx-container"
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._skip -= tag in {"script", "style"} and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            for m in RAW_TEX.finditer(data):
                self.raw_tex.append(data[max(0, m.start() - 30) : m.end() + 30].strip())


def check_rendered(root, n_pages, chromium):
    """Load the ``n_pages`` pages with the most math in headless Chromium and
    check that MathJax rendered every math element."""
    root = Path(root).resolve()
    counts = {}
    for path in root.rglob("*.html"):
        if "_sources" in path.parts or "_static" in path.parts:
            continue
        n = path.read_text(encoding="utf-8").count('class="math')
        if n:
            counts[path] = n
    # the pages with the most math first (the method pages)
    pages = sorted(counts, key=lambda p: (-counts[p], str(p)))[:n_pages]
    problems = [] if pages else ["no page with math to load in Chromium"]
    for path in pages:
        rel = path.relative_to(root)
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--virtual-time-budget=20000", "--dump-dom", path.as_uri()]  # fmt: skip
        try:
            out = subprocess.run(
                cmd, capture_output=True, text=True, timeout=120, check=True
            ).stdout
        except (subprocess.SubprocessError, OSError) as exc:
            problems.append(f"{rel}: chromium failed: {exc}")
            continue
        page = _Rendered()
        page.feed(out)
        if page.n_mjx < page.n_math or page.n_math == 0:
            problems.append(
                f"{rel}: MathJax rendered {page.n_mjx} of {page.n_math} math elements"
            )
        problems += [f"{rel}: raw TeX after rendering: {t!r}" for t in page.raw_tex]
        print(f"check_built: {rel} rendered {page.n_mjx} math element(s) in Chromium")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir")
    parser.add_argument(
        "--chromium",
        type=int,
        default=0,
        metavar="N",
        help="also check rendered math on N pages in headless Chromium",
    )
    args = parser.parse_args(argv)
    problems = check(args.build_dir)
    if args.chromium:
        chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
        if chromium is None:
            print(
                "check_built: --chromium given but no chromium found", file=sys.stderr
            )
            return 2
        problems += check_rendered(args.build_dir, args.chromium, chromium)
    for line in problems:
        print(line)
    n_api = len(list(Path(args.build_dir).glob("generated/*.html")))
    print(f"check_built: {len(problems)} problem(s); {n_api} API pages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
