"""Structured logs with structlog: JSON in a cluster, readable console output locally.

Every reconcile binds controller, namespace, name and a reconcile id to its logger, so
each line it writes can be found again.
"""

from __future__ import annotations

import logging
import random
import sys
from contextvars import ContextVar, Token
from typing import Any, Literal

import structlog

LogFormat = Literal["json", "console"]


def configure(fmt: LogFormat = "console", verbosity: int = 0) -> None:
    """Set up structlog and the stdlib root logger. ``verbosity`` > 0 enables debug lines."""
    level = logging.DEBUG if verbosity > 0 else logging.INFO
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(name)s %(message)s")
    # aiohttp's access log is noise for probes and metrics scrapes.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger named ``name``; what it writes follows ``configure``."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger


def _structlog_vars(*keys: str) -> tuple[ContextVar[Any], ...]:
    # structlog keeps one ContextVar per key; its public bind hands back tokens naming
    # them. Binding and resetting at once leaves the context as it was.
    tokens = structlog.contextvars.bind_contextvars(**dict.fromkeys(keys))
    structlog.contextvars.reset_contextvars(**tokens)
    return tuple(tokens[key].var for key in keys)


_CONTROLLER, _NAMESPACE, _NAME, _RECONCILE_ID = _structlog_vars(
    "controller", "namespace", "name", "reconcile_id"
)
_UUID_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_V4_BITS = (0x4000 << 64) | (0x8000 << 48)

ReconcileTokens = tuple[Token[Any], Token[Any], Token[Any]]


def new_reconcile_id() -> str:
    """A random UUID (version 4) string that tells one reconcile's log lines apart.

    It only correlates log lines, so the process's fast random generator serves; a
    ``uuid.uuid4()`` costs a system call and an object per reconcile.
    """
    # bytes.hex is several times cheaper than formatting a 128-bit int with "%032x".
    bits = random.getrandbits(128) & _UUID_VERSION_MASK | _UUID_V4_BITS
    hexed = bits.to_bytes(16, "big").hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def bind_controller(controller: str) -> Token[Any]:
    """Put ``controller`` in the log context of the calling task (a worker, for good)."""
    return _CONTROLLER.set(controller)


def bind_reconcile(namespace: str, name: str) -> ReconcileTokens:
    """Put a reconcile's object and a fresh ``reconcile_id`` in the log context.

    The keys land in structlog's context variables, as ``bound_contextvars`` would put
    them, at the cost of a ``ContextVar.set`` each. Undo with ``unbind_reconcile``.
    """
    return (
        _NAMESPACE.set(namespace),
        _NAME.set(name),
        _RECONCILE_ID.set(new_reconcile_id()),
    )


def unbind_reconcile(tokens: ReconcileTokens) -> None:
    """Restore the log context ``bind_reconcile`` changed, in the same task."""
    namespace, name, reconcile_id = tokens
    _RECONCILE_ID.reset(reconcile_id)
    _NAME.reset(name)
    _NAMESPACE.reset(namespace)
