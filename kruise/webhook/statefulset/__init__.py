"""Advanced StatefulSet admission webhooks (v1alpha1 and v1beta1 share both paths).

``handlers()`` gives the defaulting and the validating handler by path.
"""

from __future__ import annotations

from typing import Final

from kruise.runtime.webhook.admission import AdmissionHandler
from kruise.webhook.statefulset.mutating import StatefulSetDefaulter
from kruise.webhook.statefulset.validating import StatefulSetValidator

MUTATE_PATH: Final = "/mutate-apps-kruise-io-statefulset"
VALIDATE_PATH: Final = "/validate-apps-kruise-io-statefulset"


def handlers() -> dict[str, AdmissionHandler]:
    """The StatefulSet webhooks by path."""
    return {MUTATE_PATH: StatefulSetDefaulter(), VALIDATE_PATH: StatefulSetValidator()}


__all__ = [
    "MUTATE_PATH",
    "VALIDATE_PATH",
    "StatefulSetDefaulter",
    "StatefulSetValidator",
    "handlers",
]
