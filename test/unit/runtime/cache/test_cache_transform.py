"""The cache's public transforms: what they drop, what they share, and that the informer
and the cache apply the default one."""

from __future__ import annotations

import copy
import json
from typing import Any

from support.cache_fakes import FakeServer

from kruise.runtime.cache import (
    DEFAULT_TRANSFORM,
    LAST_APPLIED,
    Cache,
    Informer,
    ResourceOptions,
    chain,
    drop_annotations,
    intern_strings,
    strip_managed_fields,
)
from kruise.runtime.client import PODS


def decoded_pod(index: int) -> dict[str, Any]:
    """A pod as a decoder hands it over: every string its own object."""
    return json.loads(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"web-{index}",
                    "namespace": "prod",
                    "uid": f"uid-{index}",
                    "resourceVersion": str(100 + index),
                    "creationTimestamp": "2026-01-01T00:00:00Z",
                    "labels": {"app": "web", "tier": "front"},
                    "annotations": {LAST_APPLIED: '{"kind":"Pod"}', "team": "shop"},
                    "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}],
                },
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "example.com/web:1.2",
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "args": ["--mode", "serve", ["nested", "list"]],
                            "command": ["x" * 65],
                        }
                    ],
                    "priority": 1000,
                    "enableServiceLinks": True,
                    "securityContext": {},
                },
                "status": {"phase": "Pending", "qosClass": "Burstable"},
            }
        )
    )


def test_interning_keeps_the_object_equal_and_shares_equal_strings() -> None:
    first, second = decoded_pod(1), decoded_pod(2)
    before = copy.deepcopy(first)
    assert first["spec"]["containers"][0]["image"] is not second["spec"]["containers"][0]["image"]

    intern_strings(first)
    intern_strings(second)

    assert first == before
    assert json.dumps(first) == json.dumps(before)
    one, two = first["spec"]["containers"][0], second["spec"]["containers"][0]
    assert one["image"] is two["image"]
    assert one["args"][1] is two["args"][1]
    assert one["args"][2][0] is two["args"][2][0]
    assert one["ports"][0]["protocol"] is two["ports"][0]["protocol"]
    assert one["ports"][0]["containerPort"] is two["ports"][0]["containerPort"]
    assert first["spec"]["priority"] is second["spec"]["priority"]
    assert first["metadata"]["labels"]["app"] is second["metadata"]["labels"]["app"]
    assert first["metadata"]["namespace"] is second["metadata"]["namespace"]
    assert first["metadata"]["creationTimestamp"] == second["metadata"]["creationTimestamp"]
    assert first["status"]["phase"] is second["status"]["phase"]
    # Long strings are left as they are: they rarely repeat.
    assert one["command"][0] is not two["command"][0]


def test_the_default_strips_managed_fields_and_interns_but_keeps_annotations() -> None:
    first, second = DEFAULT_TRANSFORM(decoded_pod(1)), DEFAULT_TRANSFORM(decoded_pod(2))
    assert "managedFields" not in first["metadata"]
    assert first["metadata"]["annotations"][LAST_APPLIED] == '{"kind":"Pod"}'
    assert first["status"]["qosClass"] is second["status"]["qosClass"]


def test_drop_annotations_and_chain_compose() -> None:
    transform = chain(strip_managed_fields, drop_annotations(LAST_APPLIED, "absent"))
    pod = transform(decoded_pod(1))
    assert pod["metadata"]["annotations"] == {"team": "shop"}
    assert "managedFields" not in pod["metadata"]
    bare = {"metadata": {"name": "no-annotations"}}
    assert transform(copy.deepcopy(bare)) == bare
    assert chain()(bare) is bare


async def test_informers_apply_the_default_or_the_transform_they_are_given() -> None:
    plain = Informer(FakeServer(), PODS)
    plain.apply_list([decoded_pod(1), decoded_pod(2)], "5")
    cached = [plain.get(f"web-{i}", "prod") for i in (1, 2)]
    assert cached[0] is not None
    assert cached[1] is not None
    assert "managedFields" not in cached[0]["metadata"]
    assert (
        cached[0]["spec"]["containers"][0]["image"] is cached[1]["spec"]["containers"][0]["image"]
    )

    dropping = chain(DEFAULT_TRANSFORM, drop_annotations(LAST_APPLIED))
    cache = Cache(FakeServer(), by_resource={PODS: ResourceOptions(transform=dropping)})
    informer = cache.informer(PODS)
    informer.apply_list([decoded_pod(3)], "6")
    stored = informer.get("web-3", "prod")
    assert stored is not None
    assert LAST_APPLIED not in stored["metadata"]["annotations"]

    untouched = Informer(FakeServer(), PODS, transform=None)
    untouched.apply_list([decoded_pod(4)], "7")
    kept = untouched.get("web-4", "prod")
    assert kept is not None
    assert "managedFields" in kept["metadata"]
