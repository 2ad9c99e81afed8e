"""Where the pinned control-plane binaries live (built by ``hack/build-binaries.sh``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kruise.runtime.envtest.process import BinaryNotFoundError

KUBE_VERSION = "v1.32.10"
ETCD_VERSION = "v3.5.24"
KWOK_VERSION = "v0.8.0"
HELM_VERSION = "v4.3.2"

BUILD_HINT = "run 'make binaries' (hack/build-binaries.sh) to build it"


def cache_root() -> Path:
    """The folder the binaries are built into: ``$KRUISE_BIN_CACHE``, else
    ``$XDG_CACHE_HOME/kruise-py/bin`` (``~/.cache`` without it)."""
    if explicit := os.environ.get("KRUISE_BIN_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kruise-py" / "bin"


@dataclass(frozen=True)
class Binaries:
    """Paths of every binary; each may be overridden by ``KRUISE_<NAME>_BINARY``."""

    etcd: Path
    kube_apiserver: Path
    kube_controller_manager: Path
    kube_scheduler: Path
    kubectl: Path
    kwok: Path

    @classmethod
    def default(cls) -> Binaries:
        """The pinned versions under ``cache_root()``, with the per-binary overrides applied."""
        root = cache_root()
        kube = root / f"kubernetes-{KUBE_VERSION}"

        def pick(name: str, folder: Path) -> Path:
            override = os.environ.get(f"KRUISE_{name.upper().replace('-', '_')}_BINARY")
            return Path(override) if override else folder / name

        return cls(
            etcd=pick("etcd", root / f"etcd-{ETCD_VERSION}"),
            kube_apiserver=pick("kube-apiserver", kube),
            kube_controller_manager=pick("kube-controller-manager", kube),
            kube_scheduler=pick("kube-scheduler", kube),
            kubectl=pick("kubectl", kube),
            kwok=pick("kwok", root / f"kwok-{KWOK_VERSION}"),
        )

    def require(self, *names: str) -> None:
        """Raise one line naming the first missing binary among ``names``."""
        for name in names:
            path: Path = getattr(self, name.replace("-", "_"))
            if not (path.is_file() and os.access(path, os.X_OK)):
                raise BinaryNotFoundError(f"{name} not found at {path}; {BUILD_HINT}")


def helm_binary() -> Path:
    """The pinned Helm ``hack/build-helm.sh`` builds (``$KRUISE_HELM_BINARY`` overrides it);
    ``BinaryNotFoundError`` says how to build it when it is missing."""
    override = os.environ.get("KRUISE_HELM_BINARY")
    path = Path(override) if override else cache_root() / f"helm-{HELM_VERSION}" / "helm"
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise BinaryNotFoundError(
            f"helm not found at {path}; run 'make helm' (hack/build-helm.sh) to build it"
        )
    return path
