"""What a child process (one run of one contender) does around its phases: start a local
cluster and the manager under test, and stop them again, keeping their logs when a phase
failed or when asked to."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path
from types import TracebackType
from typing import Any

from .cluster import ManagerProcess, node_count, start_cluster, start_manager
from .waiting import say, tail


class ContenderRun:
    """One run's cluster and manager, and the folder for their logs. Used as a context
    manager, it stops whatever it started; the logs stay when ``keep`` is set."""

    def __init__(self, contender: str, result: dict[str, Any], prefix: str) -> None:
        self.contender = contender
        self.result = result
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-{contender}-"))
        self.keep = False
        self.cluster: Any = None
        self.manager: ManagerProcess | None = None

    def start(
        self,
        args: argparse.Namespace,
        managers: Collection[str],
        pods: int,
        *,
        nodes: int | None = None,
    ) -> bool:
        """Start a cluster with kwok nodes for ``pods`` pods (or exactly ``nodes``) and,
        for a contender in ``managers``, the manager; on failure record why (as the
        result's setup error), keep the logs and return False."""
        count = node_count(pods) if nodes is None else nodes
        say(f"{self.contender}: starting a local cluster ({count} kwok nodes)")
        try:
            self.cluster = start_cluster(pods, args.qps, args.burst, nodes=nodes)
            self.result["nodes"] = count
            args.kubeconfig = str(self.cluster.kubeconfig_path)
            if self.contender in managers:
                say(f"{self.contender}: installing CRDs and webhooks, starting the manager")
                self.manager = start_manager(self.contender, self.cluster, self.workdir, args)
        except Exception as err:
            self.result["errors"]["setup"] = (
                f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
            )
            self.keep = True
            return False
        return True

    def alive(self) -> None:
        """Raise if the manager or a cluster component has exited."""
        if self.manager is not None:
            self.manager.check()
        self.cluster.check()

    def measured_pid(self) -> int:
        """The process measured: the manager, or kube-controller-manager for the native
        kinds."""
        if self.manager is not None:
            return int(self.manager.process.pid)
        return int(self.cluster.controller_manager.pid)

    def __enter__(self) -> ContenderRun:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.manager is not None:
            self.manager.stop()
        if self.cluster is not None:
            if self.keep:  # the cluster's component logs go with the manager's
                with contextlib.suppress(OSError):
                    shutil.copytree(self.cluster.logs_dir, self.workdir / "cluster-logs")
            self.cluster.stop()
        if self.keep:
            self.result["logs"] = str(self.workdir)
            say(f"{self.contender}: logs kept in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def describe(err: Exception, manager: ManagerProcess | None = None) -> str:
    """One line: the error, and the tail of the manager's log when it is still running."""
    why = f"{type(err).__name__}: {str(err).splitlines()[0][:400] if str(err) else ''}"
    if manager is not None and manager.process.poll() is None:
        why += f" (manager log: {tail(manager.log, 2)[:300]})"
    return why
