"""The BroadcastJob validating webhook."""

from __future__ import annotations

from kruise.apis.apps.validation.broadcastjob import validate_broadcastjob
from kruise.webhook.handlers import ObjectValidator


class BroadcastJobValidator(ObjectValidator):
    """Validates BroadcastJobs on create and update."""

    def __init__(self) -> None:
        super().__init__("BroadcastJob", validate_broadcastjob)
