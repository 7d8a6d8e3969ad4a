"""Monitoring cases (监测对象): the list, one case, the to-do list, statistics and every change.

Which module holds what (callers import the modules: ``from fanpin_desktop.services.cases import
listing``):

* :mod:`.types` — the plain shapes: ``CaseQuery``/``CaseRow`` (list), ``CaseDetail`` (one case),
  ``DueItem`` (待办), the editing inputs, ``CaseStats``; ``STATUS_LABELS``.
* :mod:`.listing` — ``case_ids`` (filters, search, order) and ``fetch_case_rows`` for the lazy
  id-based list; ``contact_names`` for the filter.
* :mod:`.detail` — ``load_case`` and ``household_open_case``.
* :mod:`.todo` — ``due_items`` and ``due_counts`` (the 待办 list and the sidebar's counts).
* :mod:`.editing` — opening a case, its facts, each procedure step, measures, contacts, visits,
  quarterly reviews, elimination, rollback and re-identification; all checks first (the rules of
  ``domain/procedure.py``), then the writes, so nothing is half-saved.
* :mod:`.stats` — ``case_stats``: counts by status, category, risk type, village and month.
"""
