"""``python -m dnsd`` is the ``dnsd`` command."""

import sys

from dnsd.cli.main import main

sys.exit(main())
