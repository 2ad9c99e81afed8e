"""Request bodies are the very bytes the standard library path wrote before orjson, and
answers decode to the same values, including what orjson refuses on its own."""

from __future__ import annotations

import gc
import json
import math
import re
from typing import Any

import pytest

from kruise.runtime import jsoncodec
from kruise.runtime.client.transport import LARGE_BODY_BYTES, _encode, decode_json

_OLD_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def old_encode(body: Any) -> bytes:
    """The encoder the transport had before: json.dumps, then Go's escapes."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _OLD_ESCAPES[m.group()], text).encode()


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "prod",
            "labels": {"app": "wéb", "tier": "前端"},
            "annotations": {
                "note": "naïve café — 🚀 <b>&amp;</b> \u2028line\u2029para",
                "json": '{"a":[1,2,{"b":null}],"c":"\\"q\\""}',
                "controls": "tab\tnl\ncr\rbell\x07nul\x00del\x7f",
                "empty": "",
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "r"}],
            "generation": 9_223_372_036_854_775_807,
        },
        "spec": {
            "containers": [
                {"name": "app", "args": ["--x=<y>", "a&b", ""], "env": []},
            ],
            "securityContext": {},
            "nodeSelector": {},
            "priority": -2_147_483_648,
            "terminationGracePeriodSeconds": 0,
            "enableServiceLinks": False,
            "hostNetwork": True,
            "overhead": None,
            "matrix": [[1, [2, [3, []]]], [{}], [[]]],
        },
        "status": {"phase": "Pending", "big": 18_446_744_073_709_551_615, "neg": -(2**63)},
    }


BODIES: list[Any] = [
    pod("web-0"),
    [pod("a"), pod("b")],
    {},
    [],
    {
        "huge": 2**70,
        "list": [2**64, -(2**64) - 1],
    },  # orjson refuses these: the fallback writes them
    {"data": {1: "int key"}},  # non-string keys: the standard library's way
    "a string body",
    0,
]


@pytest.mark.parametrize("body", BODIES)
def test_request_bodies_are_byte_for_byte_the_old_encoding(body: Any) -> None:
    assert _encode(body) == old_encode(body)


def test_the_codec_matches_the_standard_library_on_api_objects() -> None:
    for obj in (pod("web-0"), {"items": [pod("x")] * 3, "metadata": {}}):
        assert (
            jsoncodec.dumps(obj)
            == json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        )


def test_bytes_bodies_pass_through_and_none_stays_none() -> None:
    assert _encode(b'{"raw":true}') == b'{"raw":true}'
    assert _encode(None) is None


@pytest.mark.parametrize(
    "raw",
    [
        old_encode(pod("web-0")),
        # The widest integers the API server writes (int64, and uint64 in raw fields).
        b'{"max": 9223372036854775807, "min": -9223372036854775808, "u": 18446744073709551615}',
        b"[NaN, Infinity, -Infinity]",
        b'  {"spaced" : [ 1 , 2 ] }  ',
        '{"text": "caf\u00e9"}'.encode(),
    ],
)
def test_answers_decode_as_the_standard_library_decodes_them(raw: bytes) -> None:
    expected = json.loads(raw)
    decoded = decode_json(raw)
    if isinstance(expected, list) and any(isinstance(v, float) for v in expected):
        assert math.isnan(decoded[0])
        assert decoded[1:] == expected[1:]
    else:
        assert decoded == expected
        assert json.dumps(decoded) == json.dumps(expected)


def test_what_is_not_json_still_raises_a_value_error() -> None:
    with pytest.raises(ValueError, match="Expecting value"):
        decode_json(b'{"a":')


def test_a_large_body_lands_in_the_oldest_generation() -> None:
    body = json.dumps({"items": [{"n": [i]} for i in range(LARGE_BODY_BYTES // 10)]}).encode()
    assert len(body) >= LARGE_BODY_BYTES
    decoded = decode_json(body)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(decoded["items"]) in oldest
    assert id(decoded["items"][-1]["n"]) in oldest
    assert gc.isenabled()


def test_objects_the_program_froze_stay_frozen() -> None:
    body = json.dumps({"items": ["z" * 100] * (LARGE_BODY_BYTES // 100 + 10)}).encode()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        decoded = decode_json(body)
        assert gc.get_freeze_count() == frozen
        assert id(decoded) not in {id(o) for o in gc.get_objects(generation=2)}
    finally:
        gc.unfreeze()
