"""Monitoring-case statuses (监测对象状态) and the household monitoring status derived from them.

A MonitoringCase moves through the statuses of the ``case_statuses`` enumeration
(``resources/enums/*.json``); the registry sums a household's cases up in one of four words
(未纳入 / 识别中 / 监测中 / 已消除). The status strings and the groups the registry, the appendix 1
form, the statistics and the roster export count by are defined here once.
"""

from __future__ import annotations

from collections.abc import Iterable

# --------------------------------------------------------------------------- case statuses

CASE_CLUE = "线索"
CASE_IDENTIFYING = "识别中"
CASE_INCLUDED = "已纳入"
CASE_ELIMINATING = "消除中"
CASE_ELIMINATED = "已消除"
CASE_NOT_INCLUDED = "不纳入"
CASE_ROLLED_BACK = "已回退"

#: Cases of households under monitoring now (风险未消除).
ACTIVE_CASE_STATUSES = (CASE_INCLUDED, CASE_ELIMINATING, CASE_ROLLED_BACK)
#: Cases still being identified.
PENDING_CASE_STATUSES = (CASE_CLUE, CASE_IDENTIFYING)
#: Cases whose risk has been eliminated.
ELIMINATED_CASE_STATUSES = (CASE_ELIMINATED,)
#: Cases that entered monitoring at some point (active or eliminated since).
MONITORED_CASE_STATUSES = ACTIVE_CASE_STATUSES + ELIMINATED_CASE_STATUSES

# --------------------------------------------------------------------------- household status

#: Monitoring status of a household, derived from its MonitoringCase rows.
STATUS_NONE = "未纳入"
STATUS_PENDING = "识别中"
STATUS_ACTIVE = "监测中"
STATUS_ELIMINATED = "已消除"
MONITORING_STATUSES = (STATUS_NONE, STATUS_PENDING, STATUS_ACTIVE, STATUS_ELIMINATED)


def monitoring_status_of(case_statuses: Iterable[str]) -> str:
    statuses = set(case_statuses)
    if statuses & set(ACTIVE_CASE_STATUSES):
        return STATUS_ACTIVE
    if statuses & set(ELIMINATED_CASE_STATUSES):
        return STATUS_ELIMINATED
    if statuses & set(PENDING_CASE_STATUSES):
        return STATUS_PENDING
    return STATUS_NONE
