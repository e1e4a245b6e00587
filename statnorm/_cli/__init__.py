"""The ``statnorm`` command line.

Subcommands come from a static table (:data:`COMMANDS`): ``statnorm --help``
and ``statnorm --version`` import no method package (and so no Numba); a
method's parser is built only when its subcommand is used. Built-in
subcommands are ``tour``, ``datasets`` and ``versions``. A method joins by

- adding a row to :data:`COMMANDS` and shipping ``statnorm/<method>/_cli.py``
  with ``add_subcommand(subparsers)``, which adds ``statnorm <command> ...``
  with ``subparsers.add_parser(...)`` and ``parser.set_defaults(func=run)``,
  where ``run(args) -> int``;
- shipping ``statnorm/_tours/<method>.py`` with ``tour(report)``: a short
  script over public names that runs the method on bundled data for
  ``statnorm tour``.

The package is split by concern: ``_parser`` (the parser class, ``CLIError``,
notes), ``_read`` (one reader for every table), ``_args`` (shared argument
groups and value types), ``_write`` (output folder, CSV, ``--json``),
``_models`` (skops model files), ``_tour`` and ``_datasets`` (the built-in
subcommands) and ``_main`` (the entry point). Method CLIs import from those
modules, never from ``_main``.

Bad user input is reported as one line on stderr with exit status 2 (usage)
or 1 (input or data errors, and running out of memory); a traceback means a
bug in statnorm.
"""

from ._main import COMMANDS, build_parser, main
from ._tour import available_tours

__all__ = ["COMMANDS", "available_tours", "build_parser", "main"]
