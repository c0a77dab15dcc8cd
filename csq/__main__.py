"""Entry point for `python -m csq`."""
import sys

from csq.cli.main import main

sys.exit(main())
