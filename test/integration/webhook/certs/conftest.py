"""The cluster-scoped objects the certificate controller injects into.

Their names are shared by the whole test session, so each test gets fresh ones and
removes them afterwards; the CRD (group apps.kruise.io, a made-up plural, one version
so its conversion webhook is never called) is deleted and waited for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.certs import (
    CRD_NAME,
    MUTATING,
    MUTATING_PATH,
    VALIDATING,
    VALIDATING_PATH,
    delete_quietly,
)
from support.polling import eventually

from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    MUTATING_WEBHOOK_CONFIGURATIONS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
    Client,
    NotFound,
)


def _webhook(name: str, namespace: str, path: str) -> dict[str, Any]:
    return {
        "name": name,
        "clientConfig": {
            "service": {"namespace": namespace, "name": "kruise-webhook-service", "path": path}
        },
        # A made-up group: no request of any other test ever reaches this webhook.
        "rules": [
            {
                "apiGroups": ["certtest.kruise.io"],
                "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"],
                "resources": ["nothings"],
            }
        ],
        "failurePolicy": "Ignore",
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
        "timeoutSeconds": 1,
    }


def _crd(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD_NAME},
        "spec": {
            "group": "apps.kruise.io",
            "names": {
                "plural": "certtests",
                "singular": "certtest",
                "kind": "CertTest",
                "listKind": "CertTestList",
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
            "conversion": {
                "strategy": "Webhook",
                "webhook": {
                    "conversionReviewVersions": ["v1", "v1beta1"],
                    "clientConfig": {
                        "service": {
                            "namespace": namespace,
                            "name": "kruise-webhook-service",
                            "path": "/convert",
                        },
                        "caBundle": "Cg==",
                    },
                },
            },
        },
    }


async def _remove(client: Client) -> None:
    await delete_quietly(client, MUTATING_WEBHOOK_CONFIGURATIONS, MUTATING)
    await delete_quietly(client, VALIDATING_WEBHOOK_CONFIGURATIONS, VALIDATING)
    await delete_quietly(client, CUSTOM_RESOURCE_DEFINITIONS, CRD_NAME)

    async def crd_gone() -> bool:
        try:
            await client.get(CUSTOM_RESOURCE_DEFINITIONS, CRD_NAME)
        except NotFound:
            return True
        return False

    await eventually(crd_gone, timeout=60, interval=0.2, what=f"CRD {CRD_NAME} deleted")


@pytest.fixture
async def webhook_objects(client: Client, namespace: str) -> AsyncIterator[None]:
    """Both webhook configurations (one webhook each) and the test CRD, without CA."""
    await _remove(client)  # whatever an interrupted run left behind
    await client.create(
        MUTATING_WEBHOOK_CONFIGURATIONS,
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": MUTATING},
            "webhooks": [_webhook("mcerttest.kb.io", namespace, MUTATING_PATH)],
        },
    )
    await client.create(
        VALIDATING_WEBHOOK_CONFIGURATIONS,
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": VALIDATING},
            "webhooks": [_webhook("vcerttest.kb.io", namespace, VALIDATING_PATH)],
        },
    )
    await client.create(CUSTOM_RESOURCE_DEFINITIONS, _crd(namespace))
    try:
        yield
    finally:
        await _remove(client)
