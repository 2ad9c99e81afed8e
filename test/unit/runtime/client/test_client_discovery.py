"""is_served: one uncached discovery request for a resource's group version."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.runtime.client import CONFIGMAPS, Forbidden, NotFound, Resource, is_served

WIDGETS = Resource("widgets.example.com", "v1", "widgets", "Widget", namespaced=True)


class DiscoveryStub:
    """Answers GETs of discovery paths from a dict; a missing path is a 404."""

    def __init__(self, listings: dict[str, Any], error: Exception | None = None) -> None:
        self.listings = listings
        self.error = error
        self.requests: list[tuple[str, str]] = []

    async def request(self, method: str, path: str) -> Any:
        self.requests.append((method, path))
        if self.error is not None:
            raise self.error
        if path not in self.listings:
            raise NotFound(f"{path} not found")
        return self.listings[path]


def listing(*names: str) -> dict[str, Any]:
    return {"resources": [{"name": name} for name in names]}


async def test_served_when_the_group_version_lists_the_plural() -> None:
    stub = DiscoveryStub({"/apis/widgets.example.com/v1": listing("widgets", "widgets/status")})
    assert await is_served(stub, WIDGETS)
    assert stub.requests == [("GET", "/apis/widgets.example.com/v1")]


async def test_not_served_when_the_group_version_is_missing_or_lacks_it() -> None:
    assert not await is_served(DiscoveryStub({}), WIDGETS)
    other = DiscoveryStub({"/apis/widgets.example.com/v1": listing("gadgets", "widgets/status")})
    assert not await is_served(other, WIDGETS)
    empty = DiscoveryStub({"/apis/widgets.example.com/v1": {"resources": None}})
    assert not await is_served(empty, WIDGETS)


async def test_core_resources_are_looked_up_under_api() -> None:
    stub = DiscoveryStub({"/api/v1": listing("configmaps")})
    assert await is_served(stub, CONFIGMAPS)
    assert stub.requests == [("GET", "/api/v1")]


async def test_every_call_asks_the_server_again() -> None:
    stub = DiscoveryStub({})
    assert not await is_served(stub, WIDGETS)
    stub.listings["/apis/widgets.example.com/v1"] = listing("widgets")
    assert await is_served(stub, WIDGETS)
    assert len(stub.requests) == 2


async def test_errors_other_than_not_found_propagate() -> None:
    stub = DiscoveryStub({}, error=Forbidden("discovery is forbidden"))
    with pytest.raises(Forbidden):
        await is_served(stub, WIDGETS)
