from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import ScaleAction, ScaleExpectations

KEY = "default/web"
CREATE, DELETE = ScaleAction.CREATE, ScaleAction.DELETE


def test_unknown_key_is_satisfied() -> None:
    assert ScaleExpectations().satisfied_scale(KEY) == (True, 0.0, {})


async def test_create_is_pending_until_observed() -> None:
    clock = FakeClock()
    exp = ScaleExpectations(clock=clock)
    exp.expect_scale(KEY, CREATE, "web-a")
    await clock.advance(7)

    assert exp.satisfied_scale(KEY) == (False, 7.0, {CREATE: ["web-a"]})

    exp.observe_scale(KEY, CREATE, "web-a")
    assert exp.satisfied_scale(KEY) == (True, 0.0, {})
    assert KEY not in exp


def test_every_create_and_delete_must_be_observed() -> None:
    exp = ScaleExpectations(clock=FakeClock())
    exp.expect_scale(KEY, CREATE, "web-b")
    exp.expect_scale(KEY, CREATE, "web-a")
    exp.expect_scale(KEY, DELETE, "web-old")
    assert exp.satisfied_scale(KEY)[2] == {CREATE: ["web-a", "web-b"], DELETE: ["web-old"]}

    exp.observe_scale(KEY, CREATE, "web-a")
    exp.observe_scale(KEY, CREATE, "web-b")
    assert exp.satisfied_scale(KEY) == (False, 0.0, {DELETE: ["web-old"]})

    exp.observe_scale(KEY, DELETE, "web-old")
    assert exp.satisfied_scale(KEY)[0]


def test_observing_another_action_name_or_key_changes_nothing() -> None:
    exp = ScaleExpectations(clock=FakeClock())
    exp.expect_scale(KEY, CREATE, "web-a")
    exp.observe_scale(KEY, DELETE, "web-a")
    exp.observe_scale(KEY, CREATE, "web-z")
    exp.observe_scale("default/other", CREATE, "web-a")

    assert exp.satisfied_scale(KEY) == (False, 0.0, {CREATE: ["web-a"]})
    assert exp.satisfied_scale("default/other")[0]


def test_actions_may_be_given_as_strings() -> None:
    exp = ScaleExpectations(clock=FakeClock())
    exp.expect_scale(KEY, "create", "web-a")  # type: ignore[arg-type]
    assert exp.satisfied_scale(KEY)[2] == {CREATE: ["web-a"]}
    exp.observe_scale(KEY, "create", "web-a")  # type: ignore[arg-type]
    assert exp.satisfied_scale(KEY)[0]


async def test_same_name_expected_twice_is_one_expectation() -> None:
    # Chosen behaviour: a set, not a count. The cache shows an object once, so two
    # expectations of one name would need an observation that never comes. The wait
    # is measured from the first expect_scale.
    clock = FakeClock()
    exp = ScaleExpectations(clock=clock)
    exp.expect_scale(KEY, CREATE, "web-a")
    await clock.advance(5)
    exp.expect_scale(KEY, CREATE, "web-a")
    await clock.advance(1)

    assert exp.satisfied_scale(KEY) == (False, 6.0, {CREATE: ["web-a"]})
    exp.observe_scale(KEY, CREATE, "web-a")
    assert exp.satisfied_scale(KEY) == (True, 0.0, {})


async def test_duration_is_that_of_the_oldest_pending_item() -> None:
    clock = FakeClock()
    exp = ScaleExpectations(clock=clock)
    exp.expect_scale(KEY, CREATE, "web-a")
    await clock.advance(10)
    exp.expect_scale(KEY, CREATE, "web-b")
    await clock.advance(2)
    assert exp.satisfied_scale(KEY)[1] == 12.0

    exp.observe_scale(KEY, CREATE, "web-a")
    assert exp.satisfied_scale(KEY)[1] == 2.0


def test_delete_expectations_forgets_only_that_key() -> None:
    exp = ScaleExpectations(clock=FakeClock())
    exp.expect_scale(KEY, CREATE, "web-a")
    exp.expect_scale("default/other", DELETE, "other-a")
    exp.delete_expectations(KEY)
    exp.delete_expectations("default/never-seen")

    assert exp.satisfied_scale(KEY) == (True, 0.0, {})
    assert exp.satisfied_scale("default/other") == (False, 0.0, {DELETE: ["other-a"]})
