"""kubectl-kruise end to end: the installed console script run as a user runs it, with
the cluster's kubeconfig, against CloneSets, Advanced StatefulSets and a Deployment
served by kruise-manager on the local cluster."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from support.commands import installed_command
from support.e2e_cloneset import E2E_INTERVAL, E2E_TIMEOUT, pods_of, rolled_out
from support.e2e_statefulset import PodHistory, settled
from support.kruise_env import KruiseEnv
from support.pods import live
from support.polling import eventually
from support.workloads import cloneset, pod_template, statefulset

from kruise.apis.apps import v1beta1
from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import DEPLOYMENTS, Client, Resource

Obj = dict[str, Any]
RESOURCE_QUOTAS = Resource("", "v1", "resourcequotas", "ResourceQuota")
# How long one plugin command may take before the test calls it hung.
COMMAND_TIMEOUT = 300.0


@dataclass
class Ran:
    code: int
    out: str
    err: str


class Plugin:
    """Runs ``kubectl-kruise`` with the cluster's kubeconfig in one namespace."""

    def __init__(self, env: KruiseEnv, namespace: str) -> None:
        self.env, self.namespace = env, namespace

    async def __call__(self, *args: str) -> Ran:
        command = installed_command("kubectl-kruise", "kubectl_kruise.main")
        process = await asyncio.create_subprocess_exec(
            *command,
            f"--kubeconfig={self.env.kubeconfig}",
            "-n",
            self.namespace,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
        assert process.returncode is not None
        return Ran(process.returncode, out.decode(), err.decode())

    async def ok(self, *args: str) -> str:
        ran = await self(*args)
        assert ran.code == 0, f"kubectl-kruise {' '.join(args)}: {ran.code}\n{ran.out}{ran.err}"
        return ran.out


async def _rolled_out(kube: Client, ns: str, name: str, replicas: int, image: str) -> Obj:
    return await eventually(
        lambda: rolled_out(kube, ns, name, replicas, image),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what=f"{replicas} ready pods of {name} running {image}",
    )


# ---- CloneSet: status, set image, history, undo ---------------------------------------


async def test_rollout_status_set_image_history_and_undo(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    await kube.create(CLONESETS, cloneset("web", 3, image="nginx:1.25"), ns)
    out = await plugin.ok("rollout", "status", "clone/web", "--timeout=4m")
    assert out.splitlines()[-1] == 'CloneSet "web" successfully rolled out'

    out = await plugin.ok("set", "image", "cloneset/web", "main=nginx:1.26")
    assert out == "cloneset.apps.kruise.io/web image updated\n"
    out = await plugin.ok("rollout", "status", "cloneset.apps.kruise.io/web", "--timeout=4m")
    assert out.splitlines()[-1] == 'CloneSet "web" successfully rolled out'
    # Done means done: every pod runs the new image and is ready.
    assert await rolled_out(kube, ns, "web", 3, "nginx:1.26") is not None

    out = await plugin.ok("rollout", "history", "clone/web")
    assert out.splitlines()[:4] == [
        "cloneset.apps.kruise.io/web",
        "REVISION   CHANGE-CAUSE",
        "1          <none>",
        "2          <none>",
    ]
    out = await plugin.ok("rollout", "history", "clone/web", "--revision", "1")
    assert out.startswith("cloneset.apps.kruise.io/web with revision #1\nPod Template:\n")
    assert "image: nginx:1.25" in out

    out = await plugin.ok("rollout", "undo", "clone/web")
    assert out == "cloneset.apps.kruise.io/web rolled back\n"
    cs = await kube.get(CLONESETS, "web", ns)
    assert cs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    await plugin.ok("rollout", "status", "clone/web", "--timeout=4m")
    await _rolled_out(kube, ns, "web", 3, "nginx:1.25")
    # The old revision came back under a new number, as kubectl's history shows it.
    listed = json.loads(await plugin.ok("rollout", "history", "clone/web", "-o", "json"))
    assert [item["revision"] for item in listed["items"]] == [2, 3]
    out = await plugin.ok("rollout", "undo", "clone/web", "--to-revision", "3")
    assert "skipped rollback (current template already matches revision 3)" in out

    ran = await plugin("rollout", "undo", "clone/web", "--to-revision", "9")
    assert (ran.code, ran.err) == (1, "error: unable to find specified revision 9 in history\n")


# ---- rollout status failing -----------------------------------------------------------


async def test_rollout_status_fails_on_failed_scale(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    quota = {"metadata": {"name": "two-pods"}, "spec": {"hard": {"pods": "2"}}}
    await kube.create(RESOURCE_QUOTAS, quota, ns)
    await eventually(
        lambda: _quota_counted(kube, ns),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the quota's usage counted",
    )
    await kube.create(CLONESETS, cloneset("web", 4), ns)
    ran = await plugin("rollout", "status", "clone/web", "--timeout=4m")
    assert ran.code == 1, ran.out + ran.err
    assert ran.err.startswith('error: CloneSet "web" rollout failed: FailedScale: ')
    assert "exceeded quota" in ran.err
    assert ran.err.count("\n") == 1


async def _quota_counted(kube: Client, ns: str) -> bool:
    quota = await kube.get(RESOURCE_QUOTAS, "two-pods", ns)
    return "pods" in (quota.get("status") or {}).get("used", {})


async def test_rollout_status_times_out_and_looks_once_without_watch(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    stuck = cloneset("web", 2)
    stuck["spec"]["template"]["spec"]["nodeSelector"] = {"no-such-label": "x"}
    await kube.create(CLONESETS, stuck, ns)
    ran = await plugin("rollout", "status", "clone/web", "--timeout=3s")
    assert ran.code == 1
    assert ran.err == "error: timed out waiting for the condition\n"
    assert "Waiting for" in ran.out

    ran = await plugin("rollout", "status", "clone/web", "--watch=false")
    assert ran.code == 0
    assert len(ran.out.splitlines()) == 1
    assert ran.out.startswith("Waiting for")


async def test_rollout_status_fails_past_the_progress_deadline(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    stuck = cloneset("web", 2, progressDeadlineSeconds=3)
    stuck["spec"]["template"]["spec"]["nodeSelector"] = {"no-such-label": "x"}
    await kube.create(CLONESETS, stuck, ns)
    ran = await plugin("rollout", "status", "clone/web", "--timeout=4m")
    assert ran.code == 1
    assert ran.err == 'error: CloneSet "web" exceeded its progress deadline\n'


# ---- pause, resume, restart, scale ----------------------------------------------------


async def test_pause_resume_and_restart(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    await kube.create(CLONESETS, cloneset("web", 2), ns)
    await _rolled_out(kube, ns, "web", 2, "nginx:1.25")

    assert (
        await plugin.ok("rollout", "pause", "clone/web") == "cloneset.apps.kruise.io/web paused\n"
    )
    cs = await kube.get(CLONESETS, "web", ns)
    assert cs["spec"]["updateStrategy"]["paused"] is True
    ran = await plugin("rollout", "pause", "clone/web")
    assert (ran.code, ran.err) == (1, "error: cloneset.apps.kruise.io/web is already paused\n")
    ran = await plugin("rollout", "restart", "clone/web")
    assert ran.code == 1
    assert "is paused, run rollout resume first" in ran.err

    out = await plugin.ok("rollout", "resume", "clone/web", "-o", "json")
    assert json.loads(out)["spec"]["updateStrategy"]["paused"] is False

    before = {p["metadata"]["uid"] for p in live(await pods_of(kube, ns, "web"))}
    out = await plugin.ok("rollout", "restart", "clone/web")
    assert out == "cloneset.apps.kruise.io/web restarted\n"
    cs = await kube.get(CLONESETS, "web", ns)
    stamp = cs["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    await plugin.ok("rollout", "status", "clone/web", "--timeout=4m")
    pods = await _rolled_out(kube, ns, "web", 2, "nginx:1.25")
    assert pods is not None
    now = live(await pods_of(kube, ns, "web"))
    # ReCreate (the default strategy) replaces every pod; they carry the new stamp.
    assert not before & {p["metadata"]["uid"] for p in now}
    assert all(
        p["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == stamp for p in now
    )


async def test_scale_with_pods_to_delete(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    await kube.create(CLONESETS, cloneset("web", 4), ns)
    await _rolled_out(kube, ns, "web", 4, "nginx:1.25")
    names = sorted(p["metadata"]["name"] for p in live(await pods_of(kube, ns, "web")))
    doomed, kept = names[:2], set(names[2:])

    ran = await plugin("scale", "clone/web", "--pods-to-delete", "web-nope")
    assert (ran.code, ran.err) == (1, f'error: pods "web-nope" not found in namespace "{ns}"\n')

    out = await plugin.ok(
        "scale", "clone/web", "--replicas", "2", "--pods-to-delete", ",".join(doomed)
    )
    assert out == "cloneset.apps.kruise.io/web scaled\n"

    async def only_kept() -> bool:
        return {p["metadata"]["name"] for p in await pods_of(kube, ns, "web")} == kept

    await eventually(
        only_kept, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="only the pods not named"
    )
    await plugin.ok("scale", "clone/web", "--replicas", "3")
    await _rolled_out(kube, ns, "web", 3, "nginx:1.25")


# ---- Advanced StatefulSet -------------------------------------------------------------


async def _settled(kube: Client, ns: str, ordinals: list[int], image: str = "nginx:1.25") -> None:
    await eventually(
        lambda: settled(kube, ns, "db", ordinals, image=image),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what=f"db running ordinals {ordinals} with {image}",
    )


async def test_advanced_statefulset_rollout_and_reserve(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    sts = statefulset("db", 3, podManagementPolicy="Parallel")
    await kube.create(v1beta1.STATEFULSETS, sts, ns)
    out = await plugin.ok("rollout", "status", "asts/db", "--timeout=4m")
    assert out.splitlines()[-1].startswith("statefulset rolling update complete 3 pods at revision")

    await plugin.ok("set", "image", "statefulset.apps.kruise.io/db", "main=nginx:1.26")
    await plugin.ok("rollout", "status", "asts/db", "--timeout=4m")
    await _settled(kube, ns, [0, 1, 2], "nginx:1.26")
    await plugin.ok("rollout", "undo", "asts/db")
    await plugin.ok("rollout", "status", "asts/db", "--timeout=4m")
    await _settled(kube, ns, [0, 1, 2])

    # --keep-others: only ordinal 1 goes, and comes back alone.
    out = await plugin.ok("reserve", "asts/db", "1", "--keep-others")
    assert out == "statefulset.apps.kruise.io/db reserved ordinal 1\n"
    got = await kube.get(v1beta1.STATEFULSETS, "db", ns)
    assert (got["spec"]["replicas"], got["spec"]["reserveOrdinals"]) == (2, [1])
    await _settled(kube, ns, [0, 2])
    await plugin.ok("unreserve", "asts/db", "1", "--keep-others")
    await _settled(kube, ns, [0, 1, 2])

    # By default replicas stays the number of pods: ordinal 3 replaces ordinal 1.
    await plugin.ok("reserve", "asts/db", "1")
    await _settled(kube, ns, [0, 2, 3])
    ran = await plugin("reserve", "asts/db", "1")
    assert ran.code == 1
    assert "already has these ordinals reserved" in ran.err

    ran = await plugin("reserve", "sts/db", "1")
    assert ran.code == 1
    assert "write asts/db" in ran.err


# ---- migrate --------------------------------------------------------------------------


def _deployment(name: str, replicas: int) -> Obj:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": pod_template(labels),
        },
    }


async def test_migrate_a_deployment_to_a_cloneset_without_downtime(
    kube: Client, kruise_env: KruiseEnv, e2e_namespace: str
) -> None:
    ns, plugin = e2e_namespace, Plugin(kruise_env, e2e_namespace)
    await kube.create(DEPLOYMENTS, _deployment("web", 5), ns)

    async def deployment_ready() -> bool:
        deployment = await kube.get(DEPLOYMENTS, "web", ns)
        return (deployment.get("status") or {}).get("readyReplicas") == 5

    await eventually(
        deployment_ready, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="5 ready pods"
    )

    out = await plugin.ok(
        "migrate", "CloneSet", "--from", "Deployment", "--src-name", "web", "--dry-run"
    )
    assert "kind: CloneSet" in out
    assert out.endswith("# dry run: nothing was changed\n")
    assert (await kube.list(CLONESETS, ns)).items == []

    async with PodHistory(kube, ns, "web") as pods:
        start = len(pods.states) - 1
        assert pods.fewest_ready(start) == 5
        out = await plugin.ok(
            "migrate", "CloneSet", "--from", "Deployment", "--src-name", "web",
            "--timeout-seconds", "300",
        )  # fmt: skip
        fewest = pods.fewest_ready(start)
    assert fewest >= 4, f"only {fewest} pods were Ready at one point"
    assert out.splitlines()[0] == "Successfully created from Deployment/web to CloneSet/web"
    assert (
        out.splitlines()[-1]
        == "Successfully migrated 5 replicas from Deployment/web to CloneSet/web"
    )

    deployment = await kube.get(DEPLOYMENTS, "web", ns)
    assert deployment["spec"]["replicas"] == 0
    cs = await _rolled_out(kube, ns, "web", 5, "nginx:1.25")
    uid = cs["metadata"]["uid"]

    async def all_cloneset_pods() -> bool:
        pods = await pods_of(kube, ns, "web")
        owners = {ref["uid"] for p in pods for ref in p["metadata"].get("ownerReferences", [])}
        return len(pods) == 5 and owners == {uid}

    await eventually(
        all_cloneset_pods, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="only CloneSet pods"
    )
