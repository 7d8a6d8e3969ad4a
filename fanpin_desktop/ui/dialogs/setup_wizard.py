"""设置向导: the first day on an empty database, step by step, every step skippable and the whole
wizard reachable again later (帮助 → 设置向导…).

Steps: 管理员账户 (only while the database has no account), 乡镇和县, 行政村和村民小组 (typed or
pasted as a list, or taken from an imported roster), 导入户籍名册, 当年监测收入标准, 集中排查批次
(optional), and a summary of what was done and what comes next. Every write goes through the
window's operations (``ui/operations/settings.py``), so the pages behind the wizard reload.

``parse_village_list`` (a pure function) reads the village list the clerk types or pastes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import accounts, regions, thresholds
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import settings as settings_ops
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import icon

# --------------------------------------------------------------------------- the village list

_VILLAGE_SEPARATOR = re.compile(r"[：:]")
_GROUP_SEPARATORS = re.compile(r"[、，,；;／/|\s]+")
_GROUP_COUNT = re.compile(r"^(\d{1,2})\s*个(?:村民)?(?:小)?组$")
_HEADER_WORDS = {"行政村", "村", "村名", "村委会", "村（社区）", "村(社区)", "行政村名称", "村庄"}
MAX_GROUPS = 99


@dataclass
class ParsedPlaces:
    """What a typed or pasted village list says: villages in order with their groups, and the
    lines that could not be read (``第N行：…``)."""

    villages: list[tuple[str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def group_count(self) -> int:
        return sum(len(groups) for _name, groups in self.villages)


def _groups_of(parts: list[str]) -> list[str]:
    """Group names from the text after the village: ``一组、二组``, ``1 2 3`` (→ 一组 二组 三组),
    or a count ``5个组`` (→ 一组 … 五组)."""
    tokens = [t for part in parts for t in _GROUP_SEPARATORS.split(part.strip()) if t]
    if len(tokens) == 1:
        count = _GROUP_COUNT.match(tokens[0])
        if count:
            n = min(int(count.group(1)), MAX_GROUPS)
            return [regions.default_group_name(i) for i in range(1, n + 1)]
    names = []
    for token in tokens:
        if token.isdigit() and 0 < int(token) <= MAX_GROUPS:
            token = regions.default_group_name(int(token))  # an Excel column of group numbers
        names.append(token)
    return names


def _is_name(text: str) -> bool:
    """A place name has at least one letter or digit (a line of stray colons is not a group)."""
    return any(ch.isalnum() for ch in text)


def parse_village_list(text: str) -> ParsedPlaces:
    """Read one village a line: ``东坡村：一组、二组、三组``, ``东坡村 一组 二组``, ``东坡村：5个组``,
    a bare ``东坡村``, or a two-column paste from Excel (``村<TAB>组``, one group a row; an empty
    village cell continues the village above, as merged cells paste). A header row (行政村 …) is
    skipped; villages named twice are merged and groups kept once, in order of first mention."""
    result = ParsedPlaces()
    groups_of: dict[str, list[str]] = {}
    previous: str | None = None
    first = True
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip(" \u3000\r\n")
        if not line.strip():
            continue
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            village, rest = cells[0], cells[1:]
            if not village:
                if previous is None:
                    result.problems.append(f"第{n}行：没有村名")
                    continue
                village = previous
        elif _VILLAGE_SEPARATOR.search(line):
            village, after = _VILLAGE_SEPARATOR.split(line, maxsplit=1)
            village, rest = village.strip(), [after]
        else:
            village, *rest = line.split()
        if first:
            first = False
            if village in _HEADER_WORDS:
                continue
        if not village:
            result.problems.append(f"第{n}行：没有村名")
            continue
        if village.isdigit():
            result.problems.append(f"第{n}行：“{village}”不是村名")
            continue
        if len(village) > 30:
            result.problems.append(f"第{n}行：村名“{village[:12]}…”太长（应为一个行政村的名称）")
            continue
        if not _is_name(village):
            result.problems.append(f"第{n}行：“{village}”不是村名（只有标点符号）")
            continue
        previous = village
        known = groups_of.setdefault(village, [])
        for group in _groups_of(rest):
            if not _is_name(group):
                result.problems.append(f"第{n}行：“{group}”不是村民小组的名称（只有标点符号），已略过")
            elif group not in known:
                known.append(group)
    result.villages = [(name, groups) for name, groups in groups_of.items()]
    return result


def preview_html(parsed: ParsedPlaces, existing: dict[str, set[str]]) -> str:
    """The list as it will be created: 新建 or 已有 for each village, new groups in bold."""

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    if not parsed.villages and not parsed.problems:
        return "<p style='color:#5f6368'>在左边输入或粘贴后，这里显示将要建立的行政村和村民小组。</p>"
    rows = []
    for name, groups in parsed.villages:
        had = existing.get(name)
        state = (
            "<span style='color:#5f6368'>已有</span>"
            if had is not None
            else "<b style='color:#1e7e34'>新建</b>"
        )
        shown = (
            "、".join(esc(g) if had is not None and g in had else f"<b>{esc(g)}</b>" for g in groups)
            or "<span style='color:#5f6368'>（未列村民小组）</span>"
        )
        rows.append(f"<tr><td>{state}</td><td>{esc(name)}</td><td>{shown}</td></tr>")
    problems = "".join(f"<li style='color:#a50e0e'>{esc(p)}</li>" for p in parsed.problems)
    return (
        f"<p>共 {len(parsed.villages)} 个行政村、{parsed.group_count} 个村民小组：</p>"
        f"<table cellspacing='0' cellpadding='2'>{''.join(rows)}</table>"
        + (
            f"<p style='color:#a50e0e'>以下各行没有读懂，不会建立：</p><ul>{problems}</ul>"
            if problems
            else ""
        )
    )


# --------------------------------------------------------------------------- pages


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _message() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color:#a50e0e")
    return label


class _StepPage(QWizardPage):
    """A step whose 下一步 saves what was entered (``save``); 跳过此步 moves on without saving.

    ``save(done)`` starts the write and returns its task, or None when there is nothing to save.
    The write runs on the task runner: 下一步 waits for it and moves on when it succeeded."""

    def __init__(self, wizard: SetupWizard, title: str, subtitle: str) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self._saved = False
        self._validating = False
        self.message = _message()

    def save(self, done: Callable[[Any], None]) -> Task | None:
        return None

    def refused(self, exc: UserError) -> None:
        self.message.setText(str(exc))

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        if self.wiz.skipping or self._saved:
            self._saved = False
            return True
        self.message.clear()
        self._validating = True
        try:
            task = self.save(self._done)
        finally:
            self._validating = False
        if task is None:
            return True
        if self._saved:  # a synchronous runner: already done
            self._saved = False
            return True
        return False

    def _done(self, _result: Any) -> None:
        self._saved = True
        if not self._validating:  # the write finished later: move on now
            self.wiz.next()


class AdminPage(_StepPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "管理员账户",
            "管理员账户保护本站的数据：登录后才能打开程序，数据库按账户密码加密保存。",
        )
        self.create_button = QPushButton(icon("fa5s.user-lock"), "创建管理员账户…")
        self.create_button.clicked.connect(self.create_admin)
        self.state = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(
            _note(
                "建议第一天就创建管理员账户。创建时程序会显示一次<b>恢复码</b>："
                "请打印出来，放在站里的保险柜中。所有密码都忘记时，凭恢复码可以打开加密的数据库并重设密码。"
                "<br><br>以后可以在管理员账户下为其他工作人员建立录入员或查看账户。"
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def create_admin(self) -> None:
        from fanpin_desktop.ui.dialogs.first_admin import FirstAdminDialog

        dialog = FirstAdminDialog(self.wiz.ctx, self)
        dialog.exec()
        made = getattr(dialog, "recovery_code", None) is not None  # set once the account exists
        dialog.deleteLater()
        if made or self.wiz.ops.read(accounts.has_accounts):
            self.state.setText("✔ 已创建管理员账户。")
            self.create_button.setEnabled(False)
            self.wiz.record("已创建管理员账户（恢复码请打印后妥善保管）")


class TownshipPage(_StepPage):
    FIELDS = (("province", "省"), ("city", "市"), ("county", "县（市、区）"), ("township", "乡镇"))

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "乡镇和县", "填写本乡镇的名称，打印的表格、公示和导出文件都会用到。")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in self.FIELDS:
            edit = QLineEdit()
            edit.setMaxLength(40)
            self.edits[key] = edit
            form.addRow(label, edit)
        self.edits["county"].setPlaceholderText("例如：霍邱县")
        self.edits["township"].setPlaceholderText("例如：马店镇")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(_note("<span style='color:#5f6368'>以后可以在“系统设置”中修改。</span>"))
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        current = self.wiz.ops.read(settings_service.load)
        for key, edit in self.edits.items():
            edit.setText(getattr(current, key))

    def save(self, done: Callable[[Any], None]) -> Task | None:
        current = self.wiz.ops.read(settings_service.load)
        changes = {
            key: edit.text().strip()
            for key, edit in self.edits.items()
            if edit.text().strip() != getattr(current, key)
        }
        if not changes:
            return None

        def saved(settings: settings_service.TownshipSettings) -> None:
            self.wiz.record(f"乡镇：{settings.county}{settings.township}")
            done(settings)

        return settings_ops.save_township(
            self.wiz.ops, changes, parent=self, success=saved, user_error=self.refused
        )


class VillagesPage(_StepPage):
    EXAMPLE = "东坡村：一组、二组、三组\n西河村：5个组\n桃园社区"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "行政村和村民小组",
            "一行一个行政村，村名后写村民小组；也可以从 Excel 复制“村、组”两列粘贴进来。",
        )
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            "例如：\n" + self.EXAMPLE + "\n\n（从 Excel 粘贴：第一列村名，第二列组名）"
        )
        self.text.setTabChangesFocus(False)
        self.preview = QTextBrowser()
        self.existing_label = QLabel()
        self.existing_label.setWordWrap(True)
        self.existing_label.setStyleSheet("color:#5f6368")
        self.roster_button = QPushButton(icon("fa5s.file-import"), "从户籍名册导入…")
        self.roster_button.setToolTip("导入国家系统导出的户籍名册，名册中出现的行政村和村民小组一并建立")
        self.roster_button.clicked.connect(self.import_roster)
        self.text.textChanged.connect(self.update_preview)
        body = QHBoxLayout()
        body.addWidget(self.text, 1)
        body.addWidget(self.preview, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("或者："))
        row.addWidget(self.roster_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.existing_label)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self._existing: dict[str, set[str]] = {}

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.load_existing()
        self.update_preview()

    def load_existing(self) -> None:
        villages = self.wiz.ops.read(regions.list_villages)
        self._existing = {v.name: {g.name for g in v.groups} for v in villages}
        if villages:
            names = "、".join(v.name for v in villages[:12]) + ("…" if len(villages) > 12 else "")
            self.existing_label.setText(f"已有 {len(villages)} 个行政村：{names}")
        else:
            self.existing_label.setText("还没有行政村。")

    def parsed(self) -> ParsedPlaces:
        return parse_village_list(self.text.toPlainText())

    def update_preview(self) -> None:
        self.preview.setHtml(preview_html(self.parsed(), self._existing))

    def import_roster(self) -> None:
        before = self.wiz.ops.read(backups.counts)
        self.wiz.import_roster()
        after = self.wiz.ops.read(backups.counts)
        self.load_existing()
        self.update_preview()
        if after["households"] > before["households"]:
            self.wiz.roster_imported = True
            self.wiz.record(
                f"导入户籍名册：新增 {after['households'] - before['households']} 户，"
                f"行政村 {after['villages']} 个"
            )

    def save(self, done: Callable[[Any], None]) -> Task | None:
        parsed = self.parsed()
        if not parsed.villages:
            return None

        def saved(made: tuple[int, int]) -> None:
            self.wiz.record(f"新建行政村 {made[0]} 个、村民小组 {made[1]} 个")
            self.text.clear()
            done(made)

        return settings_ops.add_places(
            self.wiz.ops, parsed.villages, parent=self, success=saved, user_error=self.refused
        )


class ImportPage(_StepPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "导入户籍名册",
            "把国家防返贫监测信息系统导出的户籍名册（Excel）导入本程序，就不用逐户录入了。",
        )
        self.import_button = QPushButton(icon("fa5s.file-import"), "导入户籍名册…")
        self.import_button.clicked.connect(self.import_roster)
        self.state = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _note(
                "导入时可以选择名册中的列对应哪一项，先预览再写入；名册中出现、但还没有建立的行政村和"
                "村民小组可以一并建立。<br>没有名册时可以跳过，以后从菜单“数据—导入户籍名册”导入，"
                "或在“户籍台账”中逐户新增。"
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.show_counts()

    def show_counts(self) -> None:
        c = self.wiz.ops.read(backups.counts)
        self.state.setText(
            f"目前共有 {c['villages']} 个行政村、{c['households']:,} 户、{c['members']:,} 人。"
        )

    def import_roster(self) -> None:
        before = self.wiz.ops.read(backups.counts)["households"]
        self.wiz.import_roster()
        after = self.wiz.ops.read(backups.counts)["households"]
        self.show_counts()
        if after > before:
            self.wiz.roster_imported = True
            self.wiz.record(f"导入户籍名册：新增 {after - before:,} 户")


class ThresholdPage(_StepPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "当年监测收入标准",
            "监测范围（人均纯收入标准）按省、市当年文件填写，集中排查和识别监测对象时用它比较收入。",
        )
        today = wizard.today
        self._warned_amount = ""
        self.year = QSpinBox()
        self.year.setRange(thresholds.MIN_YEAR, today.year + 1)
        self.year.setValue(today.year)
        self.region = QLineEdit()
        self.region.setPlaceholderText("全国通用填“全国”，本省或本市的标准填地区名")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("例如：7600")
        self.document_no = QLineEdit()
        self.document_no.setPlaceholderText("例如：皖乡振发〔2026〕1号")
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.current.setStyleSheet("color:#5f6368")
        form = QFormLayout()
        form.addRow("年度", self.year)
        form.addRow("适用地区", self.region)
        form.addRow("监测范围（元/人·年）", self.amount)
        form.addRow("文号", self.document_no)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.current)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.year.valueChanged.connect(lambda _v: self.show_current())
        self.region.editingFinished.connect(self.show_current)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        settings = self.wiz.ops.read(settings_service.load)
        if not self.region.text():  # the city typed a step earlier, as cities usually set it
            self.region.setText(settings.threshold_region or settings.city or thresholds.NATIONAL)
        self.show_current()

    def _existing(self) -> thresholds.ThresholdRow | None:
        region = self.region.text().strip() or thresholds.NATIONAL
        for row in self.wiz.ops.read(thresholds.list_rows):
            if row.year == self.year.value() and row.region == region:
                return row
        return None

    def show_current(self) -> None:
        row = self._existing()
        if row is None:
            self.current.setText(f"{self.year.value()} 年的监测范围还没有填写。")
            return
        self.current.setText(
            f"已有：{row.year} 年 {row.region} {row.amount:,.0f} 元"
            + (f"（{row.document_no}）" if row.document_no else "")
            + "。填写新的金额会修改它。"
        )
        if not self.amount.text():
            self.amount.setText(f"{row.amount:.0f}")
            self.document_no.setText(row.document_no)

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        """An implausible amount is named once; 下一步 again with the same amount saves it."""
        text = self.amount.text().strip()
        warning = thresholds.implausible_amount(text) if text and not self.wiz.skipping else None
        if warning and text != self._warned_amount:
            self._warned_amount = text
            self.message.setText(f"{warning}；确认无误再点“下一步”。")
            return False
        return super().validatePage()

    def save(self, done: Callable[[Any], None]) -> Task | None:
        if not self.amount.text().strip():
            return None
        existing = self._existing()
        values = {
            "year": self.year.value(),
            "region": self.region.text().strip() or thresholds.NATIONAL,
            "amount": self.amount.text(),
            "document_no": self.document_no.text(),
        }
        if (
            existing is not None
            and existing.amount == thresholds.clean_amount(values["amount"])
            and (existing.document_no == values["document_no"].strip())
        ):
            return None

        def saved(threshold_id: int) -> None:
            self.wiz.record(f"{values['year']} 年监测范围：{values['region']} {values['amount']} 元")
            region = values["region"]
            if (
                region != thresholds.NATIONAL
                and self.wiz.ops.read(settings_service.load).threshold_region != region
            ):
                # a provincial or city figure applies to this township from now on
                settings_ops.save_township(
                    self.wiz.ops,
                    {"threshold_region": region},
                    parent=self,
                    success=lambda _s: (
                        self.wiz.record(f"本乡镇适用“{region}”的监测范围"),
                        done(threshold_id),
                    ),
                    user_error=self.refused,
                )
                return
            done(threshold_id)

        return settings_ops.save_threshold(
            self.wiz.ops,
            existing.id if existing else None,
            values,
            parent=self,
            success=saved,
            user_error=self.refused,
        )


class CampaignPage(_StepPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "集中排查批次（可选）",
            "每年集中排查前新建一个排查批次：年度、排查起止日期、收入统计期和监测范围。",
        )
        self.create_button = QPushButton(icon("fa5s.clipboard-check"), "新建排查批次…")
        self.create_button.clicked.connect(self.open_campaigns)
        self.state = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_note("现在不排查可以跳过；以后在“集中排查”页面新建。"))
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.show_campaigns()

    def show_campaigns(self) -> None:
        campaigns = self.wiz.ops.read(campaign_service.list_campaigns)
        self.state.setText(
            "已有排查批次：" + "、".join(c.name for c in campaigns[:4]) if campaigns else "还没有排查批次。"
        )

    def open_campaigns(self) -> None:
        before = len(self.wiz.ops.read(campaign_service.list_campaigns))
        self.wiz.open_campaigns()
        campaigns = self.wiz.ops.read(campaign_service.list_campaigns)
        self.show_campaigns()
        if len(campaigns) > before:
            self.wiz.record(f"新建排查批次：{campaigns[0].name}")


class SummaryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("完成")
        self.setSubTitle("以后可以从菜单“帮助—设置向导”再次打开本向导。")
        self.summary = QTextBrowser()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        done = self.wiz.done_steps
        c = self.wiz.ops.read(backups.counts)
        did = (
            "".join(f"<li>{item}</li>" for item in done)
            if done
            else "<li style='color:#5f6368'>本次没有修改（各步都跳过了）。</li>"
        )
        nexts = []
        if c["villages"] == 0:
            nexts.append("在“系统设置—行政村”中建立行政村和村民小组，或再次运行本向导。")
        if c["households"] == 0:
            nexts.append("导入户籍名册（菜单“数据—导入户籍名册”），或在“户籍台账”中点“新增户”逐户录入。")
        nexts += [
            "在“户籍台账”中查找、核对农户信息；在“数据核查”中点“开始核查”查找需要修改的数据。",
            "发现风险的农户在“监测对象”中新建线索，按程序识别、帮扶、消除风险。",
            "每天下班前备份（菜单“数据—备份数据库”，Ctrl+B），备份文件可复制到U盘另存。",
            "不会操作时按 F1 打开使用说明，它会打开当前页面的那一节。",
        ]
        self.summary.setHtml(
            "<h3>本次完成</h3><ul>" + did + "</ul>"
            f"<p>目前共有 {c['villages']} 个行政村、{c['groups']} 个村民小组、{c['households']:,} 户、"
            f"{c['members']:,} 人。</p>"
            "<h3>接下来</h3><ol>" + "".join(f"<li>{n}</li>" for n in nexts) + "</ol>"
        )


# --------------------------------------------------------------------------- the wizard


class SetupWizard(QWizard):
    """The first-day wizard over the window's operations (``window``: the main window that opened
    it); ``ctx`` is the running program (for the administrator account)."""

    def __init__(
        self,
        ctx: Any,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        window: Any = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.window_ = window if window is not None else parent
        self.today = today or dt.date.today()
        self.done_steps: list[str] = []
        self.skipping = False
        self.roster_imported = False
        self.setWindowTitle("设置向导")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "跳过此步")
        self.setButtonText(QWizard.WizardButton.NextButton, "保存，下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "关闭")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonLayout(
            [
                QWizard.WizardButton.Stretch,
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.CustomButton1,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.FinishButton,
                QWizard.WizardButton.CancelButton,
            ]
        )
        self.customButtonClicked.connect(lambda _which: self.skip())

        needs_admin = ctx is not None and ctx.role is None and not ops.read(accounts.has_accounts)
        self.admin_page = AdminPage(self) if needs_admin else None
        self.township_page = TownshipPage(self)
        self.villages_page = VillagesPage(self)
        self.import_page = ImportPage(self)
        self.threshold_page = ThresholdPage(self)
        self.campaign_page = CampaignPage(self)
        self.summary_page = SummaryPage(self)
        self.step_pages: list[QWizardPage] = [
            p
            for p in (
                self.admin_page,
                self.township_page,
                self.villages_page,
                self.import_page,
                self.threshold_page,
                self.campaign_page,
                self.summary_page,
            )
            if p is not None
        ]
        for page in self.step_pages:
            self.addPage(page)
        self.currentIdChanged.connect(self._page_changed)
        fit_to_screen(self, "setup_wizard", (780, 560))

    def _page_changed(self, _id: int) -> None:
        self.button(QWizard.WizardButton.CustomButton1).setVisible(
            self.currentPage() is not self.summary_page
        )
        # pages without anything to save say 下一步, not 保存
        saves = isinstance(self.currentPage(), (TownshipPage, VillagesPage, ThresholdPage))
        self.setButtonText(QWizard.WizardButton.NextButton, "保存，下一步 >" if saves else "下一步 >")

    def skip(self) -> None:
        """跳过此步: on to the next step without saving this one."""
        self.skipping = True
        try:
            self.next()
        finally:
            self.skipping = False

    def record(self, what: str) -> None:
        self.done_steps.append(what)

    # ---- what the steps open (tests replace them)

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def import_roster(self) -> None:
        """The import wizard, over this one (the window's ``import_roster`` opens the same wizard
        on the same operations: its write announces the new households to every page)."""
        from fanpin_desktop.ui.dialogs.import_wizard import ImportWizard

        wizard = ImportWizard(self.ops, self)
        wizard.exec()
        wizard.deleteLater()

    def open_campaigns(self) -> None:
        from fanpin_desktop.ui.dialogs.campaign_dialog import CampaignDialog

        dialog = CampaignDialog(self.ops, self, today=self.today)
        dialog.exec()
        dialog.deleteLater()


def should_show_on_start(ctx: Any, ops: Operations) -> bool:
    """On start: an empty database (no villages, no households), not the demo, writable."""
    if ctx.demo or ctx.read_only or ctx.role == accounts.VIEWER:
        return False
    return ops.read(backups.is_empty)
