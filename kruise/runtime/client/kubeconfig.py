"""Reading kubeconfig files as kubectl does: merged ``KUBECONFIG`` lists, contexts,
inline or file certificates, tokens and token files.

kubernetes_asyncio's loader imports its whole client package, every API model included:
35 MB of code in a process that never uses them. This reader covers what kubeconfigs
written for controllers hold; a user entry with an exec plugin or an auth provider is
left to kubernetes_asyncio (``needs_plugin``).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Entry = dict[str, Any]
SECTIONS = ("clusters", "users", "contexts")


class KubeconfigError(Exception):
    """A kubeconfig that cannot be read or does not name what it needs."""


class KubeconfigMissing(KubeconfigError):
    """None of the files named exists."""


@dataclass(frozen=True)
class Named:
    """One cluster, user or context entry, and the folder of the file it came from (where
    its relative file names point)."""

    body: Entry
    folder: Path


@dataclass(frozen=True)
class Kubeconfig:
    """The merged entries of one or more kubeconfig files."""

    clusters: dict[str, Named]
    users: dict[str, Named]
    contexts: dict[str, Named]
    current_context: str | None

    def context(self, name: str | None = None) -> tuple[str, Named, Named | None]:
        """The context ``name`` (the current one when None): its name, its cluster, and its
        user (None when it names none)."""
        name = name or self.current_context
        if not name:
            raise KubeconfigError("no context given and no current-context set")
        if name not in self.contexts:
            raise KubeconfigError(f"context {name!r} is not defined")
        context = self.contexts[name].body
        cluster_name = context.get("cluster")
        if not cluster_name or cluster_name not in self.clusters:
            raise KubeconfigError(f"context {name!r} names no defined cluster")
        user_name = context.get("user")
        if user_name and user_name not in self.users:
            raise KubeconfigError(f"context {name!r} names user {user_name!r}, not defined")
        return name, self.clusters[cluster_name], self.users[user_name] if user_name else None


def read(paths: str | os.PathLike[str]) -> Kubeconfig:
    """Merge the files in ``paths`` (separated by ``os.pathsep``) as kubectl does: files
    that do not exist are skipped, the first entry of a name wins, and so does the first
    ``current-context``."""
    merged: dict[str, dict[str, Named]] = {section: {} for section in SECTIONS}
    current: str | None = None
    found = False
    for part in os.fspath(paths).split(os.pathsep):
        path = Path(part).expanduser() if part else None
        if path is None or not path.is_file():
            continue
        found = True
        document = _load(path)
        for section in SECTIONS:
            for item in _entries(document, section, path):
                merged[section].setdefault(item["name"], _named(item, section, path))
        current = current or document.get("current-context") or None
    if not found:
        raise KubeconfigMissing(os.fspath(paths))
    return Kubeconfig(
        clusters=merged["clusters"],
        users=merged["users"],
        contexts=merged["contexts"],
        current_context=current,
    )


def _load(path: Path) -> Entry:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise KubeconfigError(f"{path}: {' '.join(str(err).split())}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise KubeconfigError(f"{path}: not a kubeconfig document (a {type(document).__name__})")
    return document


def _entries(document: Entry, section: str, path: Path) -> list[Entry]:
    entries = document.get(section) or []
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries
    ):
        raise KubeconfigError(f"{path}: {section} is not a list of named entries")
    return entries


def _named(item: Entry, section: str, path: Path) -> Named:
    key = section[:-1]  # "clusters" -> "cluster"
    body = item.get(key) or {}
    if not isinstance(body, dict):
        raise KubeconfigError(f"{path}: {key} {item['name']!r} is not a mapping")
    # Absolute but not resolved: a kubeconfig in a symlinked folder names files from the
    # folder's path as given, as kubectl does.
    return Named(body, path.parent.absolute())


def needs_plugin(user: Named | None) -> bool:
    """True when the user's credentials come from an exec plugin or an auth provider."""
    return user is not None and ("exec" in user.body or "auth-provider" in user.body)


def file_of(entry: Named, key: str) -> str | None:
    """The file behind ``key``: ``<key>-data`` (base64) written to a private temporary
    file, else ``key`` itself, relative to the entry's file; None when neither is set."""
    data = entry.body.get(f"{key}-data")
    if data:
        try:
            content = base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError):
            raise KubeconfigError(f"{key}-data is not base64") from None
        return _temporary_file(content)
    name = entry.body.get(key)
    if not name:
        return None
    path = _beside(entry, name)
    if not path.is_file():
        raise KubeconfigError(f"{key} {path} does not exist")
    return str(path)


def token_of(user: Named) -> tuple[str | None, str | None]:
    """(the inline token, the token file) of ``user``; the inline token wins."""
    token = user.body.get("token")
    if token:
        return str(token), None
    token_file = user.body.get("tokenFile")
    if token_file:
        return None, str(_beside(user, token_file))
    return None, None


def _beside(entry: Named, name: object) -> Path:
    """``name`` relative to the entry's file, ``..`` taken off the path's text as kubectl
    does (the system would follow a symlinked folder first)."""
    return Path(os.path.normpath(entry.folder / Path(str(name)).expanduser()))


def basic_auth(user: Named) -> str | None:
    """The ``Basic`` Authorization header of a username and password, if both are set."""
    username, password = user.body.get("username"), user.body.get("password")
    if username is None or password is None:
        return None
    pair = f"{username}:{password}".encode()
    return f"Basic {base64.b64encode(pair).decode()}"


_written: dict[bytes, str] = {}


def _temporary_file(content: bytes) -> str:
    """A private file holding ``content``, one per distinct content, removed at exit."""
    if content in _written:
        return _written[content]
    if not _written:
        atexit.register(_remove_written)
    descriptor, name = tempfile.mkstemp(prefix="kruise-kubeconfig-")
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    _written[content] = name
    return name


def _remove_written() -> None:
    for name in _written.values():
        with contextlib.suppress(OSError):
            os.unlink(name)
    _written.clear()
