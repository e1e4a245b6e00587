"""Run the command line with ``python -m statnorm``."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
