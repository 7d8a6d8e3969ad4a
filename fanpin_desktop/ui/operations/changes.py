"""What an operation changed: one typed notice that every page refreshes from.

The shape of Anki's ``OpChanges``: an operation says which kinds of records it touched, the main
window hands the notice to every page, and each page decides whether that concerns what it
shows. A page never listens to another page.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    """Which kinds of records an operation changed.

    ``households``: households, members, income (the registry and everything counting people);
    ``cases``: monitoring cases and their steps; ``screening``: campaigns and screening records
    (appendices 1–3); ``ledger``: rectification problems (appendix 4); ``settings``: township
    data, villages and groups, thresholds, settings. ``everything``: the database was replaced
    (restore) or filled (import of a whole roster is ``households`` only).
    """

    households: bool = False
    cases: bool = False
    screening: bool = False
    ledger: bool = False
    settings: bool = False

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def touches(self, *kinds: str) -> bool:
        """True when any of ``kinds`` (field names) changed."""
        return any(getattr(self, kind) for kind in kinds)

    def __str__(self) -> str:
        names = [f.name for f in fields(self) if getattr(self, f.name)]
        return "Changes(" + ", ".join(names) + ")"


NOTHING = Changes()
HOUSEHOLDS = Changes(households=True)
CASES = Changes(cases=True)
SCREENING = Changes(screening=True)
LEDGER = Changes(ledger=True)
SETTINGS = Changes(settings=True)
