"""The clause map (docs/POLICY.md) names the tests that cover each clause: every one must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`([\w/]+\.py)::(\w+)`")


def resolve(short: str) -> Path:
    """``cases/test_x.py`` → anxin/cases/tests/test_x.py; ``e2e/…`` → tests/e2e/…; ``tests/…`` as is."""
    if short.startswith("tests/"):
        return ROOT / short
    if short.startswith("e2e/"):
        return ROOT / "tests" / short
    app, _, name = short.partition("/")
    return ROOT / "anxin" / app / "tests" / name


def test_every_test_named_in_the_clause_map_exists():
    text = (ROOT / "docs" / "POLICY.md").read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) > 100
    missing = []
    for short, name in references:
        path = resolve(short)
        if not path.exists() or not re.search(rf"^def {name}\(", path.read_text(encoding="utf-8"), re.M):
            missing.append(f"{short}::{name}")
    assert not missing, missing
