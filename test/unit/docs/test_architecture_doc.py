"""docs/architecture.md names a test behind each deliberate difference; each must exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
TEST_REF = re.compile(r"`(test/[\w/]+\.py)::(\w+)(?:\[[^\]]*\])?`")


def _references() -> list[tuple[str, str]]:
    return sorted(set(TEST_REF.findall(DOC.read_text())))


def test_the_document_names_tests() -> None:
    assert len(_references()) > 20


@pytest.mark.parametrize(("path", "name"), _references())
def test_every_named_test_exists(path: str, name: str) -> None:
    source = (ROOT / path).read_text()
    assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{path}::{name}"
