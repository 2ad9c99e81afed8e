"""JSON as Go's typed objects hold it: what OpenKruise writes after reading a pod template.

OpenKruise decodes a template into ``v1.PodTemplateSpec`` and encodes that, so what it
stores in a revision (and what its webhook patches in) differs from the JSON it read:

- fields Go's types do not have are dropped;
- an ``omitempty`` field holding its zero value ("", 0, false, null, an empty list or
  map) is dropped, and one without ``omitempty`` is written even when unset (``name: ""``,
  ``resources: {}``, ``metadata.creationTimestamp: null``);
- quantities are written in canonical form (``1000m`` becomes ``1``), times in RFC 3339
  UTC seconds;
- null stands for the zero value: ``[null]`` in a list of strings is ``[""]``.

``typed_pod_template`` and ``typed_claim_template`` give that JSON (objects' fields in
the order of Go's struct fields, maps' keys sorted, as ``json.Marshal`` writes them),
driven by the field list of Kubernetes' Go types in
:mod:`kruise.apis.apps.defaults.gotypes_data`. A value of a type Go would refuse (a
string where a number belongs) is kept as it is: the API server or the
webhook rejects such objects before a controller sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from kruise.apis.apps.defaults.gotypes_data import ROOTS, TYPES
from kruise.apis.apps.defaults.quantity import go_quantity

POD_TEMPLATE_SPEC = ROOTS["PodTemplateSpec"]
PERSISTENT_VOLUME_CLAIM = ROOTS["PersistentVolumeClaim"]
OBJECT_META = ROOTS["ObjectMeta"]


def typed_pod_template(template: Mapping[str, Any] | None) -> dict[str, Any]:
    """``template`` as Go writes it after decoding it into a ``v1.PodTemplateSpec``."""
    result: dict[str, Any] = as_go_encodes(template, POD_TEMPLATE_SPEC)
    return result


def typed_claim_template(claim: Mapping[str, Any] | None) -> dict[str, Any]:
    """``claim`` as Go writes it after decoding it into a ``v1.PersistentVolumeClaim``."""
    result: dict[str, Any] = as_go_encodes(claim, PERSISTENT_VOLUME_CLAIM)
    return result


def as_go_encodes(value: Any, type_ref: str) -> Any:
    """``value`` decoded into the Go type ``type_ref`` (a key of ``TYPES`` or a composite
    such as ``[]string``) and encoded again. None stands for JSON null or a missing field."""
    if type_ref.startswith("*"):
        return None if value is None else as_go_encodes(value, type_ref[1:])
    if type_ref.startswith("[]"):
        if not isinstance(value, list):
            return value
        return [as_go_encodes(item, type_ref[2:]) for item in value]
    if type_ref.startswith("{}"):
        if not isinstance(value, Mapping):
            return value
        # Go writes map keys sorted.
        return {key: as_go_encodes(value[key], type_ref[2:]) for key in sorted(value)}
    scalar = _SCALARS.get(type_ref)
    if scalar is not None:
        return scalar(value)
    return _struct(value, type_ref)


def _struct(value: Any, type_ref: str) -> Any:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for name, omit_empty, field_type in TYPES[type_ref]:
        encoded = as_go_encodes(value.get(name), field_type)
        if omit_empty and _empty(encoded, field_type):
            continue
        out[name] = encoded
    return out


def _empty(encoded: Any, type_ref: str) -> bool:
    """``encoding/json``'s omitempty test, on the encoded value. Structs (quantities and
    times included) are never empty: a zero time is written as null."""
    if type_ref.startswith("*"):
        return encoded is None
    if type_ref.startswith(("[]", "{}")) or type_ref == "bytes":
        return encoded is None or (isinstance(encoded, list | dict | str) and not encoded)
    if type_ref == "string":
        return bool(encoded == "")
    if type_ref in ("int", "float"):
        return bool(encoded == 0) and not isinstance(encoded, bool)
    if type_ref == "bool":
        return encoded is False
    return False


def _string(value: Any) -> Any:
    return "" if value is None else value


def _int(value: Any) -> Any:
    return 0 if value is None else value


def _bool(value: Any) -> Any:
    return False if value is None else value


def _quantity(value: Any) -> Any:
    quantity = go_quantity(value)
    return value if quantity is None else str(quantity)


def _int_or_string(value: Any) -> Any:
    return 0 if value is None else value


def _time(value: Any) -> Any:
    """``metav1.Time``: RFC 3339 in, UTC seconds out; the zero time is null."""
    return _format_time(value, micro=False)


def _micro_time(value: Any) -> Any:
    return _format_time(value, micro=True)


def _format_time(value: Any, *, micro: bool) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return value
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return value
    if parsed.replace(tzinfo=None) == datetime(1, 1, 1):
        return None
    p = parsed
    text = f"{p.year:04d}-{p.month:02d}-{p.day:02d}T{p.hour:02d}:{p.minute:02d}:{p.second:02d}"
    return f"{text}.{p.microsecond:06d}Z" if micro else f"{text}Z"


def _as_is(value: Any) -> Any:
    return value


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "int": _int,
    "float": _int,
    "bool": _bool,
    "bytes": _as_is,
    "raw": _as_is,
    "quantity": _quantity,
    "intorstring": _int_or_string,
    "time": _time,
    "microtime": _micro_time,
}
