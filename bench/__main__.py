"""`python -m bench [options]`: see bench/README.md, or `python -m bench --help`."""

import sys

from bench.command import main

sys.exit(main())
