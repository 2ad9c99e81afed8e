"""Commands installed with the package, found in the environment running the tests.

The scripts live beside the interpreter (``sys.executable``'s directory: a virtualenv's
``bin/``, or a system prefix), wherever that environment is; when a script is missing the
module behind it runs under the same interpreter.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def installed_command(script: str, module: str) -> list[str]:
    """``script`` from the interpreter's directory, else ``python -m module``."""
    found = shutil.which(script, path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", module]


def manager_command() -> list[str]:
    """How to run ``kruise-manager``; append its flags."""
    return installed_command("kruise-manager", "kruise_manager.main")


def pip_command() -> list[str]:
    """How to run this environment's ``pip``; append its arguments."""
    return installed_command("pip", "pip")
