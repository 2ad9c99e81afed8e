"""AdvancedCronJob end to end, on the wall clock: ``* * * * *`` schedules with Job and
BroadcastJob templates (batch Jobs run by kube-controller-manager, pods completed by
kwok), pause and resume, and kruise-manager SIGKILLed between two runs.

These tests wait for real minutes (marked ``minutes``). The module's AdvancedCronJobs are
all created when it starts, so their minutes overlap: the module takes two to three
minutes, whatever order its tests run in.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from support.e2e_cloneset import E2E_INTERVAL, E2E_TIMEOUT
from support.e2e_jobs import (
    child_name,
    children,
    created_children,
    cron_job,
    minute_of,
    module_namespace,
    scheduled_at,
)
from support.kruise_env import KruiseEnv
from support.pods import condition
from support.polling import eventually
from support.workloads import collection

from kruise.apis.apps import v1alpha1
from kruise.runtime.client import JOBS, Client
from kruise.util.pods import parse_time

pytestmark = pytest.mark.minutes

# Two scheduled minutes and the time their children take, with room for a slow machine.
TWO_MINUTES = 150.0 + E2E_TIMEOUT


@dataclass(frozen=True)
class Crons:
    namespace: str
    created: dict[str, float]
    """AdvancedCronJob name -> its creationTimestamp."""


@pytest.fixture(scope="module")
def crons(kruise_env: KruiseEnv) -> Iterator[Crons]:
    namespace = module_namespace(kruise_env)
    ns = next(namespace)
    objects = [
        # Keeps one finished Job: the older is deleted, and never started again.
        cron_job("every-minute", successfulJobsHistoryLimit=1),
        cron_job("broadcast", broadcast=True),
        cron_job("paused", paused=True),
        # Keeps no finished Job: each is deleted as soon as it completes.
        cron_job("restart", successfulJobsHistoryLimit=0),
    ]
    objects[1]["apiVersion"] = "apps.kruise.io/v1beta1"  # one through the other version
    created = {}
    for obj in objects:
        stored = kruise_env.rest.request("POST", collection(obj, ns), obj)
        when = parse_time(stored["metadata"]["creationTimestamp"])
        assert when is not None
        created[obj["metadata"]["name"]] = when
    yield Crons(ns, created)
    for _ in namespace:
        pass


async def created_at_least(kube: Client, ns: str, name: str, count: int) -> dict[str, int]:
    async def enough() -> dict[str, int] | None:
        created = await created_children(kube, ns, name)
        return created if len(created) >= count else None

    return await eventually(
        enough, timeout=TWO_MINUTES, interval=1.0, what=f"{count} children of {name}"
    )


def first_runs(crons: Crons, name: str, count: int) -> list[str]:
    """The children ``name`` owes for its first ``count`` minutes."""
    first = minute_of(crons.created[name]) + 60
    return [child_name(name, first + 60 * i) for i in range(count)]


async def test_a_child_each_minute_for_both_templates_and_none_while_paused(
    kube: Client, crons: Crons
) -> None:
    ns = crons.namespace
    acj = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "every-minute", ns)

    # Job template: one Job a minute, named for its minute, run by the Job controller.
    created = await created_at_least(kube, ns, "every-minute", 2)
    expected = first_runs(crons, "every-minute", 2)
    assert sorted(created)[:2] == expected
    assert all(created[name] == 1 for name in expected), created

    async def latest_done_and_older_trimmed() -> list[dict] | None:
        jobs = await children(kube, JOBS, ns, acj)
        names = [j["metadata"]["name"] for j in jobs]
        if expected[0] in names or expected[1] not in names:
            return None
        done = condition(jobs[names.index(expected[1])], "Complete")
        return jobs if done is not None and done["status"] == "True" else None

    jobs = await eventually(
        latest_done_and_older_trimmed,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the second Job complete and the first deleted (successfulJobsHistoryLimit 1)",
    )
    second = next(j for j in jobs if j["metadata"]["name"] == expected[1])
    assert scheduled_at(second) == minute_of(crons.created["every-minute"]) + 120
    assert second["metadata"]["labels"]["cron"] == "every-minute"
    assert second["spec"]["template"]["spec"]["containers"][0]["command"] == ["true"]
    acj = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "every-minute", ns)
    assert parse_time(acj["status"]["lastScheduleTime"]) >= scheduled_at(second)
    assert acj["status"]["type"] == "Job"
    # The deleted first Job was not started again.
    again = await created_children(kube, ns, "every-minute")
    assert all(again[name] == 1 for name in expected), again

    # BroadcastJob template: one BroadcastJob a minute, each completing on every node.
    created = await created_at_least(kube, ns, "broadcast", 2)
    expected = first_runs(crons, "broadcast", 2)
    assert sorted(created)[:2] == expected
    broadcast = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "broadcast", ns)

    async def both_completed() -> list[dict] | None:
        found = await children(kube, v1alpha1.BROADCASTJOBS, ns, broadcast)
        done = [
            b
            for b in found
            if b["metadata"]["name"] in expected
            and (b.get("status") or {}).get("phase") == "completed"
        ]
        return done if len(done) == 2 else None

    for bcj in await eventually(
        both_completed, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="both BroadcastJobs done"
    ):
        status = bcj["status"]
        assert status["desired"] == status["succeeded"] >= 1, status
        assert status["failed"] == 0
    assert broadcast["status"]["type"] == "BroadcastJob"

    # Paused through two minutes or more: nothing. Resumed: the latest missed run only.
    second_minute = minute_of(crons.created["paused"]) + 120
    await asyncio.sleep(max(second_minute - time.time(), 0))
    assert await created_children(kube, ns, "paused") == {}
    resumed_at = time.time()
    await kube.patch(v1alpha1.ADVANCEDCRONJOBS, "paused", {"spec": {"paused": False}}, ns)
    [name] = await created_at_least(kube, ns, "paused", 1)
    paused = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "paused", ns)
    last = parse_time(paused["status"]["lastScheduleTime"])
    assert last is not None
    assert name == child_name("paused", last)
    assert last >= minute_of(resumed_at)  # the latest, not the first missed minute
    assert await created_children(kube, ns, "paused") == {name: 1}


@pytest.mark.timeout(900)
async def test_the_manager_killed_between_two_runs_starts_the_missed_run_once(
    kruise_env: KruiseEnv, kube: Client, crons: Crons
) -> None:
    """The run of minute M done, kruise-manager is SIGKILLed; minute M+1 passes while no
    manager runs; the restarted manager starts M+1's run once, and none of the earlier
    runs again, although each of their Jobs was deleted when it finished (history 0)."""
    ns = crons.namespace

    async def between_two_runs() -> dict[str, int] | None:
        # This minute's run done, and the next one far enough away to kill in between.
        now = time.time()
        created = await created_children(kube, ns, "restart")
        this_minute = child_name("restart", minute_of(now))
        return created if this_minute in created and 2 <= now % 60 <= 40 else None

    before = await eventually(
        between_two_runs, timeout=TWO_MINUTES, interval=0.5, what="a run of 'restart' just done"
    )
    missed = minute_of(time.time()) + 60
    leader = await asyncio.to_thread(kruise_env.leader)
    await asyncio.to_thread(kruise_env.kill, leader, signal.SIGKILL)
    await asyncio.sleep(max(missed + 3 - time.time(), 0))
    assert await created_children(kube, ns, "restart") == before  # no manager, no run
    await asyncio.to_thread(kruise_env.ensure_replicas, 1)

    acj = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "restart", ns)

    async def missed_run_done() -> dict[str, int] | None:
        current = await kube.get(v1alpha1.ADVANCEDCRONJOBS, "restart", ns)
        created = await created_children(kube, ns, "restart")
        jobs = await children(kube, JOBS, ns, acj)
        last = parse_time((current.get("status") or {}).get("lastScheduleTime"))
        # Started, finished and deleted (history 0): the whole run, by the new manager.
        return created if last == missed and not jobs else None

    await eventually(
        missed_run_done, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="the missed run done"
    )
    await asyncio.sleep(3)  # a run started again would show by now
    created = await created_children(kube, ns, "restart")
    # Up to the missed minute (a later one may have come meanwhile): each run once.
    after = {n: c for n, c in created.items() if int(n.rsplit("-", 1)[1]) <= missed}
    assert after == {**before, child_name("restart", missed): 1}
    assert set(created.values()) == {1}
