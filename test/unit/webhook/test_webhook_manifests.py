"""config/webhook/manifests.yaml: every webhook covers both served versions of its kind
and names a path the manager serves."""

from __future__ import annotations

from typing import Any

import yaml
from support.paths import REPO_ROOT

from kruise.webhook import advancedcronjob, broadcastjob, cloneset, statefulset


async def _no_pod(namespace: str, name: str) -> dict[str, Any] | None:
    return None


def _webhooks() -> list[dict[str, Any]]:
    text = (REPO_ROOT / "config/webhook/manifests.yaml").read_text()
    return [w for doc in yaml.safe_load_all(text) if doc for w in doc["webhooks"]]


def test_every_webhook_covers_both_versions_on_a_served_path() -> None:
    served = {
        *cloneset.handlers(_no_pod),
        *statefulset.handlers(),
        *broadcastjob.handlers(),
        *advancedcronjob.handlers(),
    }
    webhooks = _webhooks()
    assert len(webhooks) == 8
    for webhook in webhooks:
        assert webhook["clientConfig"]["service"]["path"] in served, webhook["name"]
        for rule in webhook["rules"]:
            assert rule["apiVersions"] == ["v1alpha1", "v1beta1"], webhook["name"]
    resources = sorted(r for w in webhooks for rule in w["rules"] for r in rule["resources"])
    assert resources == sorted(
        ["clonesets", "statefulsets", "broadcastjobs", "advancedcronjobs"] * 2
    )
