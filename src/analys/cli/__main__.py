"""``python -m analys.cli``: the ``analys`` command (the package kept the module's entry)."""

import sys

from analys.cli import main

sys.exit(main())
