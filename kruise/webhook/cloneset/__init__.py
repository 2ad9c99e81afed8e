"""CloneSet admission webhooks: defaulting (mutating) and validation.

``handlers(get_pod)`` gives both, keyed by the path the webhook configurations name;
``get_pod(namespace, name)`` reads a pod (None when it does not exist) for the
``podsToDelete`` ownership checks.
"""

from __future__ import annotations

from typing import Final

from kruise.runtime.webhook.admission import AdmissionHandler
from kruise.webhook.cloneset.mutating import CloneSetDefaulter
from kruise.webhook.cloneset.validating import CloneSetValidator, PodGetter

MUTATE_PATH: Final = "/mutate-apps-kruise-io-v1alpha1-cloneset"
VALIDATE_PATH: Final = "/validate-apps-kruise-io-v1alpha1-cloneset"


def handlers(get_pod: PodGetter) -> dict[str, AdmissionHandler]:
    """The CloneSet webhooks by path."""
    return {MUTATE_PATH: CloneSetDefaulter(), VALIDATE_PATH: CloneSetValidator(get_pod)}


__all__ = [
    "MUTATE_PATH",
    "VALIDATE_PATH",
    "CloneSetDefaulter",
    "CloneSetValidator",
    "PodGetter",
    "handlers",
]
