"""AdvancedCronJob admission webhooks: defaulting (mutating) and validation.

``handlers()`` gives both, keyed by the path the webhook configurations name.
"""

from __future__ import annotations

from typing import Final

from kruise.runtime.webhook.admission import AdmissionHandler
from kruise.webhook.advancedcronjob.mutating import AdvancedCronJobDefaulter
from kruise.webhook.advancedcronjob.validating import AdvancedCronJobValidator

MUTATE_PATH: Final = "/mutate-apps-kruise-io-v1alpha1-advancedcronjob"
VALIDATE_PATH: Final = "/validate-apps-kruise-io-v1alpha1-advancedcronjob"


def handlers() -> dict[str, AdmissionHandler]:
    """The AdvancedCronJob webhooks by path."""
    return {MUTATE_PATH: AdvancedCronJobDefaulter(), VALIDATE_PATH: AdvancedCronJobValidator()}


__all__ = [
    "MUTATE_PATH",
    "VALIDATE_PATH",
    "AdvancedCronJobDefaulter",
    "AdvancedCronJobValidator",
    "handlers",
]
