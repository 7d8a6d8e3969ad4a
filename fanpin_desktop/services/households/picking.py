"""Households found by a few typed characters, worded for a picker (the "move member" dialog)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.models import Member
from fanpin_desktop.services.households.rows import fetch_rows
from fanpin_desktop.services.households.search import HouseholdQuery, search_household_ids


def household_choices(
    session: Session, text: str, exclude_household_id: int | None = None, limit: int = 50
) -> list[tuple[int, str]]:
    """``(household id, "东山村一组 王五户 2人（户编号 …）")`` of the first ``limit`` households
    the search finds for ``text``, without ``exclude_household_id`` (the member's own)."""
    text = text.strip()
    if not text:
        return []
    found = [
        hid for hid in search_household_ids(session, HouseholdQuery(text=text)) if hid != exclude_household_id
    ][:limit]
    rows = fetch_rows(session, found)
    items = []
    for hid in found:
        r = rows.get(hid)
        if r is not None:
            code = f"（户编号 {r.code}）" if r.code else ""
            items.append((hid, f"{r.village}{r.group} {r.head_name}户 {r.size}人{code}"))
    return items


def first_member_name(session: Session) -> str | None:
    """The name of the first member ever entered (the smoke test searches for its surname)."""
    return session.scalar(select(Member.name).order_by(Member.id).limit(1))
