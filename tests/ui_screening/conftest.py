"""Fixtures of the screening and ledger window tests: a small demo township copied per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402

from fanpin_desktop.demo import build_demo  # noqa: E402
from fanpin_desktop.paths import DataPaths  # noqa: E402

DEMO_HOUSEHOLDS = 150


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    path, _ = build_template(
        tmp_path_factory.mktemp("ui_screening_demo"),
        # nobody screened yet: the entry tests start from a campaign's first household
        lambda database: build_demo(database, households=DEMO_HOUSEHOLDS, screenings=False),
    )
    return path


@pytest.fixture
def db(demo_template, data_paths: DataPaths):
    database = open_copy(demo_template, data_paths.database)
    yield database
    database.dispose()


@pytest.fixture
def files(monkeypatch, data_paths):
    """QFileDialog answers with a path in exports/; opening files in the system viewer is recorded."""
    from PySide6.QtWidgets import QFileDialog

    from fanpin_desktop.services import open_file as open_file_service

    state = {"save": None, "open": None, "opened": [], "asked": []}

    def save_name(_parent, title, default, _filter=""):
        state["asked"].append((title, default))
        target = state["save"] or default
        return str(target), ""

    def open_name(_parent, title, _folder="", _filter=""):
        state["asked"].append((title, ""))
        return (str(state["open"]) if state["open"] else ""), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
    monkeypatch.setattr(open_file_service, "open_file", lambda path, **_k: state["opened"].append(path))
    return state


@pytest.fixture(autouse=True)
def quiet_file_messages(monkeypatch):
    """The 'export finished — open it?' box is modal: record it instead."""
    from fanpin_desktop.ui.pages.screening.actions import FileJobs

    def offer_open(self, title, text, path):
        self.last_path = path
        self.messages.append((title, text))

    def inform(self, title, text):
        self.messages.append((title, text))

    monkeypatch.setattr(FileJobs, "offer_open", offer_open)
    monkeypatch.setattr(FileJobs, "inform", inform)
