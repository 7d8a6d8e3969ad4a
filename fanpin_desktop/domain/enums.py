"""Enumerations versioned by year, read from ``resources/enums/<year>.json``.

The file for a year is the newest one not later than that year, so labels change by editing data.
Old labels from earlier years and national-export wordings map to current ones through ``*_aliases``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fanpin_desktop.paths import resource


@dataclass(frozen=True)
class Enumerations:
    year: int
    data: dict[str, Any]

    def values(self, name: str) -> list[str]:
        return list(self.data[name])

    def aliases(self, name: str) -> dict[str, str]:
        return dict(self.data.get(f"{name}_aliases", {}))

    def canonical(self, name: str, label: str | None) -> str | None:
        """The current label for ``label`` in enumeration ``name`` (alias-resolved), or None."""
        if label is None:
            return None
        text = str(label).strip()
        if text in self.data[name]:
            return text
        return self.data.get(f"{name}_aliases", {}).get(text)


def _files(folder: Path) -> dict[int, Path]:
    return {int(p.stem): p for p in folder.glob("*.json") if p.stem.isdigit()}


@lru_cache(maxsize=8)
def for_year(year: int | None = None) -> Enumerations:
    files = _files(resource("enums"))
    if not files:
        raise FileNotFoundError("resources/enums 中没有代码表文件")
    eligible = [y for y in files if year is None or y <= year]
    chosen = max(eligible) if eligible else min(files)
    with files[chosen].open(encoding="utf-8") as fh:
        return Enumerations(chosen, json.load(fh))


def current() -> Enumerations:
    return for_year(None)
