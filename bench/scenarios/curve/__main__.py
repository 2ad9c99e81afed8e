"""``python bench/scenarios/curve run ...``: one run of one contender (``child.py``)."""

import sys
from pathlib import Path

# Run as a folder, this file is a script: import the package from bench/ instead of
# putting the package's own folder first on the path.
sys.path[0] = str(Path(__file__).resolve().parents[2])

from scenarios.curve.child import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
