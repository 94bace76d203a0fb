"""`python -m casework.places`: see casework/places/cli.py."""

import sys

from casework.places.cli import main

sys.exit(main())
