"""A CA per test and a certificate directory holding a pair it issued."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from support.webhook_tls import CA, Leaf


@pytest.fixture
def ca() -> CA:
    return CA()


@pytest.fixture
def leaf(ca: CA) -> Leaf:
    return ca.issue()


@pytest.fixture
def cert_dir(tmp_path: Path, leaf: Leaf) -> Path:
    leaf.write(tmp_path)
    return tmp_path


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()
