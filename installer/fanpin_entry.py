"""Entry script for the frozen program (PyInstaller needs a file, not a module path)."""

import sys

from fanpin_desktop.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
