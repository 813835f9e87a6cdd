"""`python -m dashboard` is the `alliance-atlas` command."""

import sys

from dashboard.cli import main

sys.exit(main())
