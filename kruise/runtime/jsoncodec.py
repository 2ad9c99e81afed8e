"""The one JSON codec for API bodies, watch lines and admission reviews (orjson).

Decoding a LIST of 10,000 pods and encoding admission responses are hot paths, and orjson
does both several times faster than the standard library (``bench/codec_choice.py``
measures it against ``json`` and msgspec on the same pods). Encoding is compact and keeps
non-ASCII text as UTF-8, the same bytes ``json.dumps(separators=(",", ":"),
ensure_ascii=False)`` gives for anything the API server sends. Integers beyond 64 bits
decode to floats, as the API server's own decoder turns them into float64, so it never
sends one; encoding one is refused. Code that reads JSON from elsewhere and must keep such
numbers exact (the admission review reader) checks for them before using this.
"""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError
JSONEncodeError = orjson.JSONEncodeError


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse one JSON document; raises ``JSONDecodeError`` (a ``ValueError``) when it is not."""
    return orjson.loads(data)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON; ``JSONEncodeError`` (a ``TypeError``) for what JSON cannot hold."""
    return orjson.dumps(obj)


def dumps_str(obj: Any) -> str:
    """``dumps`` as text, for places that need a ``str`` (annotations, logs)."""
    return orjson.dumps(obj).decode()
