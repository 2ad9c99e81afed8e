"""``.venv/bin/python test/chaos/run.py [--form short|long] [--seed N]``: a chaos run
(docs/testing.md, "What we test: chaos runs"); ``storm.py`` beside it is the event storm."""

import sys
from pathlib import Path

# Run as a script: import chaos and test/support from test/, not from this folder.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from chaos.driver import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
