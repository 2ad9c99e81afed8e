"""The reconcile log context: structlog's own context variables, set and restored."""

from __future__ import annotations

import uuid

import structlog
import structlog.testing

from kruise.runtime.log import (
    bind_controller,
    bind_reconcile,
    new_reconcile_id,
    unbind_reconcile,
)


def test_reconcile_ids_are_distinct_version_4_uuids() -> None:
    ids = {new_reconcile_id() for _ in range(1000)}
    assert len(ids) == 1000
    for text in list(ids)[:50]:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text


def test_bound_keys_reach_merge_contextvars_and_are_restored_after() -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(name="outer")
    try:
        controller = bind_controller("demo")
        tokens = bind_reconcile("ns", "a")
        inside = structlog.contextvars.get_contextvars()
        with structlog.testing.capture_logs(
            processors=[structlog.contextvars.merge_contextvars]
        ) as captured:
            structlog.get_logger("t").info("hello")
        unbind_reconcile(tokens)
        after = structlog.contextvars.get_contextvars()
        controller.var.reset(controller)
        final = structlog.contextvars.get_contextvars()
    finally:
        structlog.contextvars.clear_contextvars()
    assert inside["controller"] == "demo"
    assert (inside["namespace"], inside["name"]) == ("ns", "a")
    assert uuid.UUID(inside["reconcile_id"]).version == 4
    assert captured[0]["reconcile_id"] == inside["reconcile_id"]
    assert captured[0]["name"] == "a"
    assert after == {"name": "outer", "controller": "demo"}
    assert final == {"name": "outer"}
