"""`python -m postmortem_kb.cli`: the same as the `pmkb` console script."""

import sys

from . import main

sys.exit(main())
