"""The command line's parser class, its error type and notes on stderr."""

from __future__ import annotations

import argparse
import sys


class CLIError(Exception):
    """An error in the user's input to the command line (printed, no traceback)."""


class HeaderUndecided(ValueError):
    """The first line of a text table could be a header or data (see read_table)."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's layout (worked examples) and show every default."""

    def _get_help_string(self, action):
        h = action.help or ""
        if (
            "%(default)" not in h
            and action.default is not argparse.SUPPRESS
            and action.default not in (None, [])
            and action.option_strings
            and action.nargs != 0
        ):
            h += " (default: %(default)s)"
        return h


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def note(args, message):
    """Print a note on stderr unless ``--quiet`` (or ``--json``) was given."""
    if not getattr(args, "quiet", False):
        print(f"statnorm: note: {message}", file=sys.stderr)
