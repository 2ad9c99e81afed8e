"""What every command gets: a client for the chosen cluster and context, the namespace
to work in and where to write.

The namespace comes from ``-n``, else the chosen context's ``namespace`` in the
kubeconfig, else ``default``, as kubectl picks it. Several kubeconfig files in
``$KUBECONFIG`` merge the way kubectl merges them: the first file to set a value wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from kruise.runtime.client import Client, ConfigError, load_config

DEFAULT_NAMESPACE = "default"
USER_AGENT = "kubectl-kruise"


@dataclass
class Session:
    """A connected client and the choices of the global flags."""

    client: Client
    namespace: str
    output: str | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


def kubeconfig_files(kubeconfig: str | None, environ: Mapping[str, str]) -> list[Path]:
    """The kubeconfig files kubectl would read, in precedence order."""
    if kubeconfig:
        return [Path(kubeconfig)]
    listed = [p for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        return [Path(p) for p in listed]
    return [Path("~/.kube/config").expanduser()]


def context_namespace(documents: Sequence[Mapping[str, Any]], context: str | None) -> str | None:
    """The namespace the named (or current) context sets across merged kubeconfigs."""
    if context is None:
        context = next(
            (str(d["current-context"]) for d in documents if d.get("current-context")), None
        )
    if not context:
        return None
    for document in documents:
        for entry in document.get("contexts") or ():
            if entry.get("name") == context:
                namespace = (entry.get("context") or {}).get("namespace")
                return str(namespace) if namespace else None
    return None


def _read_documents(paths: list[Path]) -> list[Mapping[str, Any]]:
    documents: list[Mapping[str, Any]] = []
    for path in paths:
        try:
            loaded = yaml.safe_load(path.read_text())
        except FileNotFoundError:
            continue
        except (OSError, yaml.YAMLError) as err:
            raise ConfigError(f"kubeconfig {path}: {err}") from err
        if isinstance(loaded, dict):
            documents.append(loaded)
    return documents


def resolve_namespace(
    namespace: str | None,
    kubeconfig: str | None,
    context: str | None,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """``-n``, else the context's namespace, else ``default``."""
    if namespace:
        return namespace
    documents = _read_documents(kubeconfig_files(kubeconfig, environ))
    return context_namespace(documents, context) or DEFAULT_NAMESPACE


@asynccontextmanager
async def open_session(
    *,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    output: str | None,
    request_timeout: float | None = None,
) -> AsyncIterator[Session]:
    """Load the configuration as kubectl would and connect."""
    config = await load_config(kubeconfig, context)
    config = config.with_options(user_agent=USER_AGENT)
    if request_timeout:
        config = config.with_options(timeout=request_timeout)
    resolved = resolve_namespace(namespace, kubeconfig, context)
    async with Client(config) as client:
        yield Session(client=client, namespace=resolved, output=output)
