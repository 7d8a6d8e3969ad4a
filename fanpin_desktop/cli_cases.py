"""``fanpin cases …``: monitoring cases (监测对象) from the command line.

    fanpin cases list [--status 状态] [--village 村名] [--overdue]
    fanpin cases due [--weeks N]
    fanpin cases show 户编号|证件号码

Imported by ``fanpin_desktop.cli`` (listed in its ``COMMAND_MODULES``), which registers the
``cases`` command through its ``@command`` decorator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.errors import UserError

ACTIONS = ("list", "due", "show")
HELP = "监测对象：列出监测对象（list）、本周和下周的待办（due）、查看一户的监测记录（show）"


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _date(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def _today(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


ARGUMENTS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (
        ("action",),
        {
            "choices": ACTIONS,
            "metavar": "操作",
            "help": "list 列出监测对象；due 本周和下周到期或已超期的待办；show 查看一户的监测记录",
        },
    ),
    (("key",), {"nargs": "?", "metavar": "户编号|证件号码", "help": "show 时要查看的农户"}),
    (
        ("--status",),
        {
            "metavar": "状态",
            "help": "list：只列出一种状态（线索、识别中、监测中、消除中、已消除、已回退、不予认定）",
        },
    ),
    (("--village",), {"metavar": "村名", "help": "list：只列出一个行政村（村名或编号）"}),
    (("--overdue",), {"action": "store_true", "help": "list：只列出下一件事已超期的"}),
    (
        ("--weeks",),
        {"type": int, "default": 2, "metavar": "N", "help": "due：看到第 N 周的周日（默认 2：本周和下周）"},
    ),
    (("--today",), {"type": _today, "metavar": "YYYY-MM-DD", "help": "按这一天计算期限（默认今天）"}),
]


def _status(text: str | None) -> str | None:
    from fanpin_desktop.services.cases.types import STATUS_LABELS

    if not text:
        return None
    word = text.strip()
    if word in STATUS_LABELS:
        return word
    for stored, label in STATUS_LABELS.items():
        if label == word:
            return stored
    raise UserError(f"状态“{text}”不存在，应为：{'、'.join(STATUS_LABELS.values())}。")


def run(args: argparse.Namespace, ctx: Any) -> int:
    """Handler: ``ctx`` is the CLI's AppContext (``.db``)."""
    handlers = {"list": _list, "due": _due, "show": _show}
    return handlers[args.action](args, ctx)


def _list(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.cli_screening import _village_id
    from fanpin_desktop.services.cases import listing
    from fanpin_desktop.services.cases.types import STATUS_LABELS, CaseQuery

    today = args.today or dt.date.today()
    status = _status(args.status)
    with ctx.db.reading() as s:
        query = CaseQuery(
            status=status, village_id=_village_id(s, args.village), overdue_only=args.overdue, today=today
        )
        ids = listing.case_ids(s, query)
        rows = listing.fetch_case_rows(s, ids, today=today)
    out(
        "\t".join(
            [
                "户主",
                "村/组",
                "户编号",
                "状态",
                "类别",
                "主要风险",
                "识别监测时间",
                "帮扶联系人",
                "最近走访",
                "下一件事",
                "期限",
            ]
        )
    )
    for cid in ids:
        r = rows[cid]
        due = _date(r.next_due) + ("（超期）" if r.overdue else "") + r.note
        out(
            "\t".join(
                [
                    r.head_name,
                    f"{r.village}{r.group}",
                    r.code,
                    STATUS_LABELS.get(r.status, r.status),
                    r.category,
                    "、".join(r.risks),
                    _date(r.identified_on),
                    r.contact,
                    _date(r.last_visit_on),
                    r.next_thing,
                    due,
                ]
            )
        )
    overdue = sum(1 for cid in ids if rows[cid].overdue)
    out(f"共 {len(ids)} 条监测对象记录，其中 {overdue} 条已超期。")
    return 0


def _due(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.domain.todo import window_end
    from fanpin_desktop.services.cases import todo
    from fanpin_desktop.services.cases.types import DUE_KINDS

    if args.weeks < 1:
        raise UserError("--weeks 应为 1 或更大的整数（1 表示本周，2 表示本周和下周）。")
    today = args.today or dt.date.today()
    with ctx.db.reading() as s:
        items = todo.due_items(s, today=today, weeks=args.weeks)
    out(f"待办（{_date(today)} 至 {_date(window_end(today, args.weeks))}，含已超期）：共 {len(items)} 项")
    for kind in DUE_KINDS:
        group = [i for i in items if i.kind == kind]
        if not group:
            continue
        out(f"【{kind}】{len(group)} 项")
        for i in group:
            when = _date(i.due_on) + ("（超期）" if i.overdue else "")
            out("\t".join(["  " + i.village, i.head_name, i.contact or "（无联系人）", when, i.detail]))
    return 0


def _find_household(session: Session, key: str) -> int:
    from fanpin_desktop.domain import ids as id_rules
    from fanpin_desktop.models import Household, Member

    text = (key or "").strip()
    if not text:
        raise UserError("请给出要查看的户编号或证件号码：fanpin cases show 户编号|证件号码")
    hid = session.scalar(select(Household.id).where(Household.code == text))
    if hid is None:
        numbers = {text, text.upper(), id_rules.normalize(text)}
        hid = session.scalar(select(Member.household_id).where(Member.id_number.in_(numbers)).limit(1))
    if hid is None:
        raise UserError(f"没有户编号或证件号码为“{text}”的农户，请核对后再试。")
    return hid


def _show(args: argparse.Namespace, ctx: Any) -> int:
    from fanpin_desktop.models import MonitoringCase
    from fanpin_desktop.services.cases import detail
    from fanpin_desktop.services.cases.listing import risk_text
    from fanpin_desktop.services.cases.types import STATUS_LABELS
    from fanpin_desktop.services.households.rows import household_label

    today = args.today or dt.date.today()
    with ctx.db.reading() as s:
        hid = _find_household(s, args.key)
        cid = detail.household_open_case(s, hid) or s.scalar(
            select(MonitoringCase.id)
            .where(MonitoringCase.household_id == hid)
            .order_by(MonitoringCase.clue_date.desc(), MonitoringCase.id.desc())
            .limit(1)
        )
        if cid is None:
            raise UserError(f"{household_label(s, hid)}没有监测对象记录。")
        c = detail.load_case(s, cid, today=today)
    out(f"{c.household_label}（{c.household_type}）")
    out(f"状态：{STATUS_LABELS.get(c.status, c.status)}　来源：{c.source}　发现线索：{_date(c.clue_date)}")
    if c.category:
        out(f"监测对象类别：{c.category}")
    if c.identified_on:
        out(f"识别监测时间：{_date(c.identified_on)}")
    if c.eliminated_on:
        out(f"风险消除时间：{_date(c.eliminated_on)}（{c.elimination_mode}）")
    if c.rolled_back_on:
        out(f"回退：{_date(c.rolled_back_on)}　{c.rollback_reason}")
    if c.not_included_reason:
        out(f"不予认定理由：{c.not_included_reason}")
    if c.risks:
        out("致贫返贫风险：" + "、".join(risk_text(t, sub) for t, sub in c.risks))
    if c.per_capita_income is not None:
        line = f"人均纯收入：{c.per_capita_income}元（{c.income_year}年）"
        if c.threshold is not None:
            line += f"，监测范围{c.threshold}元"
        out(line)
    out("三保障和饮水安全：" + ("、".join(c.guarantees) if c.guarantees else "无问题记录"))
    out(f"劳动力：{'有' if c.has_labour else '整户无劳动能力'}")
    out(f"家庭成员（{len(c.members)}人）：")
    for m in c.members:
        age = f"{m.age}岁" if m.age is not None else ""
        out("  " + "\t".join([m.name, m.relation, age, m.health, m.labour]))
    if c.steps:
        out("办理环节：")
        for st in c.steps:
            end = f"至{_date(st.end_on)}" if st.end_on else ""
            extra = "　".join(p for p in (st.people, st.result, st.note) if p)
            out(f"  {_date(st.done_on)}{end}\t{st.procedure}·{st.step}\t{extra}")
    if c.measures:
        out("帮扶措施：")
        for m in c.measures:
            out(f"  {m.category}\t{m.content}\t{_date(m.start_date)}")
    if c.contacts:
        out("帮扶联系人：" + "、".join(f"{p.name}（{p.workplace or '单位未填'}）" for p in c.contacts))
    if c.visits:
        out(f"走访记录（{len(c.visits)}次，最近：{_date(c.visits[0].visited_on)}）")
    if c.next_thing:
        due = _date(c.next_due) + ("（超期）" if c.overdue else "")
        out(f"下一件事：{c.next_thing}　期限：{due}{c.next_note}")
    if c.previous_case_id:
        out(f"此前的监测记录：编号{c.previous_case_id}")
    if c.next_case_id:
        out(f"之后重新识别的记录：编号{c.next_case_id}")
    return 0


def _register_with_cli() -> None:
    try:
        from fanpin_desktop import cli
    except ImportError:  # pragma: no cover
        return
    if "cases" in cli.COMMANDS:
        return
    handler = run
    for a, kw in reversed(ARGUMENTS):
        handler = cli.argument(*a, **kw)(handler)
    cli.command("cases", HELP, writes=False)(handler)


_register_with_cli()
