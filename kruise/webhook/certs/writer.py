"""Put the certificates into the cert dir the webhook server reads.

Each file is written to a temporary file in the same directory, flushed to disk and
renamed over the old one, so a reader sees the old file or the new one and never a
half-written one. Files whose content is already right are left alone (no spurious
reloads). The serving pair goes last, ``tls.key`` before ``tls.crt``: a server that
reloads when ``tls.crt`` changes finds the matching key already in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from kruise.webhook.certs.generate import CA_CERT, CA_KEY, CERT, KEY, TLS_CERT, TLS_KEY

WRITE_ORDER = (CA_CERT, CA_KEY, CERT, KEY, TLS_KEY, TLS_CERT)
PRIVATE = frozenset({CA_KEY, KEY, TLS_KEY})
# Only the manager's own user reads the cert dir: keys and certificates alike are 0600, so
# nothing in it, not even which CA is served, is open to another user of the node.
PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o600
DIR_MODE = 0o700


def write_files(directory: Path, files: Mapping[str, bytes]) -> list[str]:
    """Write ``files`` (name to content) into ``directory``, creating it if needed;
    returns the names that changed, in the order written."""
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    names = [n for n in WRITE_ORDER if n in files] + sorted(set(files) - set(WRITE_ORDER))
    changed = []
    for name in names:
        if os.sep in name or name in {"", ".", ".."}:
            raise ValueError(f"not a plain file name: {name!r}")
        path = directory / name
        if _content(path) == files[name]:
            continue
        write_atomically(path, files[name], PRIVATE_MODE if name in PRIVATE else PUBLIC_MODE)
        changed.append(name)
    return changed


def write_atomically(path: Path, content: bytes, mode: int) -> None:
    """Replace ``path`` with ``content`` in one rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def read_files(directory: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """The named files that exist in ``directory``."""
    found = {}
    for name in names:
        content = _content(directory / name)
        if content is not None:
            found[name] = content
    return found


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: some filesystems refuse)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
