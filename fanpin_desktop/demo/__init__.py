"""A realistic, deterministic demo township (DOMAIN.md §1 scale: seed 004's 2,535 households).

``build_demo`` fills an empty database with villages, groups, natural villages, grids,
thresholds, two screening campaigns, households with coherent members (valid unique ID numbers,
family relations and ages, schooling or education, health, labour, migrant work, insurance,
低保/特困), two income periods, monitoring cases in every state (and every kind of 待办: late
clues, a 公示 ending this week, missing measures, late visits and reviews, a case ready for
elimination) with their steps, risks, measures, contacts and visits, ledger problems and
department warnings.

Everything comes from one ``random.Random(seed)`` and the reference day ``today``: the same seed
and day give the same township.

This is a fixture generator, not a use case: it lives beside ``services`` (and may use them, like a
script filling a database), and nothing in ``services`` imports it. Which module holds what:

* :mod:`.data` — the fixed data the township is drawn from: place names and region codes,
  surnames and given-name pools, phone prefixes, work places, thresholds by year.
* :mod:`.people` — the random choices for people and families (``_Gen``) and small date helpers.
* :mod:`.builder` — ``build_demo`` and the phases that write the township in one transaction.
"""

from __future__ import annotations

from fanpin_desktop.demo.builder import DemoError, DemoSummary, Progress, build_demo
from fanpin_desktop.demo.data import DEMO_MARK, RARE_CHARS

__all__ = ["DEMO_MARK", "RARE_CHARS", "DemoError", "DemoSummary", "Progress", "build_demo"]
