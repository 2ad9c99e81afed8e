"""BroadcastJob admission webhooks: defaulting (mutating) and validation.

``handlers()`` gives both, keyed by the path the webhook configurations name.
"""

from __future__ import annotations

from typing import Final

from kruise.runtime.webhook.admission import AdmissionHandler
from kruise.webhook.broadcastjob.mutating import BroadcastJobDefaulter
from kruise.webhook.broadcastjob.validating import BroadcastJobValidator

MUTATE_PATH: Final = "/mutate-apps-kruise-io-v1alpha1-broadcastjob"
VALIDATE_PATH: Final = "/validate-apps-kruise-io-v1alpha1-broadcastjob"


def handlers() -> dict[str, AdmissionHandler]:
    """The BroadcastJob webhooks by path."""
    return {MUTATE_PATH: BroadcastJobDefaulter(), VALIDATE_PATH: BroadcastJobValidator()}


__all__ = [
    "MUTATE_PATH",
    "VALIDATE_PATH",
    "BroadcastJobDefaulter",
    "BroadcastJobValidator",
    "handlers",
]
