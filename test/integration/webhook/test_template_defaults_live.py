"""Template defaults on an update, through the real API server and the manager's webhooks.

OpenKruise v1.9 defaults the pod and claim templates on a create, and on an update only
when the pod template changed. A CloneSet or Advanced StatefulSet stored with templates
OpenKruise did not default (its ``TemplateNoDefaults`` gate, or an older release) keeps
them through a scale under kruise-py's webhook: a defaulted template would be a new
revision and every pod would be recreated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from support.polling import eventually_blocking
from support.workloads import cloneset, collection, create, read_modify_write, statefulset

from kruise.apis.apps.defaults import default_cloneset, default_statefulset
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS
from kruise.runtime.envtest.rest import RestError, SyncRest

Obj = dict[str, Any]
MUTATING = (
    f"{WEBHOOK_COLLECTIONS['MutatingWebhookConfiguration']}/kruise-mutating-webhook-configuration"
)
HOOKS = ("mcloneset.kb.io", "mstatefulset.kb.io")


def undefaulted(name: str) -> list[Obj]:
    """A CloneSet and an Advanced StatefulSet defaulted except for their pod templates.
    (Their claim templates hold their defaults: the CloneSet webhook refuses a change of
    them on update.)"""
    claims = [
        {
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1"}}},
            "status": {"phase": "Pending"},
        }
    ]
    return [
        default_cloneset(
            cloneset(name, 1, volumeClaimTemplates=claims), inject_template_defaults=False
        ),
        default_statefulset(
            statefulset(name, 1, volumeClaimTemplates=claims), inject_template_defaults=False
        ),
    ]


def container(obj: Obj) -> Obj:
    first: Obj = obj["spec"]["template"]["spec"]["containers"][0]
    return first


def templates(obj: Obj) -> tuple[Any, Any]:
    return obj["spec"]["template"], obj["spec"]["volumeClaimTemplates"]


def _set_operations(rest: SyncRest, operations: list[str]) -> None:
    for _ in range(20):
        config = rest.get(MUTATING)
        for hook in config["webhooks"]:
            if hook["name"] in HOOKS:
                for rule in hook["rules"]:
                    rule["operations"] = operations
        try:
            rest.request("PUT", MUTATING, config)
        except RestError as err:
            if err.status != 409:  # the manager injecting its CA meanwhile
                raise
            continue
        return
    raise AssertionError(f"{MUTATING}: 20 conflicts in a row")


def _creates_defaulted(rest: SyncRest, namespace: str) -> list[bool]:
    """Per kind: whether a create (a dry run) gets template defaults."""
    answers = []
    for obj in undefaulted("dry-run"):
        created = rest.request("POST", f"{collection(obj, namespace)}?dryRun=All", obj)
        answers.append("terminationMessagePath" in container(created))
    return answers


@contextmanager
def creates_not_mutated(rest: SyncRest, namespace: str) -> Iterator[None]:
    """While inside, the API server calls the CloneSet and StatefulSet mutating webhooks on
    updates only, so a create stores the object as sent."""
    _set_operations(rest, ["UPDATE"])
    try:
        eventually_blocking(
            lambda: not any(_creates_defaulted(rest, namespace)),
            what="creates to bypass the mutating webhooks",
        )
        yield
    finally:
        _set_operations(rest, ["CREATE", "UPDATE"])
        eventually_blocking(
            lambda: all(_creates_defaulted(rest, namespace)),
            what="creates to be mutated again",
        )


def test_templates_are_defaulted_on_update_only_when_the_template_changes(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    rest = kruise_plane.rest
    with creates_not_mutated(rest, kruise_namespace):
        stored = [create(rest, kruise_namespace, obj) for obj in undefaulted("web")]
    for obj in stored:
        assert "terminationMessagePath" not in container(obj)
        path = f"{collection(obj, kruise_namespace)}/{obj['metadata']['name']}"

        scaled = read_modify_write(rest, path, lambda o: o["spec"].__setitem__("replicas", 2))
        assert scaled["spec"]["replicas"] == 2
        assert templates(scaled) == templates(obj), obj["kind"]

        def new_image(o: Obj) -> None:
            container(o)["image"] = "nginx:1.27"

        changed = read_modify_write(rest, path, new_image)
        assert container(changed)["terminationMessagePath"] == "/dev/termination-log"
        assert changed["spec"]["volumeClaimTemplates"] == obj["spec"]["volumeClaimTemplates"]
