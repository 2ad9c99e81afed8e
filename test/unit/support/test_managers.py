"""support.managers' pure parts: OpenKruise's CRDs and webhook configurations as its
kustomization makes them (the rest starts processes and is run by the CloneSet benchmarks
and the conformance runner)."""

from __future__ import annotations

from typing import Any

from support import managers


def test_openkruise_webhook_configs_as_kustomize_makes_them() -> None:
    documents = [
        {
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "mutating-webhook-configuration"},
            "webhooks": [{"name": "mpod.kb.io", "failurePolicy": "Fail"}, {"name": "mcs.kb.io"}],
        },
        {
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "validating-webhook-configuration"},
            "webhooks": [{"name": "vpod.kb.io"}],
        },
        {"kind": "Service", "metadata": {"name": "webhook-service"}},
    ]
    selector = {"matchExpressions": [{"key": "control-plane", "operator": "DoesNotExist"}]}
    patches = [
        {
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "mutating-webhook-configuration"},
            "webhooks": [{"name": "mpod.kb.io", "namespaceSelector": selector}],
        }
    ]
    configs = managers.openkruise_webhook_configs(documents, patches)
    assert [c["metadata"]["name"] for c in configs] == [
        "kruise-mutating-webhook-configuration",
        "kruise-validating-webhook-configuration",
    ]
    mpod, mcs = configs[0]["webhooks"]
    assert mpod == {"name": "mpod.kb.io", "failurePolicy": "Fail", "namespaceSelector": selector}
    assert mcs == {"name": "mcs.kb.io"}
    assert configs[1]["webhooks"] == [{"name": "vpod.kb.io"}]
    assert documents[0]["metadata"]["name"] == "mutating-webhook-configuration"  # untouched


def test_openkruise_crds_get_the_conversion_webhooks_kustomize_adds() -> None:
    def crd(name: str) -> dict[str, Any]:
        return {"kind": "CustomResourceDefinition", "metadata": {"name": name}, "spec": {}}

    conversion = {"strategy": "Webhook", "webhook": {"clientConfig": {"service": {}}}}

    def patch(name: str) -> dict[str, Any]:
        return {**crd(name), "spec": {"conversion": conversion}}

    kustomization = {"patchesStrategicMerge": ["patches/webhook_in_clonesets.yaml"]}
    crds = [crd("clonesets.apps.kruise.io"), crd("nodeimages.apps.kruise.io")]
    patches = [patch("clonesets.apps.kruise.io"), patch("nodeimages.apps.kruise.io")]
    out = managers.openkruise_crds(crds, kustomization, patches)
    assert out[0]["spec"]["conversion"] == conversion
    assert "conversion" not in out[1]["spec"]  # its patch exists but is not listed
    assert "conversion" not in crds[0]["spec"]  # untouched
