"""Lossless conversion between ``apps.kruise.io/v1alpha1`` and ``apps.kruise.io/v1beta1``.

Every kind that serves both versions converts through :class:`LosslessConverter`. The kind
supplies a :class:`VersionMapping`: two functions that translate what an object *means*
from one version's spelling to the other's, in place, on a copy. Fields a mapping does not
touch (the shared ones, and any field neither version knows) stay exactly where they are.

A translation of meaning alone loses what v1alpha1 cannot say: a field only v1beta1 has,
or one of several v1beta1 spellings of the same thing. Those travel in the annotation
:data:`CARRIED_FIELDS_ANNOTATION` on the v1alpha1 form, so that v1beta1 -> v1alpha1 ->
v1beta1 is the identity:

- v1beta1 -> v1alpha1 translates, translates the result back, and writes into the
  annotation whatever differs from the original. When nothing differs there is no
  annotation; a copy already on the v1beta1 object is dropped first, so a stale one
  never comes back to life.
- v1alpha1 -> v1beta1 removes the annotation, translates, then puts back what the
  annotation holds, but only what leaves the v1alpha1 meaning unchanged: an entry is
  applied only when translating the result to v1alpha1 gives what translating the object
  without it gives. So the annotation can restore only what v1alpha1 cannot see, a stale
  or hand-edited one can never change what an object means, and a field the v1alpha1
  object now says itself wins over the annotation's copy.
- The annotation never appears on a v1beta1 object the converter produces.

The annotation's payload is canonical JSON (sorted keys, no spaces). Its members, other
than ``overrides``, are the object's fields to put back where the translated object lacks
them (merging into objects that exist)::

    {"spec":{"reserveOrdinals":[1,3]}}

``overrides`` maps a JSON pointer (RFC 6901) to the value translation produces there
(``converted``) and what the original held (``original``; left out when it held
nothing)::

    {"overrides":{"/spec/scaleStrategy":{"converted":{}}}}

The other direction, v1alpha1 -> v1beta1 -> v1alpha1, is the identity for every v1alpha1
object the kind's mapping spells canonically (its docstring says which spellings it
normalizes) whose annotation, if any, is as this converter writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

V1ALPHA1: Final = "apps.kruise.io/v1alpha1"
V1BETA1: Final = "apps.kruise.io/v1beta1"

CARRIED_FIELDS_ANNOTATION: Final = "apps.kruise.io/v1beta1-fields"
"""The v1alpha1 annotation that carries what v1alpha1 has no place for."""

OVERRIDES: Final = "overrides"
_ANNOTATION_PATH: Final = f"metadata.annotations[{CARRIED_FIELDS_ANNOTATION}]"


class _Absent:
    """No member at that place (JSON null is None)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final[Any] = _Absent()


class CarrierError(ValueError):
    """The carrier annotation cannot be read; ``detail`` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{_ANNOTATION_PATH}: Invalid value: {detail}")
        self.detail = detail


class VersionMapping(Protocol):
    """A kind's translation of meaning between the two versions, in place."""

    def to_v1alpha1(self, obj: dict[str, Any]) -> None:
        """Respell a v1beta1 body (a private copy) as v1alpha1 says the same thing."""
        ...

    def to_v1beta1(self, obj: dict[str, Any]) -> None:
        """Respell a v1alpha1 body (a private copy) as v1beta1 says the same thing."""
        ...


@dataclass(frozen=True)
class Entry:
    """At ``pointer``, translation gives ``converted`` where the original held ``original``
    (either may be ABSENT)."""

    pointer: tuple[str, ...]
    converted: Any
    original: Any


class LosslessConverter:
    """Converts one kind between v1alpha1 and v1beta1 without losing anything."""

    def __init__(self, kind: str, mapping: VersionMapping) -> None:
        self.kind = kind
        self.mapping = mapping

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        """Return a converted copy of ``obj``; the argument is never changed.

        Raises ValueError for anything that is not an ``apps.kruise.io`` object of this
        kind in v1alpha1 or v1beta1, for an unknown desired version, and for a malformed
        object or carrier annotation. Converting to the object's own version returns a
        plain copy.
        """
        if not isinstance(obj, dict):
            raise ValueError(f"object must be a JSON object, not {type(obj).__name__}")
        kind = obj.get("kind")
        if kind != self.kind:
            raise ValueError(f"kind: Unsupported value: {kind!r}: supported values: {self.kind!r}")
        _check_version("apiVersion", obj.get("apiVersion"))
        _check_version("desired apiVersion", desired_api_version)
        if obj["apiVersion"] == desired_api_version:
            return copy_object(obj)
        if desired_api_version == V1ALPHA1:
            return self._down(obj)
        return self._up(obj)

    def _translated(self, obj: dict[str, Any], api_version: str) -> dict[str, Any]:
        out = copy_object(obj)
        if api_version == V1ALPHA1:
            self.mapping.to_v1alpha1(out)
        else:
            self.mapping.to_v1beta1(out)
        out["apiVersion"] = api_version
        return out

    def _down(self, obj: dict[str, Any]) -> dict[str, Any]:
        original = copy_object(obj)
        _, annotations = metadata_of(original)
        if annotations is not None:
            annotations.pop(CARRIED_FIELDS_ANNOTATION, None)
        alpha = self._translated(original, V1ALPHA1)
        if not list(diff(self._translated(alpha, V1BETA1), original)):
            return alpha
        # The way back removes the annotation and, with it, a map that held nothing else.
        bare = copy_object(alpha)
        metadata, annotations = metadata_of(bare)
        if not annotations:
            metadata.pop("annotations", None)
        entries = list(diff(self._translated(bare, V1BETA1), original))
        metadata, annotations = metadata_of(alpha)
        if annotations is None:
            annotations = metadata["annotations"] = {}
        annotations[CARRIED_FIELDS_ANNOTATION] = encode(entries)
        return alpha

    def _up(self, obj: dict[str, Any]) -> dict[str, Any]:
        alpha = copy_object(obj)
        metadata, annotations = metadata_of(alpha)
        entries: list[Entry] = []
        if annotations is not None and CARRIED_FIELDS_ANNOTATION in annotations:
            entries = decode(annotations.pop(CARRIED_FIELDS_ANNOTATION))
            if not annotations:
                del metadata["annotations"]
        beta = self._translated(alpha, V1BETA1)
        return self._restore(beta, entries) if entries else beta

    def _meaning(self, beta: dict[str, Any]) -> Any:
        """What ``beta`` says in v1alpha1, with nulls and empty objects left out: the API
        server reads them as unset, and the annotation can always restore their spelling."""
        return pruned(self._translated(beta, V1ALPHA1))

    def _restore(self, beta: dict[str, Any], entries: list[Entry]) -> dict[str, Any]:
        """``beta`` with every entry applied that keeps its v1alpha1 meaning."""
        meaning = self._meaning(beta)
        candidate = copy_object(beta)
        for entry in entries:
            apply_entry(candidate, entry)
        if same(self._meaning(candidate), meaning):
            return candidate
        # Someone changed what the entries were taken from: keep the ones that still fit.
        restored = beta
        for entry in entries:
            candidate = copy_object(restored)
            if apply_entry(candidate, entry) and same(self._meaning(candidate), meaning):
                restored = candidate
        return restored


def _check_version(what: str, version: object) -> None:
    if version not in (V1ALPHA1, V1BETA1):
        raise ValueError(
            f"{what}: Unsupported value: {version!r}: supported values: {V1ALPHA1!r}, {V1BETA1!r}"
        )


def copy_json(value: Any) -> Any:
    """Deep-copy a JSON value (dicts and lists are rebuilt, scalars are immutable)."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def copy_object(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON object."""
    return {key: copy_json(item) for key, item in obj.items()}


def same(a: Any, b: Any) -> bool:
    """Equal as JSON documents: unlike ``==``, true is not 1 and 1 is not 1.0."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same(value, b[key]) for key, value in a.items())
        )
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    return type(a) is type(b) and a == b


def pruned(value: Any) -> Any:
    """``value`` without null members and without members that are empty objects once
    pruned themselves; list items are pruned inside but always kept."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            kept = pruned(item)
            if kept is not None and kept != {}:
                out[key] = kept
        return out
    if isinstance(value, list):
        return [pruned(item) for item in value]
    return value


def metadata_of(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The object's metadata and its annotations map (None when absent or null), to edit
    in place; unlike ``kruise.runtime.meta``'s read-only accessors, a malformed one is an
    error."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        raise ValueError("metadata: Required value: must be an object")
    annotations = metadata.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        raise ValueError("metadata.annotations: Invalid value: must be an object")
    return metadata, annotations


def diff(converted: Any, original: Any, at: tuple[str, ...] = ()) -> Iterator[Entry]:
    """Where ``converted`` differs from ``original``: objects are compared member by member,
    anything else as a whole."""
    if isinstance(converted, dict) and isinstance(original, dict):
        for key in sorted(converted.keys() | original.keys()):
            yield from diff(converted.get(key, ABSENT), original.get(key, ABSENT), (*at, key))
    elif not same(converted, original):
        yield Entry(at, converted, original)


def _value_at(obj: Any, pointer: tuple[str, ...]) -> Any:
    for key in pointer:
        if not isinstance(obj, dict) or key not in obj:
            return ABSENT
        obj = obj[key]
    return obj


def apply_entry(obj: dict[str, Any], entry: Entry) -> bool:
    """Put ``entry.original`` in place when ``obj`` holds ``entry.converted`` there (objects
    on the way are created when missing); whether ``obj`` changed."""
    *parents, last = entry.pointer
    if not same(_value_at(obj, entry.pointer), entry.converted):
        return False
    node: Any = obj
    for key in parents:
        if key not in node:
            if entry.original is ABSENT:
                return False
            node[key] = {}
        node = node[key]
        if not isinstance(node, dict):
            return False
    if entry.original is ABSENT:
        del node[last]
    else:
        node[last] = copy_json(entry.original)
    return True


def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in path)


def _unpointer(text: str) -> tuple[str, ...]:
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in text.split("/")[1:])


def encode(entries: list[Entry]) -> str:
    """The annotation's payload for ``entries``."""
    payload: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    for entry in entries:
        if entry.converted is ABSENT:
            node = payload
            for key in entry.pointer[:-1]:
                node = node.setdefault(key, {})
            node[entry.pointer[-1]] = entry.original
        else:
            body = {"converted": entry.converted}
            if entry.original is not ABSENT:
                body["original"] = entry.original
            overrides[_pointer(entry.pointer)] = body
    if overrides:
        payload[OVERRIDES] = overrides
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def decode(raw: object) -> list[Entry]:
    """The entries of an annotation's payload: the overrides first, then the fields to put
    back; ValueError when it is malformed."""
    if not isinstance(raw, str):
        raise CarrierError("must be a string")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as err:
        raise CarrierError(f"not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise CarrierError("must be a JSON object")
    entries = _overrides(payload.pop(OVERRIDES, {}))
    entries += sorted(_put_backs(payload, ()), key=lambda e: e.pointer)
    return entries


def _overrides(raw: object) -> list[Entry]:
    if not isinstance(raw, dict):
        raise CarrierError(f"{OVERRIDES} must be a JSON object")
    entries = []
    for pointer, body in sorted(raw.items()):
        where = f"{OVERRIDES}[{pointer}]"
        if not pointer.startswith("/"):
            raise CarrierError(f"{where}: not a JSON pointer")
        if not isinstance(body, dict) or "converted" not in body:
            raise CarrierError(f"{where}: must be an object with converted (and original)")
        unknown = sorted(set(body) - {"converted", "original"})
        if unknown:
            raise CarrierError(f"{where}: unknown key {unknown[0]!r}")
        original = body.get("original", ABSENT)
        entries.append(Entry(_unpointer(pointer), body["converted"], original))
    return entries


def _put_backs(tree: dict[str, Any], at: tuple[str, ...]) -> Iterator[Entry]:
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            yield from _put_backs(value, (*at, key))
        else:
            yield Entry((*at, key), ABSENT, value)
