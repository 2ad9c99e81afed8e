"""The BroadcastJob mutating webhook: fills defaults and answers with the JSON patch."""

from __future__ import annotations

from kruise.apis.apps.defaults import default_broadcastjob
from kruise.webhook.handlers import ObjectDefaulter


class BroadcastJobDefaulter(ObjectDefaulter):
    """Defaults BroadcastJobs on create and update."""

    def __init__(self) -> None:
        super().__init__("BroadcastJob", default_broadcastjob)
