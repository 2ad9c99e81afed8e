"""Scaling a CloneSet against a real API server."""

from __future__ import annotations

from cloneset_harness import Harness, cloneset_obj

from kruise.apis.apps.v1alpha1 import CLONESET_INSTANCE_ID_LABEL


async def test_scale_out_and_in(harness: Harness) -> None:
    await harness.create(cloneset_obj("web", 3))
    pods = await harness.pod_count("web", 3)
    for pod in pods:
        meta = pod["metadata"]
        assert meta["name"] == f"web-{meta['labels'][CLONESET_INSTANCE_ID_LABEL]}"
    await harness.patch("web", {"spec": {"replicas": 1}})
    await harness.pod_count("web", 1)
