"""Dialogs opened from the main window and the pages."""
