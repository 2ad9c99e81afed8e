"""ControllerRevisions as OpenKruise builds them for CloneSet and Advanced StatefulSet.

A revision records one pod template. Its ``data`` is the patch
``{"spec": {"template": {..., "$patch": "replace"}}}``, encoded the way Go's
``encoding/json`` encodes the map Kruise builds (``go_json``): compact, keys sorted, ``<``,
``>``, ``&``, U+2028 and U+2029 escaped, numbers written as float64. Its hash is
Kubernetes' ``history.HashControllerRevision``: FNV-1 32-bit (``fnv.New32``, not New32a)
over those bytes and then, when there is one, the decimal collision count; the sum's
decimal digits are mapped through ``rand.SafeEncodeString``. The name is
``<owner name, at most 223 characters>-<hash>``. Same data bytes, same name as Go's.

Go builds the data from the typed object, not from the JSON as stored: the template in
the patch is the one Go writes after decoding it into a ``v1.PodTemplateSpec``
(``typed_pod_template``: unknown fields dropped, empty optional fields omitted,
``resources: {}`` and ``metadata.creationTimestamp: null`` always there, quantities in
canonical form). So two templates that mean the same thing, one with ``resources: {}``
and one without, get the same revision, as under OpenKruise.

A CloneSet's revision also carries OpenKruise's hash of its claim templates
(``CLAIM_TEMPLATES_HASH_ANNOTATION``, empty when it has none).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kruise.apis.apps.defaults.typed import typed_claim_template, typed_pod_template
from kruise.runtime import jsoncodec
from kruise.runtime.client import CONTROLLER_REVISIONS, KubeObject
from kruise.util.controllerref import new_controller_ref
from kruise.util.pods import parse_time

# history.ControllerRevisionHashLabel: the hash, on the ControllerRevision itself. (Pods
# carry the revision *name* under apps' "controller-revision-hash" label instead.)
HASH_LABEL = "controller.kubernetes.io/hash"
# history.ControllerRevisionName keeps names within 253 characters.
MAX_NAME_PREFIX = 223
DEFAULT_HISTORY_LIMIT = 10
PATCH_DIRECTIVE = "$patch"
# volumeclaimtemplate.HashAnnotation: the claim templates' hash, on CloneSet revisions.
CLAIM_TEMPLATES_HASH_ANNOTATION = "kruise.io/cloneset-volumeclaimtemplate-hash"
CLONESET_KIND = "CloneSet"

_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery rand: no vowels, 0, 1 or 3
_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193
_FNV32A_OFFSET = 0x811C9DC5
_GO_STRING_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_GO_STRING_ESCAPES |= {"\u2028": "\\u2028", "\u2029": "\\u2029"}
_GO_ESCAPED = re.compile("[<>&\u2028\u2029]")
_INT32 = re.compile(r"[+-]?[0-9]+")


# --- encoding and hashing -------------------------------------------------------------


def go_json(value: Any, *, sort_keys: bool = True) -> bytes:
    """``value`` as Go's ``json.Marshal`` writes the same JSON decoded into ``any``.

    With ``sort_keys=False`` objects keep their order, as Go writes a typed struct whose
    fields are in that order (``typed_pod_template`` gives them so); numbers stay float64."""
    return _encode(value, sort_keys).encode()


def _encode(value: Any, sort_keys: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_number(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
        if sort_keys:
            items.sort()
        body = ",".join(f"{_go_string(k)}:{_encode(v, sort_keys)}" for k, v in items)
        return "{" + body + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v, sort_keys) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _go_string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _GO_ESCAPED.sub(lambda m: _GO_STRING_ESCAPES[m.group()], quoted)


def _go_number(number: float) -> str:
    """A float64 as Go's encoder writes it: fixed notation in [1e-6, 1e21), else exponent."""
    try:
        f = float(number)
    except OverflowError:
        raise ValueError(f"number {number} does not fit in a float64") from None
    if not math.isfinite(f):
        raise ValueError(f"unsupported JSON number {f}")
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    shortest = repr(f)  # the shortest round-tripping digits, as Go's strconv finds them
    if 1e-6 <= abs(f) < 1e21:
        fixed = format(Decimal(shortest), "f")
        return fixed.rstrip("0").rstrip(".") if "." in fixed else fixed
    mantissa, _, exponent = format(Decimal(shortest), "E").partition("E")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa.lower()}e{sign}{int(exponent.lstrip('+-')):02d}".replace("e-0", "e-")


def fnv1_32(data: bytes, start: int = _FNV32_OFFSET) -> int:
    """32-bit FNV-1 (multiply, then xor), as Go's ``hash/fnv.New32``."""
    h = start
    for byte in data:
        h = ((h * _FNV32_PRIME) & 0xFFFFFFFF) ^ byte
    return h


def fnv1a_32(data: bytes) -> int:
    """32-bit FNV-1a (xor, then multiply), as Go's ``hash/fnv.New32a``."""
    h = _FNV32A_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """apimachinery's ``rand.SafeEncodeString``: each character mapped into the alphabet."""
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in text)


def hash_revision(data: Mapping[str, Any] | bytes, collision_count: int | None = None) -> str:
    """``history.HashControllerRevision`` of the data (a mapping is encoded by ``go_json``)."""
    raw = data if isinstance(data, bytes) else go_json(data)
    h = fnv1_32(raw)
    if collision_count is not None:
        h = fnv1_32(str(collision_count).encode(), h)
    return safe_encode(str(h))


def revision_name(prefix: str, hash_: str) -> str:
    """``history.ControllerRevisionName``: the prefix cut to 223 characters, a dash, the hash."""
    return f"{prefix[:MAX_NAME_PREFIX]}-{hash_}"


# --- building and applying revisions ----------------------------------------------------


def revision_data(owner: Mapping[str, Any]) -> KubeObject:
    """The patch a revision stores: the owner's pod template as Go's typed object writes
    it, to replace the whole template."""
    template = typed_pod_template((owner.get("spec") or {}).get("template"))
    template[PATCH_DIRECTIVE] = "replace"
    return {"spec": {"template": template}}


def claim_templates_hash(claim_templates: Sequence[Mapping[str, Any]] | None) -> str:
    """OpenKruise's hash of a CloneSet's claim templates ("" when there are none).

    Each template reduced to its name and spec, sorted by name (stably), encoded as Go
    encodes ``[]v1.PersistentVolumeClaim``; FNV-1a 32-bit over the text Kubernetes'
    ``DeepHashObject`` prints for those bytes; the sum in decimal."""
    templates = [t for t in claim_templates or [] if isinstance(t, Mapping)]
    if not templates:
        return ""
    named = [(str((t.get("metadata") or {}).get("name") or ""), t) for t in templates]
    named.sort(key=lambda pair: pair[0])  # stable, as Go's sort.SliceStable
    reduced = [{"metadata": {"name": name}, "spec": t.get("spec")} for name, t in named]
    encoded = go_json([typed_claim_template(t) for t in reduced], sort_keys=False)
    printed = "([]uint8)[" + " ".join(str(b) for b in encoded) + "]"
    return str(fnv1a_32(printed.encode()))


def new_revision(
    owner: Mapping[str, Any],
    revision_number: int,
    collision_count: int | None,
    *,
    api_version: str | None = None,
    kind: str | None = None,
) -> KubeObject:
    """The ControllerRevision for ``owner``'s current template (not yet created).

    Labels are the template's plus ``HASH_LABEL``; annotations are the owner's (for a
    CloneSet, plus ``CLAIM_TEMPLATES_HASH_ANNOTATION``); the controller reference names
    ``api_version``/``kind`` (default: the owner's own).
    """
    meta = owner.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    if (kind or owner.get("kind")) == CLONESET_KIND:
        claims = (owner.get("spec") or {}).get("volumeClaimTemplates")
        annotations[CLAIM_TEMPLATES_HASH_ANNOTATION] = claim_templates_hash(claims)
    data, hash_ = _data_and_hash(owner, collision_count)
    labels = dict(data["spec"]["template"]["metadata"].get("labels") or {})
    labels[HASH_LABEL] = hash_
    revision_meta: dict[str, Any] = {
        "name": revision_name(str(meta.get("name") or ""), hash_),
        "labels": labels,
        "ownerReferences": [dict(new_controller_ref(owner, api_version=api_version, kind=kind))],
    }
    if meta.get("namespace"):
        revision_meta["namespace"] = meta["namespace"]
    if annotations:
        revision_meta["annotations"] = annotations
    return {
        "apiVersion": CONTROLLER_REVISIONS.api_version,
        "kind": CONTROLLER_REVISIONS.kind,
        "metadata": revision_meta,
        "data": data,
        "revision": revision_number,
    }


# Every reconcile builds the candidate revision from an unchanged template: keep the last
# result per owner and reuse it while the template (compared as data) is the same.
_MEMO_SIZE = 256
_data_memo: dict[tuple[str, int | None], tuple[bytes | None, KubeObject, str]] = {}


def _data_and_hash(owner: Mapping[str, Any], collision_count: int | None) -> tuple[KubeObject, str]:
    """``revision_data`` (keys sorted) and its hash; a fresh copy each call."""
    key = (str((owner.get("metadata") or {}).get("uid") or ""), collision_count)
    try:
        # JSON text, not ==, as the test: 1 == True in Python but not in a revision.
        template: bytes | None = jsoncodec.dumps((owner.get("spec") or {}).get("template"))
    except TypeError:
        template = None
    cached = _data_memo.get(key) if key[0] and template is not None else None
    if cached is None or cached[0] != template:
        data = revision_data(owner)
        cached = (template, _key_sorted(data), hash_revision(data, collision_count))
        if key[0] and template is not None:
            if len(_data_memo) >= _MEMO_SIZE:
                _data_memo.clear()
            _data_memo[key] = cached
    return copy.deepcopy(cached[1]), cached[2]


def _key_sorted(value: Any) -> Any:
    """``value`` with every object's keys in order, as Go writes them: the API server keeps
    ``data`` byte for byte, and any later patch of the revision rewrites it Go's way."""
    if isinstance(value, Mapping):
        return {k: _key_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_key_sorted(v) for v in value]
    return value


def apply_revision(owner: Mapping[str, Any], revision: Mapping[str, Any]) -> KubeObject:
    """A copy of ``owner`` with the revision's template, as the strategic merge patch gives.

    Only the template comes from history; replicas, claims and strategy stay current.
    """
    template = (((revision.get("data") or {}).get("spec") or {}).get("template")) or {}
    restored = {k: copy.deepcopy(v) for k, v in template.items() if k != PATCH_DIRECTIVE}
    result = copy.deepcopy(dict(owner))
    result["spec"] = {**(result.get("spec") or {}), "template": restored}
    return result


# --- comparing and choosing revisions ---------------------------------------------------


def _label_hash(revision: Mapping[str, Any]) -> int | None:
    # EqualRevision reads the hash label with strconv.ParseInt(hs, 10, 32): safe-encoded
    # hashes are mostly letters and do not parse, and then only the data decides.
    text = ((revision.get("metadata") or {}).get("labels") or {}).get(HASH_LABEL)
    if not isinstance(text, str) or not _INT32.fullmatch(text):
        return None
    value = int(text)
    return value & 0xFFFFFFFF if -(2**31) <= value < 2**31 else None


def equal_revision(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """``history.EqualRevision``: same data (compared as ``go_json`` bytes), unless both
    carry numeric hash labels that differ. Two Nones are equal; one None is not."""
    if a is None or b is None:
        return a is b
    ha, hb = _label_hash(a), _label_hash(b)
    if ha is not None and hb is not None and ha != hb:
        return False
    return _data_json(a) == _data_json(b)


_json_memo: dict[tuple[str, str], bytes] = {}


def _data_json(revision: Mapping[str, Any]) -> bytes:
    """``go_json`` of the revision's data; for a stored revision (uid and resourceVersion
    name one immutable version) computed once, as every reconcile compares the history."""
    meta = revision.get("metadata") or {}
    uid, version = meta.get("uid"), meta.get("resourceVersion")
    if not uid or not version:
        return go_json(revision.get("data"))
    key = (str(uid), str(version))
    cached = _json_memo.get(key)
    if cached is None:
        cached = go_json(revision.get("data"))
        if len(_json_memo) >= _MEMO_SIZE:
            _json_memo.clear()
        _json_memo[key] = cached
    return cached


def find_equal_revisions(
    revisions: Iterable[Mapping[str, Any]], needle: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The revisions equal to ``needle``, in their given order."""
    return [r for r in revisions if equal_revision(r, needle)]


def _number(revision: Mapping[str, Any]) -> int:
    return int(revision.get("revision") or 0)


def sort_revisions(revisions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Oldest first: by ``revision``, then creation time (none first), then name."""

    def key(r: Mapping[str, Any]) -> tuple[int, float, str]:
        meta = r.get("metadata") or {}
        created = parse_time(meta.get("creationTimestamp"))
        return _number(r), float("-inf") if created is None else created, str(meta.get("name"))

    return sorted(revisions, key=key)


def next_revision_number(revisions: Iterable[Mapping[str, Any]]) -> int:
    """One more than the highest ``revision``; 1 for an empty history."""
    return max((_number(r) for r in revisions), default=0) + 1


class UpdateRevisionSource(StrEnum):
    LATEST = "latest"  # the newest existing revision already holds the template
    ROLLBACK = "rollback"  # an older one does: give it the next number and reuse its name
    NEW = "new"  # nothing does: create the candidate


@dataclass(frozen=True)
class UpdateRevisionChoice:
    source: UpdateRevisionSource
    # The existing revision to use (LATEST, ROLLBACK) or the candidate to create (NEW).
    revision: Mapping[str, Any]
    # For ROLLBACK, the ``revision`` number to write to the reused revision.
    new_number: int | None = None


def choose_update_revision(
    history: Sequence[Mapping[str, Any]], candidate: Mapping[str, Any]
) -> UpdateRevisionChoice:
    """Where the update revision comes from, as the CloneSet and StatefulSet controllers
    decide it. ``history`` is sorted oldest first; ``candidate`` is ``new_revision(owner,
    next_revision_number(history), collision_count)``."""
    equal = find_equal_revisions(history, candidate)
    if equal and equal_revision(history[-1], equal[-1]):
        return UpdateRevisionChoice(UpdateRevisionSource.LATEST, history[-1])
    if equal:
        number = _number(candidate)
        return UpdateRevisionChoice(UpdateRevisionSource.ROLLBACK, equal[-1], number)
    return UpdateRevisionChoice(UpdateRevisionSource.NEW, candidate)


def oldest_used_revision(
    history: Sequence[Mapping[str, Any]], used_names: Iterable[str], update_name: str
) -> str:
    """CloneSet v0.7.0's current revision: the oldest revision other than the update one
    that some pod still uses; the update revision when there is none."""
    used = set(used_names)
    for revision in history:
        name = str((revision.get("metadata") or {}).get("name"))
        if name != update_name and name in used:
            return name
    return update_name


def revisions_to_prune(
    history: Sequence[Mapping[str, Any]], limit: int | None, live_names: Iterable[str]
) -> list[Mapping[str, Any]]:
    """The revisions to delete so at most ``limit`` (default 10) non-live ones remain.

    ``history`` is sorted oldest first, and the oldest go first. ``live_names`` holds the
    current and update revisions and every revision a pod uses; those are never returned.
    """
    live = set(live_names)
    dead = [r for r in history if (r.get("metadata") or {}).get("name") not in live]
    keep = DEFAULT_HISTORY_LIMIT if limit is None else max(limit, 0)
    return dead[: max(len(dead) - keep, 0)]
