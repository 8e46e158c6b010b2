"""`python -m hub`: see hub.cli."""

import sys

from hub.cli import main

sys.exit(main())
