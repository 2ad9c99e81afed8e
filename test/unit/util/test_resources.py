"""Resource quantities and pod requests as the scheduler counts them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kruise.util.resources import parse_quantity, pod_requests, scheduler_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Fraction(1)),
        ("100m", Fraction(1, 10)),
        ("1.5", Fraction(3, 2)),
        ("128Mi", Fraction(128 * 1024**2)),
        ("1Gi", Fraction(1024**3)),
        ("1G", Fraction(10**9)),
        ("1k", Fraction(1000)),
        ("1Ki", Fraction(1024)),
        ("2e3", Fraction(2000)),
        ("5n", Fraction(5, 10**9)),
        (".5", Fraction(1, 2)),
        (3, Fraction(3)),
    ],
)
def test_quantities(text: object, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1Qi", "1.2.3", True, None])
def test_unreadable_quantities(text: object) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        parse_quantity(text)


def test_scheduler_units_round_up() -> None:
    assert scheduler_units("cpu", Fraction(1, 10000)) == 1
    assert scheduler_units("cpu", Fraction(3, 2)) == 1500
    assert scheduler_units("memory", Fraction(1, 2)) == 1


def c(cpu: str, **extra: object) -> dict[str, object]:
    return {"name": "c", "resources": {"requests": {"cpu": cpu}}, **extra}


def test_containers_add_up_and_limits_stand_in_for_requests() -> None:
    spec = {
        "containers": [
            c("500m"),
            {"name": "d", "resources": {"limits": {"cpu": "250m", "memory": "1Gi"}}},
        ]
    }
    assert pod_requests(spec) == {"cpu": Fraction(3, 4), "memory": Fraction(1024**3)}


def test_the_biggest_init_container_wins_when_bigger_than_the_app() -> None:
    spec = {"initContainers": [c("2"), c("1")], "containers": [c("500m")]}
    assert pod_requests(spec)["cpu"] == 2
    spec = {"initContainers": [c("100m")], "containers": [c("500m")]}
    assert pod_requests(spec)["cpu"] == Fraction(1, 2)


def test_sidecars_run_beside_later_init_containers_and_the_app() -> None:
    spec = {
        "initContainers": [c("200m", restartPolicy="Always"), c("1")],
        "containers": [c("500m")],
        "overhead": {"cpu": "100m"},
    }
    # init peak: sidecar + 1 = 1.2; app: 0.5 + sidecar 0.2 = 0.7; plus overhead 0.1.
    assert pod_requests(spec)["cpu"] == Fraction(13, 10)
