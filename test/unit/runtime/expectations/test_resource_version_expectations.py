from typing import Any

from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import ResourceVersionExpectations


def obj(resource_version: str, uid: str = "uid-1", name: str = "web-a") -> dict[str, Any]:
    return {
        "metadata": {
            "namespace": "default",
            "name": name,
            "uid": uid,
            "resourceVersion": resource_version,
        }
    }


def test_nothing_expected_is_satisfied() -> None:
    assert ResourceVersionExpectations().is_satisfied(obj("1")) == (True, 0.0)


async def test_numeric_observe_needs_a_version_at_least_as_new() -> None:
    clock = FakeClock()
    exp = ResourceVersionExpectations(clock=clock)
    exp.expect(obj("10"))
    await clock.advance(4)

    exp.observe(obj("9"))  # "9" > "10" as strings: the comparison must be numeric
    assert exp.is_satisfied(obj("9")) == (False, 4.0)

    exp.observe(obj("10"))
    assert "uid-1" not in exp
    assert exp.is_satisfied(obj("9")) == (True, 0.0)


def test_numeric_observe_of_a_newer_version_satisfies() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("10"))
    exp.observe(obj("11"))
    assert "uid-1" not in exp


def test_numeric_is_satisfied_by_equal_or_newer_cached_object_and_drops_it() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("100"))
    assert exp.is_satisfied(obj("99"))[0] is False
    assert exp.is_satisfied(obj("100")) == (True, 0.0)
    assert "uid-1" not in exp

    exp.expect(obj("100"))
    assert exp.is_satisfied(obj("250")) == (True, 0.0)
    assert "uid-1" not in exp


def test_expect_keeps_the_newer_numeric_version() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("20"))
    exp.expect(obj("15"))
    assert exp.is_satisfied(obj("15"))[0] is False
    exp.expect(obj("30"))
    assert exp.is_satisfied(obj("20"))[0] is False
    assert exp.is_satisfied(obj("30"))[0] is True


def test_opaque_observe_counts_any_version_seen_after_the_write() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("b7f2"))
    exp.observe(obj("a001"))
    assert "uid-1" not in exp


def test_opaque_is_satisfied_needs_the_expected_version() -> None:
    # A cached snapshot with another opaque version may predate the write.
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("b7f2"))
    assert exp.is_satisfied(obj("a001"))[0] is False
    assert exp.is_satisfied(obj("b7f2")) == (True, 0.0)


def test_one_opaque_side_makes_the_comparison_opaque() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("10"))
    assert exp.is_satisfied(obj("11a"))[0] is False
    exp.observe(obj("-5"))  # not an integer resourceVersion: opaque, and different
    assert "uid-1" not in exp

    exp.expect(obj("x9"))
    exp.expect(obj("7"))  # opaque old one: the new write replaces it
    assert exp.is_satisfied(obj("x9"))[0] is False
    assert exp.is_satisfied(obj("7"))[0] is True


def test_objects_are_told_apart_by_uid() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("10", uid="uid-1"))
    exp.observe(obj("50", uid="uid-2"))  # same name, recreated object
    assert exp.is_satisfied(obj("5", uid="uid-1"))[0] is False
    assert exp.is_satisfied(obj("5", uid="uid-2"))[0] is True


def test_missing_uid_or_version_is_ignored() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("", uid="uid-1"))
    exp.expect(obj("3", uid=""))
    assert "uid-1" not in exp
    assert "" not in exp

    exp.expect(obj("3"))
    exp.observe(obj(""))
    assert exp.is_satisfied(obj("2"))[0] is False


def test_delete_forgets_the_object() -> None:
    exp = ResourceVersionExpectations(clock=FakeClock())
    exp.expect(obj("10"))
    exp.expect(obj("10", uid="uid-2"))
    exp.delete(obj("1"))
    assert exp.is_satisfied(obj("1")) == (True, 0.0)
    assert exp.is_satisfied(obj("1", uid="uid-2"))[0] is False


def test_has_pending_says_whether_anything_is_recorded() -> None:
    expectations = ResourceVersionExpectations()
    assert not expectations.has_pending()
    pod = {"metadata": {"uid": "u1", "resourceVersion": "5", "name": "p", "namespace": "d"}}
    expectations.expect(pod)
    assert expectations.has_pending()
    expectations.observe(pod)
    assert not expectations.has_pending()
