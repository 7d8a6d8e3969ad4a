"""The member form (every field of 家庭成员) and the "move to another household" picker.

Both work on plain values: the member dialog edits a copy of a ``MemberDraft`` and hands it
back; nothing is stored until the household editor saves its one unit of work.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import enums, ids
from fanpin_desktop.domain.facts import Issue
from fanpin_desktop.services import households as svc
from fanpin_desktop.services.households import MemberDraft
from fanpin_desktop.ui.common import ask_discard, ask_yes_no, ok_cancel_buttons
from fanpin_desktop.ui.geometry import fit_to_screen, show_whole_items
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.table_models.base import Column, RowsModel
from fanpin_desktop.ui.widgets import OptionalDateEdit, OptionalSpinBox, ValueCombo

HEALTH_ITEMS = ("健康", "长期慢性病", "患有大病", "残疾")
INSURANCE_FIELDS = (
    ("ins_resident_medical", "城乡居民基本医疗保险"),
    ("ins_employee_medical", "职工基本医疗保险"),
    ("ins_critical_illness", "大病保险"),
    ("ins_commercial", "商业补充医疗保险"),
    ("medical_assistance", "医疗救助"),
    ("pension_resident", "城乡居民基本养老保险"),
    ("pension_employee", "职工基本养老保险"),
)
ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"
OK_STYLE = "color: #2e7d32;"


def issues_html(issues: list[Issue], limit: int = 8) -> str:
    lines = []
    for i in issues[:limit]:
        colour = "#b3261e" if i.is_error else "#8a5a00"
        mark = "错误" if i.is_error else "提示"
        lines.append(f'<span style="color:{colour}">【{mark}】{_escape(i.message)}</span>')
    if len(issues) > limit:
        lines.append(f"……另有{len(issues) - limit}条")
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MemberDialog(QDialog):
    """Add or edit one member. ``member()`` returns the edited copy after ``accept``.

    ``check_id(number) -> message | None`` lets the caller report an ID number already used in
    another household before the clerk goes on (the save checks it again).
    """

    def __init__(
        self,
        member: MemberDraft,
        parent: QWidget | None = None,
        *,
        title: str = "",
        check_id: Callable[[str], str | None] | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = member
        self._member = copy.deepcopy(member)
        self._check_id = check_id
        self._today = today or dt.date.today()
        self._loading = True
        self.setWindowTitle(title or ("编辑成员" if member.id or member.name else "添加成员"))
        fit_to_screen(self, "member", (940, 0))
        self.setModal(True)
        e = enums.current()

        # --- 基本信息
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.relation = ValueCombo(e.values("relations"))
        self.id_type = ValueCombo(e.values("id_types"), blank=False)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(30)
        self.id_number.setPlaceholderText("18位身份证号码，最后一位可以是X")
        self.id_status = QLabel()
        self.id_status.setWordWrap(True)
        self.sex = ValueCombo(e.values("sexes"))
        self.birth_date = OptionalDateEdit()
        self.birth_date.setMinimumWidth(120)
        show_whole_items(self.sex)  # "（未填）" whole, also when the errors below take room
        self.code = QLineEdit()
        self.code.setMaxLength(30)
        self.ethnicity = ValueCombo(e.values("ethnicities"))
        self.political_status = ValueCombo(e.values("political_statuses"))
        self.phone = QLineEdit()
        self.phone.setMaxLength(20)
        self.phone.setPlaceholderText("11位手机号码")

        basic = QGroupBox("基本信息")
        form = QFormLayout(basic)
        form.addRow("姓名*", self.name)
        form.addRow("与户主关系*", self.relation)
        form.addRow("证件类型", self.id_type)
        form.addRow("证件号码*", self.id_number)
        form.addRow("", self.id_status)
        sex_birth = QHBoxLayout()
        sex_birth.addWidget(self.sex)
        sex_birth.addWidget(QLabel("出生日期"))
        sex_birth.addWidget(self.birth_date, 1)
        form.addRow("性别", sex_birth)
        form.addRow("民族", self.ethnicity)
        form.addRow("政治面貌", self.political_status)
        form.addRow("联系电话", self.phone)
        form.addRow("人编号", self.code)

        # --- 文化程度 / 在校生状况 (exactly one)
        self.not_student = QRadioButton("非在校生，文化程度")
        self.student = QRadioButton("在校生，在校生状况")
        self._edu_group = QButtonGroup(self)
        self._edu_group.addButton(self.not_student)
        self._edu_group.addButton(self.student)
        self.education = ValueCombo(e.values("education"))
        self.schooling = ValueCombo(e.values("schooling"))
        edu = QGroupBox("文化程度 / 在校生状况（二者填一项）")
        edu_grid = QGridLayout(edu)
        edu_grid.addWidget(self.not_student, 0, 0)
        edu_grid.addWidget(self.education, 0, 1)
        edu_grid.addWidget(self.student, 1, 0)
        edu_grid.addWidget(self.schooling, 1, 1)
        edu_grid.setColumnStretch(1, 1)

        # --- 健康状况
        self.health_boxes = {item: QCheckBox(item) for item in HEALTH_ITEMS}
        self.disability_category = ValueCombo(e.values("disability_categories"))
        self.disability_grade = ValueCombo(e.values("disability_grades"))
        self.disability_cert_no = QLineEdit()
        self.disability_cert_no.setMaxLength(22)
        self.disability_cert_no.setPlaceholderText("20或22位残疾人证号")
        self.labour_skill = ValueCombo(e.values("labour_skills"))
        health = QGroupBox("健康与劳动能力")
        health_form = QFormLayout(health)
        boxes = QHBoxLayout()
        for box in self.health_boxes.values():
            boxes.addWidget(box)
        boxes.addStretch(1)
        health_form.addRow("健康状况", boxes)
        dis = QHBoxLayout()
        dis.addWidget(self.disability_category, 1)
        dis.addWidget(self.disability_grade)
        health_form.addRow("残疾类别/等级", dis)
        health_form.addRow("残疾人证号", self.disability_cert_no)
        health_form.addRow("劳动技能", self.labour_skill)

        # --- 务工与公益岗位
        self.work_status = ValueCombo(e.values("work_statuses"))
        self.work_place = QLineEdit()
        self.work_place.setMaxLength(60)
        self.work_months = OptionalSpinBox(1, 12)
        self.work_months.setSuffix(" 个月")
        self.work_employer = QLineEdit()
        self.work_employer.setMaxLength(80)
        self.public_post_type = ValueCombo(e.values("public_post_types"))
        self.public_post_months = OptionalSpinBox(1, 12)
        self.public_post_months.setSuffix(" 个月")
        self.public_post_months.setMinimumWidth(80)
        work = QGroupBox("务工与公益岗位")
        work_form = QFormLayout(work)
        work_form.addRow("务工状况", self.work_status)
        work_form.addRow("务工所在地", self.work_place)
        work_form.addRow("务工时间（月）", self.work_months)
        work_form.addRow("务工企业名称", self.work_employer)
        post = QHBoxLayout()
        post.addWidget(self.public_post_type, 1)
        post.addWidget(self.public_post_months)
        work_form.addRow("公益岗位/月数", post)

        # --- 保障
        self.insurance = {name: QCheckBox(label) for name, label in INSURANCE_FIELDS}
        self.dibao = QCheckBox("低保")
        self.tekun = QCheckBox("特困供养")
        cover = QGroupBox("保险与兜底保障")
        cover_grid = QGridLayout(cover)
        for i, box in enumerate([*self.insurance.values(), self.dibao, self.tekun]):
            cover_grid.addWidget(box, i // 3, i % 3)

        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("备注")
        self.note.setFixedHeight(48)
        self.note.setTabChangesFocus(True)

        self.issues = QLabel()
        self.issues.setWordWrap(True)
        self.issues.setTextFormat(Qt.TextFormat.RichText)
        self.issues.setMinimumHeight(36)
        self.issues.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.buttons = ok_cancel_buttons(self)

        left = QVBoxLayout()
        left.addWidget(basic)
        left.addWidget(edu)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(health)
        right.addWidget(work)
        right.addWidget(cover)
        right.addWidget(self.note)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addWidget(self.issues)
        outer.addWidget(self.buttons)

        chain = (
            self.name,
            self.relation,
            self.id_type,
            self.id_number,
            self.sex,
            self.birth_date,
            self.ethnicity,
            self.political_status,
            self.phone,
            self.code,
            self.not_student,
            self.education,
            self.student,
            self.schooling,
            *self.health_boxes.values(),
            self.disability_category,
            self.disability_grade,
            self.disability_cert_no,
            self.labour_skill,
            self.work_status,
            self.work_place,
            self.work_months,
            self.work_employer,
            self.public_post_type,
            self.public_post_months,
            *self.insurance.values(),
            self.dibao,
            self.tekun,
            self.note,
        )
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self._load(self._member)
        self._connect()
        self._loading = False
        self._on_id_changed()
        self._update_enabled()
        self._refresh_issues()
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)
        self.name.setFocus()

    # ------------------------------------------------------------------ loading and reading

    def _load(self, m: MemberDraft) -> None:
        self.name.setText(m.name)
        self.relation.set_value(m.relation or None)
        self.id_type.set_value(m.id_type or "居民身份证")
        self.id_number.setText(m.id_number)
        self.sex.set_value(m.sex)
        self.birth_date.set_optional_date(m.birth_date)
        self.code.setText(m.code)
        self.ethnicity.set_value(m.ethnicity)
        self.political_status.set_value(m.political_status)
        self.phone.setText(m.phone or "")
        if m.schooling:
            self.student.setChecked(True)
        else:
            self.not_student.setChecked(True)
        self.education.set_value(m.education)
        self.schooling.set_value(m.schooling)
        parts = m.health_items
        for item, box in self.health_boxes.items():
            box.setChecked(item in parts)
        self.disability_category.set_value(m.disability_category)
        self.disability_grade.set_value(m.disability_grade)
        self.disability_cert_no.setText(m.disability_cert_no or "")
        self.labour_skill.set_value(m.labour_skill)
        self.work_status.set_value(m.work_status)
        self.work_place.setText(m.work_place or "")
        self.work_months.set_optional_value(m.work_months)
        self.work_employer.setText(m.work_employer or "")
        self.public_post_type.set_value(m.public_post_type)
        self.public_post_months.set_optional_value(m.public_post_months)
        for name, box in self.insurance.items():
            box.setChecked(bool(getattr(m, name)))
        self.dibao.setChecked(m.dibao)
        self.tekun.setChecked(m.tekun)
        self.note.setPlainText(m.note or "")

    def _read(self) -> MemberDraft:
        m = copy.deepcopy(self._member)
        m.name = self.name.text().strip()
        m.relation = self.relation.value() or ""
        m.id_type = self.id_type.value() or "居民身份证"
        m.id_number = self.id_number.text().strip()
        m.sex = self.sex.value()
        m.birth_date = self.birth_date.optional_date()
        m.code = self.code.text().strip()
        m.ethnicity = self.ethnicity.value()
        m.political_status = self.political_status.value()
        m.phone = self.phone.text().strip() or None
        if self.student.isChecked():
            m.schooling, m.education = self.schooling.value(), None
        else:
            m.education, m.schooling = self.education.value(), None
        parts = [item for item, box in self.health_boxes.items() if box.isChecked()]
        m.health = "、".join(parts) or None
        disabled = "残疾" in parts
        m.disability_category = self.disability_category.value() if disabled else None
        m.disability_grade = self.disability_grade.value() if disabled else None
        m.disability_cert_no = (self.disability_cert_no.text().strip() or None) if disabled else None
        m.labour_skill = self.labour_skill.value()
        m.work_status = self.work_status.value()
        m.work_place = self.work_place.text().strip() or None
        m.work_months = self.work_months.optional_value()
        m.work_employer = self.work_employer.text().strip() or None
        m.public_post_type = self.public_post_type.value()
        m.public_post_months = self.public_post_months.optional_value() if m.public_post_type else None
        for name, box in self.insurance.items():
            setattr(m, name, box.isChecked())
        m.dibao = self.dibao.isChecked()
        m.tekun = self.tekun.isChecked()
        m.note = self.note.toPlainText().strip() or None
        return m

    def member(self) -> MemberDraft:
        return self._member

    # ------------------------------------------------------------------ behaviour

    def _connect(self) -> None:
        self.id_number.textChanged.connect(self._on_id_changed)
        self.id_type.valueChanged.connect(self._on_id_changed)
        self.not_student.toggled.connect(self._update_enabled)
        for item, box in self.health_boxes.items():
            box.toggled.connect(lambda on, item=item: self._on_health(item, on))
        self.public_post_type.valueChanged.connect(self._update_enabled)
        self._issue_timer = QTimer(self)
        self._issue_timer.setSingleShot(True)
        self._issue_timer.setInterval(120)
        self._issue_timer.timeout.connect(self._refresh_issues)
        for w in self.findChildren(QLineEdit):
            w.textChanged.connect(self._issue_timer.start)
        for w in self.findChildren(ValueCombo):
            w.valueChanged.connect(self._issue_timer.start)
        for w in self.findChildren(QCheckBox):
            w.toggled.connect(self._issue_timer.start)
        for w in (self.work_months, self.public_post_months):
            w.valueChanged.connect(self._issue_timer.start)
        self.birth_date.dateChanged.connect(self._issue_timer.start)
        self.not_student.toggled.connect(self._issue_timer.start)

    def _on_health(self, item: str, on: bool) -> None:
        if self._loading or not on:
            self._update_enabled()
            return
        # 健康 excludes the others, and any other excludes 健康.
        if item == "健康":
            for other, box in self.health_boxes.items():
                if other != "健康":
                    box.setChecked(False)
        else:
            self.health_boxes["健康"].setChecked(False)
        self._update_enabled()

    def _update_enabled(self) -> None:
        student = self.student.isChecked()
        self.schooling.setEnabled(student)
        self.education.setEnabled(not student)
        disabled = self.health_boxes["残疾"].isChecked()
        for w in (self.disability_category, self.disability_grade, self.disability_cert_no):
            w.setEnabled(disabled)
        self.public_post_months.setEnabled(bool(self.public_post_type.value()))

    def _on_id_changed(self) -> None:
        """Fill sex and birth date from a valid number, and say what is wrong with an invalid one."""
        text = self.id_number.text().strip()
        checked = (self.id_type.value() or "居民身份证") in svc.ID_TYPES_CHECKED
        if not text:
            self.id_status.setText("请填写证件号码" if checked else "")
            self.id_status.setStyleSheet(WARNING_STYLE)
            self.sex.setEnabled(True)
            self.birth_date.setEnabled(True)
            return
        try:
            info = ids.parse(text, self._today)
        except ids.IdNumberError as exc:
            complete = len(ids.normalize(text)) >= 18
            self.id_status.setText(
                str(exc) if complete or not checked else f"已输入{len(ids.normalize(text))}位"
            )
            self.id_status.setStyleSheet(ERROR_STYLE if complete and checked else WARNING_STYLE)
            self.sex.setEnabled(True)
            self.birth_date.setEnabled(True)
            return
        self.sex.set_value(info.sex)
        self.birth_date.set_optional_date(info.birth_date)
        self.sex.setEnabled(False)  # the number decides
        self.birth_date.setEnabled(False)
        age = ids.age_on(info.birth_date, self._today)
        note = "（由15位号码转换）" if info.converted_from_15 else ""
        note += "（残疾人证号）" if info.is_disability_cert else ""
        self.id_status.setText(f"号码有效：{info.sex}，{info.birth_date.isoformat()}出生，{age}岁{note}")
        self.id_status.setStyleSheet(OK_STYLE)
        clash = self._check_id(info.number) if self._check_id is not None else None
        if clash:  # flagged as soon as typed, not only on 确定
            self.id_status.setText(clash)
            self.id_status.setStyleSheet(ERROR_STYLE)

    def current_issues(self) -> list[Issue]:
        issues = svc.validate_member_draft(self._read(), self._today)
        number = ids.normalize(self.id_number.text().strip())
        if self._check_id is not None and number and not any(i.field == "id_number" for i in issues):
            clash = self._check_id(number)
            if clash:  # listed below with the others, as the field itself shows it
                issues.append(Issue("M_ID_DUPLICATE", "id_number", clash))
        return issues

    def _refresh_issues(self) -> None:
        issues = self.current_issues()
        self.issues.setText(
            issues_html(issues, limit=4) if issues else f'<span style="{OK_STYLE}">没有发现问题</span>'
        )

    # ------------------------------------------------------------------ accept

    _FIELD_WIDGETS = {
        "name": "name",
        "relation": "relation",
        "id_number": "id_number",
        "id_type": "id_type",
        "sex": "sex",
        "birth_date": "birth_date",
        "education": "education",
        "schooling": "schooling",
        "disability_category": "disability_category",
        "disability_grade": "disability_grade",
        "disability_cert_no": "disability_cert_no",
        "labour_skill": "labour_skill",
        "work_status": "work_status",
        "work_months": "work_months",
        "work_place": "work_place",
        "phone": "phone",
        "public_post_type": "public_post_type",
        "ethnicity": "ethnicity",
        "political_status": "political_status",
        "ins_resident_medical": "name",
        "health": "name",
    }

    def _focus_field(self, field_name: str) -> None:
        if field_name == "health":
            self.health_boxes["健康"].setFocus()
            return
        if field_name == "ins_resident_medical":
            self.insurance["ins_resident_medical"].setFocus()
            return
        attr = self._FIELD_WIDGETS.get(field_name)
        widget = getattr(self, attr, None) if attr else None
        if isinstance(widget, QWidget):
            if not widget.isEnabled() and field_name in ("education", "schooling"):
                (self.student if field_name == "schooling" else self.not_student).setChecked(True)
            widget.setFocus()

    def accept(self) -> None:
        member = self._read()
        issues = svc.validate_member_draft(member, self._today)
        errors = [i for i in issues if i.is_error]
        if errors:
            QMessageBox.warning(
                self,
                "成员信息有误",
                "请修改以下问题后再确定：\n\n" + "\n".join(f"· {i.message}" for i in errors),
            )
            self._focus_field(errors[0].field)
            return
        if self._check_id is not None and member.id_number:
            clash = self._check_id(member.id_number)
            if clash:
                QMessageBox.warning(self, "证件号码重复", clash)
                self.id_number.setFocus()
                return
        warnings = [i for i in issues if not i.is_error]
        if warnings:
            if not ask_yes_no(
                self,
                "请核实",
                "以下情况需要核实：\n\n" + "\n".join(f"· {i.message}" for i in warnings) + "\n\n仍然确定吗？",
            ):
                self._focus_field(warnings[0].field)
                return
        self._member = member
        super().accept()

    def is_changed(self) -> bool:
        read = self._read()
        try:
            svc.normalise_member_id(read, self._today)
        except ids.IdNumberError:
            pass
        original = copy.deepcopy(self._original)
        try:
            svc.normalise_member_id(original, self._today)
        except ids.IdNumberError:
            pass
        return dataclasses.asdict(read) != dataclasses.asdict(original)

    def reject(self) -> None:
        if self.is_changed() and not ask_discard(self, "成员信息已修改，确定放弃这些修改吗？"):
            return
        super().reject()


# --------------------------------------------------------------------------- move picker


class _HouseholdListModel(RowsModel):
    """The households found, ``(id, label)`` each, in one column (shown by a list view)."""

    COLUMNS = (Column("户", lambda item: item[1]),)
    NUMBERED_ROWS = False

    def set_items(self, items: list[tuple[int, str]]) -> None:
        self.set_rows(items)

    def item(self, row: int) -> tuple[int, str] | None:
        return self.row_data(row)

    def row_id(self, row: tuple[int, str]) -> int | None:
        return row[0]


class MoveMemberDialog(QDialog):
    """Pick the household a member moves to, and the member's relation to that head."""

    LIMIT = 50

    def __init__(
        self,
        ops: Operations,
        member_name: str,
        exclude_household_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self._exclude = exclude_household_id
        self.setWindowTitle(f"把“{member_name}”迁移到其他户")
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入迁入户成员的姓名、身份证号、电话或户编号")
        self.search.setClearButtonEnabled(True)
        self.results_model = _HouseholdListModel(parent=self)
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setMinimumHeight(180)
        self.relation = ValueCombo([r for r in enums.current().values("relations") if r != svc.HEAD])
        self.hint = QLabel("迁移在保存本户时生效；迁入户的户主不变。")
        self.hint.setWordWrap(True)
        buttons = ok_cancel_buttons(self)
        form = QFormLayout()
        form.addRow("查找迁入户", self.search)
        form.addRow("", self.results)
        form.addRow("在迁入户中的与户主关系", self.relation)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._search)
        self.search.textChanged.connect(self._timer.start)
        fit_to_screen(self, "move_member", (460, 380))

    def _search(self) -> None:
        text = self.search.text().strip()
        items = self.ops.read(svc.household_choices, text, self._exclude, self.LIMIT) if text else []
        self.results_model.set_items(items)
        if items:
            self.results.setCurrentIndex(self.results_model.index(0, 0))

    def choice(self) -> tuple[int, str, str] | None:
        """(household id, relation, label) of the chosen household."""
        item = self.results_model.item(self.results.currentIndex().row())
        relation = self.relation.value()
        if item is None or not relation:
            return None
        return item[0], relation, item[1]

    def accept(self) -> None:
        if self.results_model.item(self.results.currentIndex().row()) is None:
            QMessageBox.warning(self, "迁移成员", "迁入户：请先查找并选中迁入的户")
            self.search.setFocus()
            return
        if not self.relation.value():
            QMessageBox.warning(self, "迁移成员", "与户主关系：请选择该成员在迁入户中的与户主关系")
            self.relation.setFocus()
            return
        super().accept()
