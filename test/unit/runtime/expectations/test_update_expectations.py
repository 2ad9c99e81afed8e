from typing import Any

from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import REVISION_LABEL, UpdateExpectations

KEY = "default/web"


def pod(name: str, revision: str | None = None) -> dict[str, Any]:
    labels = {} if revision is None else {REVISION_LABEL: revision}
    return {"metadata": {"namespace": "default", "name": name, "labels": labels}}


def test_unknown_key_is_satisfied() -> None:
    assert UpdateExpectations().is_satisfied(KEY) == (True, 0.0, [])


async def test_pending_until_the_pod_shows_the_revision() -> None:
    clock = FakeClock()
    exp = UpdateExpectations(clock=clock)
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    await clock.advance(3)

    exp.observe_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.observe_updated(KEY, "rev-2", pod("web-a"))
    assert exp.is_satisfied(KEY) == (False, 3.0, ["web-a"])

    exp.observe_updated(KEY, "rev-2", pod("web-a", "rev-2"))
    assert exp.is_satisfied(KEY) == (True, 0.0, [])
    assert KEY not in exp


def test_every_expected_pod_must_be_observed() -> None:
    exp = UpdateExpectations(clock=FakeClock())
    for name in ("web-b", "web-a", "web-c"):
        exp.expect_updated(KEY, "rev-2", pod(name, "rev-1"))
    exp.observe_updated(KEY, "rev-2", pod("web-b", "rev-2"))
    exp.observe_updated(KEY, "rev-2", pod("web-x", "rev-2"))

    assert exp.is_satisfied(KEY) == (False, 0.0, ["web-a", "web-c"])


def test_a_new_revision_resets_the_expectations() -> None:
    exp = UpdateExpectations(clock=FakeClock())
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.expect_updated(KEY, "rev-2", pod("web-b", "rev-1"))
    exp.expect_updated(KEY, "rev-3", pod("web-c", "rev-2"))

    assert exp.is_satisfied(KEY) == (False, 0.0, ["web-c"])


def test_observing_with_another_revision_drops_the_expectations() -> None:
    # The controller moved on to rev-3; waiting for rev-2 would be pointless.
    exp = UpdateExpectations(clock=FakeClock())
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.observe_updated(KEY, "rev-3", pod("web-b", "rev-1"))

    assert exp.is_satisfied(KEY) == (True, 0.0, [])


def test_same_pod_expected_twice_is_one_expectation() -> None:
    exp = UpdateExpectations(clock=FakeClock())
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    assert exp.is_satisfied(KEY)[2] == ["web-a"]

    exp.observe_updated(KEY, "rev-2", pod("web-a", "rev-2"))
    assert exp.is_satisfied(KEY)[0]


def test_revision_is_read_with_the_given_function() -> None:
    exp = UpdateExpectations(
        clock=FakeClock(), revision_of=lambda obj: obj["metadata"]["annotations"]["rev"]
    )
    exp.expect_updated(KEY, "rev-2", pod("web-a"))
    updated = {"metadata": {"name": "web-a", "annotations": {"rev": "rev-2"}}}
    stale = {"metadata": {"name": "web-a", "annotations": {"rev": "rev-1"}}}

    exp.observe_updated(KEY, "rev-2", stale)
    assert not exp.is_satisfied(KEY)[0]
    exp.observe_updated(KEY, "rev-2", updated)
    assert exp.is_satisfied(KEY)[0]


def test_delete_object_and_delete_expectations() -> None:
    exp = UpdateExpectations(clock=FakeClock())
    exp.expect_updated(KEY, "rev-2", pod("web-a", "rev-1"))
    exp.expect_updated(KEY, "rev-2", pod("web-b", "rev-1"))
    exp.expect_updated("default/other", "rev-9", pod("other-a", "rev-8"))

    exp.delete_object(KEY, pod("web-a"))
    assert exp.is_satisfied(KEY) == (False, 0.0, ["web-b"])
    exp.delete_object(KEY, pod("web-b"))
    assert KEY not in exp

    exp.delete_expectations("default/other")
    assert exp.is_satisfied("default/other") == (True, 0.0, [])
