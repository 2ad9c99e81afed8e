"""The AdvancedCronJob validating webhook."""

from __future__ import annotations

from kruise.apis.apps.validation.advancedcronjob import validate_advancedcronjob
from kruise.webhook.handlers import ObjectValidator


class AdvancedCronJobValidator(ObjectValidator):
    """Validates AdvancedCronJobs on create and update."""

    def __init__(self) -> None:
        super().__init__("AdvancedCronJob", validate_advancedcronjob)
