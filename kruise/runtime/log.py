"""Structured logs with structlog: JSON in a cluster, readable console output locally.

Every reconcile binds controller, namespace, name and a reconcile id to its logger, so
each line it writes can be found again.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

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
