"""``python -m analys.cli``: the ``analys`` command."""

import sys

from analys.cli import main

sys.exit(main())
