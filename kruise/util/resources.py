"""Resource quantities, and what a pod asks of a node, as the scheduler counts them.

Quantities are Kubernetes' (``100m``, ``1.5``, ``128Mi``, ``1e3``), read exactly as
fractions. A pod's request for a resource is the larger of what its app containers (plus
its sidecars, the restartable init containers) ask together and what any one regular init
container asks while the sidecars started before it run, plus the pod overhead. A
container that names a limit but no request asks its limit, which is the request the API
server would default for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

CPU = "cpu"
MEMORY = "memory"
PODS = "pods"

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([a-zA-Z]*|[eE][+-]?[0-9]+)")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

Requests = dict[str, Fraction]
"""Resource name -> amount, in the resource's base unit (cores for CPU, bytes...)."""


def parse_quantity(value: object) -> Fraction:
    """The exact amount a quantity string (or a JSON number) stands for.

    Raises ``ValueError`` for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"invalid quantity {value!r}")
    if isinstance(value, int | float):
        return Fraction(value)
    if not isinstance(value, str):
        raise ValueError(f"invalid quantity {value!r}")
    match = _QUANTITY.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"invalid quantity {value!r}")
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return number * Fraction(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * Fraction(10) ** _DECIMAL[suffix]
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    raise ValueError(f"invalid quantity {value!r}: unknown suffix {suffix!r}")


def scheduler_units(resource: str, amount: Fraction) -> int:
    """``amount`` as the scheduler compares it: CPU in millicores, anything else in
    whole units, rounded up."""
    return math.ceil(amount * 1000) if resource == CPU else math.ceil(amount)


def resource_list(values: Mapping[str, Any] | None) -> Requests:
    """A ResourceList (``{"cpu": "500m"}``) read exactly; unreadable entries are left out
    (the API server never stores them)."""
    out: Requests = {}
    for name, raw in (values or {}).items():
        try:
            out[str(name)] = parse_quantity(raw)
        except ValueError:
            continue
    return out


def container_requests(container: Mapping[str, Any]) -> Requests:
    """What one container asks: its requests, and its limits where it names no request."""
    resources = container.get("resources") or {}
    return {**resource_list(resources.get("limits")), **resource_list(resources.get("requests"))}


def _add(total: Requests, more: Mapping[str, Fraction]) -> None:
    for name, amount in more.items():
        total[name] = total.get(name, Fraction(0)) + amount


def _max(total: Requests, other: Mapping[str, Fraction]) -> None:
    for name, amount in other.items():
        if amount > total.get(name, Fraction(0)):
            total[name] = amount


def pod_requests(spec: Mapping[str, Any]) -> Requests:
    """What a pod with this spec asks of its node (see the module docstring)."""
    total: Requests = {}
    for container in spec.get("containers") or ():
        _add(total, container_requests(container))
    sidecars: Requests = {}
    init_peak: Requests = {}
    for container in spec.get("initContainers") or ():
        asks = container_requests(container)
        if container.get("restartPolicy") == "Always":
            _add(sidecars, asks)
            _max(init_peak, sidecars)
            continue
        running = dict(sidecars)
        _add(running, asks)
        _max(init_peak, running)
    _add(total, sidecars)
    _max(total, init_peak)
    _add(total, resource_list(spec.get("overhead")))
    return total


def sum_requests(specs: Iterable[Mapping[str, Any]]) -> Requests:
    """What pods with these specs ask together."""
    total: Requests = {}
    for spec in specs:
        _add(total, pod_requests(spec))
    return total
