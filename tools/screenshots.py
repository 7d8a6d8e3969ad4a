"""Screenshots for the Chinese guide (``resources/guide/images/``), taken from the program itself.

    python tools/screenshots.py [--out DIR] [--households N] [--width 1000] [--only NAME ...]

Opens the main window offscreen at 1366×768, first on an empty database (the first day: empty
pages, the setup wizard, the import wizard), then on the demo township (every page and the main
dialogs), and saves one PNG per picture the guide uses, scaled to ``--width`` pixels at most
(small files: the guide ships with the program). Run it after changing a screen, look at the
pictures, and commit them. Nothing is written outside the output folder and a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

WIDTH, HEIGHT = 1366, 768
DEFAULT_OUT = ROOT / "resources" / "guide" / "images"
SHOWN_DATA_DIR = "%LOCALAPPDATA%\\FanpinDesktop\\"


class Shooter:
    def __init__(self, out: Path, width: int, only: set[str]) -> None:
        self.out = out
        self.width = width
        self.only = only
        self.saved: list[Path] = []
        self.shown_database = SHOWN_DATA_DIR + "fanpin.sqlite3"  # in the pictures' status bar

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def save(self, name: str, widget: QWidget) -> None:
        if not self.wanted(name):
            return
        app = QApplication.instance()
        for _ in range(3):
            app.processEvents()
        label = getattr(widget, "database_label", None)
        if label is not None:  # the temporary folder means nothing to a reader: show where it usually is
            label.setText(label.text().split("：")[0] + "：" + self.shown_database)
        image = widget.grab().toImage()
        if image.width() > self.width:
            image = image.scaledToWidth(self.width, Qt.TransformationMode.SmoothTransformation)
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        path = self.out / f"{name}.png"
        image.save(str(path), "PNG", 9)
        self.saved.append(path)
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB"
        )

    def dialog(self, name: str, make: Callable[[], QWidget], size: tuple[int, int] | None = None) -> None:
        """A dialog shown without its event loop, grabbed, closed."""
        if not self.wanted(name):
            return
        dialog = make()
        if size:
            dialog.resize(*size)
        dialog.show()
        self.save(name, dialog)
        dialog.close()
        dialog.deleteLater()


def _window(ctx, qsettings_file: Path):  # type: ignore[no-untyped-def]
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.tasks import TaskRunner

    window = MainWindow(
        ctx,
        TaskRunner(synchronous=True),
        qsettings=QSettings(str(qsettings_file), QSettings.Format.IniFormat),
    )
    window._first_shown = True  # the setup wizard is shot on its own
    window.setWindowState(Qt.WindowState.WindowNoState)  # not maximised to the offscreen 800×800
    window.resize(WIDTH, HEIGHT)
    window.show()
    return window


def first_day(shots: Shooter, folder: Path, roster: Path | None) -> None:
    from fanpin_desktop.context import open_app
    from fanpin_desktop.ui.dialogs.import_wizard import ImportWizard
    from fanpin_desktop.ui.dialogs.setup_wizard import SetupWizard

    ctx = open_app(folder / "empty", auto_backup=False)
    shots.shown_database = SHOWN_DATA_DIR + "fanpin.sqlite3"
    try:
        window = _window(ctx, folder / "empty.ini")
        window.show_page("registry")
        shots.save("first-registry-empty", window)

        wizard = SetupWizard(ctx, window.ops, window, window=window)
        wizard.inform = lambda *_a: None
        wizard.show()
        if wizard.admin_page is not None:
            shots.save("wizard-admin", wizard)
            wizard.skip()
        page = wizard.township_page
        page.edits["province"].setText("安徽省")
        page.edits["city"].setText("六安市")
        page.edits["county"].setText("霍邱县")
        page.edits["township"].setText("马店镇")
        shots.save("wizard-township", wizard)
        wizard.next()
        wizard.villages_page.text.setPlainText(
            "东坡村：一组、二组、三组、四组\n西河村：5个组\n桃园村\t一组\n桃园村\t二组\n马店社区"
        )
        shots.save("wizard-villages", wizard)
        wizard.next()
        wizard.skip()  # the roster import
        wizard.threshold_page.amount.setText("7600")
        wizard.threshold_page.document_no.setText("皖乡振发〔2026〕1号")
        shots.save("wizard-threshold", wizard)
        wizard.next()
        wizard.skip()
        shots.save("wizard-summary", wizard)
        wizard.close()
        if roster is not None and (shots.wanted("import-mapping") or shots.wanted("import-preview")):
            importer = ImportWizard(window.ops, window, path=roster)
            importer.resize(900, 640)
            importer.show()
            importer.next()  # the file read: the column mapping
            shots.save("import-mapping", importer)
            importer.next()  # checked: the preview
            importer.preview_page.create_places.setChecked(True)  # the roster's villages are new here
            shots.save("import-preview", importer)
            importer.close()
            importer.deleteLater()
        window.close()
    finally:
        ctx.close()


def demo(shots: Shooter, folder: Path, households: int) -> Path:
    """The demo township's pages and dialogs; its roster as a national-system file (for the
    import pictures of the first day)."""
    from fanpin_desktop.context import open_app
    from fanpin_desktop.services import households as household_service
    from fanpin_desktop.services.cases import listing
    from fanpin_desktop.services.cases.types import CaseQuery
    from fanpin_desktop.ui.dialogs.backup_dialog import BackupDialog
    from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor
    from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor
    from fanpin_desktop.ui.dialogs.national_dialog import NationalDialog

    ctx = open_app(folder / "demo", demo=True, demo_households=households, auto_backup=False)
    shots.shown_database = SHOWN_DATA_DIR + "demo\\fanpin.sqlite3"
    try:
        window = _window(ctx, folder / "demo.ini")
        ops = window.ops
        if "home" in window.pages:
            window.show_page("home")
            shots.save("home", window)
        window.show_page("registry")
        registry = window.pages["registry"]
        registry.view.selectRow(1)
        registry._show_details()  # the pane waits 80 ms after a selection otherwise
        shots.save("registry", window)
        first = registry.current_household_id()
        # its first tab: the 家庭成员 tab shows whole ID numbers (made up, but a shipped picture
        # shows none, as the registry's list masks them)
        shots.dialog("household-editor", lambda: HouseholdEditor(ops, first, window))

        window.show_page("cases")
        cases = window.pages["cases"]
        cases.tabs.setCurrentIndex(0)
        shots.save("cases-todo", window)
        cases.tabs.setCurrentIndex(1)
        cases.view.selectRow(0)
        shots.save("cases-list", window)
        case_ids = ops.read(listing.case_ids, CaseQuery())
        if case_ids:
            shots.dialog("case-editor", lambda: CaseEditor(ops, case_ids[0], window))
        options = ops.read(household_service.region_options)
        shots.dialog(
            "batch-print",
            lambda: BatchPrintDialog(ops, options, ctx.paths.exports, window, village_id=options[0].id),
        )
        shots.dialog("national", lambda: NationalDialog(ops, ctx.paths.exports, window))

        window.show_page("warnings")
        shots.save("warnings", window)
        window.show_page("screening")
        screening = window.pages["screening"]
        shots.save("screening", window)
        if shots.wanted("screening-form"):
            form = screening.make_form()
            form.resize(WIDTH - 40, HEIGHT - 60)
            form.show()
            shots.save("screening-form", form)
            form.close()
            form.deleteLater()
        screening.tabs.setCurrentIndex(2)
        shots.save("screening-stats", window)
        window.show_page("ledger")
        shots.save("ledger", window)
        window.show_page("quality")
        if shots.wanted("quality"):
            window.pages["quality"].run()
            window.pages["quality"].rule_view.selectRow(0)
        shots.save("quality", window)
        window.show_page("settings")
        shots.save("settings", window)
        from fanpin_desktop.services import backup as backups

        backups.backup(ctx.paths)
        shots.dialog("backup", lambda: BackupDialog(ctx.paths, window))
        window.close()
        from fanpin_desktop.services import roster_export

        roster = folder / "户籍名册.xlsx"
        with ctx.db.reading() as s:
            roster_export.export_roster(s, roster)
        return roster
    finally:
        ctx.close()


def pretend_a_township_screen() -> None:
    """Windows and dialogs are bounded by the screen (``ui.geometry``); the offscreen platform's
    screen is 800×800, so the pictures pretend the usual 1366×768 screen with its task bar."""
    from PySide6.QtCore import QRect

    from fanpin_desktop.ui import geometry

    geometry.available_geometry = lambda widget=None: QRect(0, 0, WIDTH, HEIGHT - 40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--households", type=int, default=400, help="demo township size")
    parser.add_argument("--width", type=int, default=1000, help="largest width of a picture in pixels")
    parser.add_argument("--only", nargs="*", default=[], help="only these pictures (names without .png)")
    args = parser.parse_args(argv)
    from fanpin_desktop.ui.app import make_application

    app = make_application([])  # the program's own font and Chinese Qt texts, as a clerk sees them
    app.setApplicationName("FanpinDesktop-screenshots")
    pretend_a_township_screen()
    args.out.mkdir(parents=True, exist_ok=True)
    shots = Shooter(args.out, args.width, set(args.only))
    with tempfile.TemporaryDirectory(prefix="fanpin-shots-") as tmp:
        roster = demo(shots, Path(tmp), args.households)
        first_day(shots, Path(tmp), roster)
    total = sum(p.stat().st_size for p in shots.saved)
    print(f"{len(shots.saved)} pictures, {total / 1024 / 1024:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
