"""``python -m analys.cli`` runs the command line, the same as ``analys``."""

import sys

from analys.cli import main

sys.exit(main())
