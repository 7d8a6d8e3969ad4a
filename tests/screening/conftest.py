"""Fixtures of the screening tests; the township itself is described in screening_town.py."""

from __future__ import annotations

import pytest
from screening_town import Town, build_town


@pytest.fixture
def town(db) -> Town:
    return build_town(db)
