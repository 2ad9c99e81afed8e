"""``.venv/bin/python test/conformance/run.py [--manager openkruise] [--short] ...``

OpenKruise v1.9.0's e2e specs against kruise-py on a local cluster; docs/conformance.md.
"""

import sys
from pathlib import Path

# Run as a script: import the runner and test/support from test/, not from this folder.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from conformance.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
