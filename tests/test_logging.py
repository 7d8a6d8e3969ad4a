"""The log file never holds a full identity number: messages, arguments and tracebacks."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading

import pytest

from fanpin_desktop.domain.ids import make_id, mask
from fanpin_desktop.logging_setup import (
    RedactingFilter,
    current_log_file,
    install_excepthook,
    setup_logging,
    shutdown_logging,
)

ID = make_id("341523", dt.date(1980, 1, 1), 123, female=False)


@pytest.fixture
def log_file(data_paths):
    path = setup_logging(data_paths)
    yield path
    shutdown_logging()


def read(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_lives_in_the_data_dir(log_file, data_paths):
    logging.getLogger("fanpin_desktop.test").info("hello")
    assert log_file == data_paths.logs / "fanpin.log"
    assert current_log_file() == log_file
    assert "hello" in read(log_file)


def test_id_in_message_and_arguments_is_masked(log_file):
    logger = logging.getLogger("fanpin_desktop.test")
    logger.info("member %s saved", ID)
    logger.warning(f"duplicate ID {ID} in two households")
    text = read(log_file)
    assert ID not in text
    assert text.count(ID[:6] + "********" + ID[-4:]) == 2
    assert ID[:6] + "********" + ID[-4:] == mask(ID)


def test_id_inside_traceback_is_masked(log_file):
    logger = logging.getLogger("fanpin_desktop.test")
    try:
        raise ValueError(f"cannot import row with ID {ID}")
    except ValueError:
        logger.exception("import failed")
    text = read(log_file)
    assert "Traceback" in text and "ValueError: cannot import row with ID" in text
    assert ID not in text
    assert mask(ID) in text


def test_uncaught_exception_is_logged_masked(log_file, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook()
    try:
        raise RuntimeError(f"bug while showing {ID}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    text = read(log_file)
    assert "uncaught exception" in text and "RuntimeError" in text
    assert ID not in text and mask(ID) in text


def test_uncaught_exception_in_thread_is_logged_masked(log_file, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook()

    def work():
        raise KeyError(ID)

    t = threading.Thread(target=work, name="worker-x")
    t.start()
    t.join()
    text = read(log_file)
    assert "worker-x" in text and ID not in text and mask(ID) in text


def test_filter_masks_records_for_any_handler():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s", (ID,), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"id={mask(ID)}"


def test_setup_twice_keeps_one_handler(data_paths):
    try:
        setup_logging(data_paths)
        setup_logging(data_paths)
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_fanpin_handler", False)]
        assert len(ours) == 1
    finally:
        shutdown_logging()
    assert current_log_file() is None


def test_qt_messages_reach_the_log(log_file, qapp):
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from fanpin_desktop.logging_setup import install_qt_message_handler

    previous = install_qt_message_handler()
    try:
        qWarning(f"qt says {ID}")
    finally:
        qInstallMessageHandler(previous)
    text = read(log_file)
    assert "qt says" in text and "WARNING" in text
    assert ID not in text
