"""Entry point for `python -m csq`."""
import sys

from csq.cli import main

sys.exit(main())
