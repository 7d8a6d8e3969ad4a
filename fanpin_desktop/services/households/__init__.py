"""The household registry (户籍台账): search, table rows, editing, history and derived facts.

Which module holds what:

* :mod:`.search` — ``search_household_ids`` (the search SQL: text, filters, sort orders) and
  ``RegistryIndex``, the in-memory copy of the registry for search-as-you-type that gives the same
  answers and keeps itself fresh from the audit trail; ``HouseholdQuery`` and the ``SORT_*`` keys.
* :mod:`.rows` — what lists and pickers show: ``HouseholdRow`` and ``fetch_rows``,
  ``household_label`` (how messages name a household), ``region_options`` for the combo boxes.
* :mod:`.drafts` — the editor's dataclasses (``HouseholdDraft``, ``MemberDraft``, ``IncomeDraft``),
  ``load_household`` and the operations on a draft alone (``set_head``, ``income_totals``).
* :mod:`.validation` — ``validate_draft`` and the member checks: errors block saving, warnings are
  for the clerk to confirm.
* :mod:`.saving` — ``save_household`` and the other editing use cases (members added, updated,
  moved or removed, a new head, income records, a household deleted), all through the ORM so the
  audit trail records them.
* :mod:`.history` — ``household_history``: the audit trail of a household worded for the clerk.
* :mod:`.income` — ``latest_incomes``: the latest 人均纯收入 (local income record or the national
  system's figure, whichever is newer) and ``ThresholdCache``, that year's threshold.
* :mod:`.facts` — ``derived_facts`` and ``household_summary`` for the details pane.
* :mod:`.labels` — Chinese labels of tables and fields (validation messages, history).
* :mod:`.constants` and :mod:`.errors` — what the modules above share: the registry flags, the
  labour rule, ID types, money fields; ``RegistryError`` and ``ValidationFailed``.

The case statuses and the household monitoring status (``STATUS_*``, ``MONITORING_STATUSES``,
``monitoring_status_of``) live in :mod:`fanpin_desktop.domain.cases`. Every public name of the
modules is importable from this package, so callers write ``households.save_household``.
"""

from __future__ import annotations

from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    ELIMINATED_CASE_STATUSES,
    MONITORING_STATUSES,
    PENDING_CASE_STATUSES,
    STATUS_ACTIVE,
    STATUS_ELIMINATED,
    STATUS_NONE,
    STATUS_PENDING,
    monitoring_status_of,
)
from fanpin_desktop.services.households.constants import (
    FLAG_DIBAO,
    FLAG_DISABLED,
    FLAG_MILITARY,
    FLAG_NO_LABOUR,
    FLAG_RELOCATED,
    FLAG_TEKUN,
    FLAG_URBAN,
    HEAD,
    HOUSEHOLD_FLAGS,
    ID_TYPES_CHECKED,
    LABOUR_SKILLS_ABLE,
    MONEY_FIELDS,
    SPOUSE,
    SQL_CHUNK,
)
from fanpin_desktop.services.households.drafts import (
    HouseholdDraft,
    IncomeDraft,
    MemberDraft,
    default_income_period,
    income_totals,
    load_household,
    new_household_draft,
    new_income_draft,
    new_member_draft,
    set_head,
)
from fanpin_desktop.services.households.errors import (
    RegistryError,
    ValidationFailed,
)
from fanpin_desktop.services.households.facts import (
    HouseholdSummary,
    case_statuses,
    derived_facts,
    household_summary,
)
from fanpin_desktop.services.households.history import (
    HistoryEntry,
    field_label,
    household_history,
)
from fanpin_desktop.services.households.income import (
    SOURCE_LOCAL,
    SOURCE_NATIONAL,
    LatestIncome,
    ThresholdCache,
    latest_income,
    latest_incomes,
    pick_income,
)
from fanpin_desktop.services.households.labels import (
    CASE_FIELD_LABELS,
    HOUSEHOLD_FIELD_LABELS,
    INCOME_FIELD_LABELS,
    MEMBER_FIELD_LABELS,
    TABLE_LABELS,
)
from fanpin_desktop.services.households.picking import first_member_name, household_choices
from fanpin_desktop.services.households.rows import (
    HouseholdRow,
    Option,
    VillageOption,
    fetch_rows,
    household_label,
    region_options,
)
from fanpin_desktop.services.households.saving import (
    add_member,
    change_head,
    delete_household,
    move_member,
    remove_member,
    save_household,
    save_income,
    update_member,
)
from fanpin_desktop.services.households.search import (
    SORT_CODE,
    SORT_GROUP,
    SORT_HEAD,
    SORT_HEAD_ID,
    SORT_KEYS,
    SORT_PHONE,
    SORT_SIZE,
    SORT_STATUS,
    SORT_TYPE,
    SORT_VILLAGE,
    HouseholdQuery,
    RegistryIndex,
    household_count,
    search_household_ids,
)
from fanpin_desktop.services.households.validation import (
    id_number_owner,
    normalise_member_id,
    validate_draft,
    validate_member_draft,
)

__all__ = [
    "pick_income",
    "latest_incomes",
    "latest_income",
    "ThresholdCache",
    "LatestIncome",
    "SOURCE_NATIONAL",
    "SOURCE_LOCAL",
    "ACTIVE_CASE_STATUSES",
    "CASE_FIELD_LABELS",
    "ELIMINATED_CASE_STATUSES",
    "FLAG_DIBAO",
    "FLAG_DISABLED",
    "FLAG_MILITARY",
    "FLAG_NO_LABOUR",
    "FLAG_RELOCATED",
    "FLAG_TEKUN",
    "FLAG_URBAN",
    "HEAD",
    "HOUSEHOLD_FIELD_LABELS",
    "HOUSEHOLD_FLAGS",
    "HistoryEntry",
    "HouseholdDraft",
    "HouseholdQuery",
    "HouseholdRow",
    "HouseholdSummary",
    "ID_TYPES_CHECKED",
    "INCOME_FIELD_LABELS",
    "IncomeDraft",
    "LABOUR_SKILLS_ABLE",
    "MEMBER_FIELD_LABELS",
    "MONEY_FIELDS",
    "MONITORING_STATUSES",
    "MemberDraft",
    "Option",
    "PENDING_CASE_STATUSES",
    "RegistryError",
    "RegistryIndex",
    "SORT_CODE",
    "SORT_GROUP",
    "SORT_HEAD",
    "SORT_HEAD_ID",
    "SORT_KEYS",
    "SORT_PHONE",
    "SORT_SIZE",
    "SORT_STATUS",
    "SORT_TYPE",
    "SORT_VILLAGE",
    "SPOUSE",
    "SQL_CHUNK",
    "STATUS_ACTIVE",
    "STATUS_ELIMINATED",
    "STATUS_NONE",
    "STATUS_PENDING",
    "TABLE_LABELS",
    "ValidationFailed",
    "VillageOption",
    "add_member",
    "case_statuses",
    "change_head",
    "default_income_period",
    "delete_household",
    "derived_facts",
    "fetch_rows",
    "first_member_name",
    "field_label",
    "household_choices",
    "household_count",
    "household_history",
    "household_label",
    "household_summary",
    "id_number_owner",
    "income_totals",
    "load_household",
    "monitoring_status_of",
    "move_member",
    "new_household_draft",
    "new_income_draft",
    "new_member_draft",
    "normalise_member_id",
    "region_options",
    "remove_member",
    "save_household",
    "save_income",
    "search_household_ids",
    "set_head",
    "update_member",
    "validate_draft",
    "validate_member_draft",
]
