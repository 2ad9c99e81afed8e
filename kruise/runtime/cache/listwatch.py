"""What an informer needs from a client (``kruise.runtime.client.Client`` fits)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from kruise.runtime.client.errors import ApiError, Gone
from kruise.runtime.client.resource import Resource
from kruise.runtime.client.types import ObjectList, WatchEvent


class EventStream(Protocol):
    """An open watch: async iteration yields events until the server ends it."""

    def __aiter__(self) -> AsyncIterator[WatchEvent]: ...

    async def __anext__(self) -> WatchEvent: ...

    def close(self) -> None:
        """Drop the connection; a closed stream is not read again."""
        ...


class ListWatcher(Protocol):
    """The two reads an informer makes; ``kruise.runtime.client.Client`` provides them."""

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
        page_size: int | None = ...,
    ) -> ObjectList:
        """Every matching object and the resourceVersion the list was read at."""
        ...

    def watch(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
        read_timeout: float | None = None,
    ) -> EventStream:
        """A stream of the changes after ``resource_version``."""
        ...


def needs_relist(err: BaseException) -> bool:
    """410 Gone / expired, or a resourceVersion the server has not reached yet (a new
    API server whose watch cache is behind): both mean list again from scratch."""
    if isinstance(err, Gone):
        return True
    if isinstance(err, ApiError):
        if any(cause.get("reason") == "ResourceVersionTooLarge" for cause in err.causes):
            return True
        return "too large resource version" in err.message.lower()
    return False
