"""Large bodies decode with the cyclic collector paused, and it is always restored."""

from __future__ import annotations

import gc
import json

from kruise.runtime.client.transport import LARGE_BODY_BYTES, decode_json


def test_large_body_decodes_and_the_collector_is_back_on() -> None:
    body = json.dumps({"items": ["x" * 100] * (LARGE_BODY_BYTES // 100 + 10)}).encode()
    assert len(body) >= LARGE_BODY_BYTES
    assert decode_json(body) == json.loads(body)
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    body = json.dumps(["y" * 1000] * (LARGE_BODY_BYTES // 1000 + 10)).encode()
    gc.disable()
    try:
        decode_json(body)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_decode_restores_the_collector() -> None:
    body = b"[" + b"1," * LARGE_BODY_BYTES
    try:
        decode_json(body)
    except ValueError:
        pass
    else:
        raise AssertionError("truncated JSON decoded")
    assert gc.isenabled()
