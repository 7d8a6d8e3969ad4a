"""PySide6 user interface: main window, pages, dialogs, item models, background tasks."""
