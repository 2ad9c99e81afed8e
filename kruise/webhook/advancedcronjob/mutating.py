"""The AdvancedCronJob mutating webhook: fills defaults and answers with the JSON patch."""

from __future__ import annotations

from kruise.apis.apps.defaults import default_advancedcronjob
from kruise.webhook.handlers import ObjectDefaulter


class AdvancedCronJobDefaulter(ObjectDefaulter):
    """Defaults AdvancedCronJobs on create and update."""

    def __init__(self) -> None:
        super().__init__("AdvancedCronJob", default_advancedcronjob)
