"""Every filesystem location the program uses, resolved in one place.

Order of precedence for the data directory: an explicit override (``--data-dir`` or
``FANPIN_DATA_DIR``), then portable mode (a ``data`` folder beside the program containing a
``portable`` marker file, or beside the frozen executable), then the per-user data directory
from platformdirs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from fanpin_desktop import APP_NAME

DB_FILENAME = "fanpin.sqlite3"
PORTABLE_MARKER = "portable"


def program_dir() -> Path:
    """The folder the program runs from (the frozen executable's folder, or the repo root)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def resource_dir() -> Path:
    """Where ``resources/`` lives, in a source checkout and in a PyInstaller bundle alike."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def portable_data_dir() -> Path | None:
    candidate = program_dir() / "data"
    if (candidate / PORTABLE_MARKER).exists():
        return candidate
    return None


@dataclass(frozen=True)
class DataPaths:
    """The data directory and everything inside it."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "fanpin.log"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> DataPaths:
        """Create the folders, for this user only where the OS allows (0700 on POSIX: the database
        holds ID numbers; an existing data folder is tightened too; Windows keeps its ACLs, the
        per-user data directory is already private there)."""
        for folder in (self.root, self.backups, self.logs, self.exports):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            try:
                if self.root.stat().st_mode & 0o077:
                    self.root.chmod(0o700)
            except OSError:  # a FAT-formatted USB stick has no modes; not ours to change
                pass
        return self


def resolve_data_paths(override: str | os.PathLike[str] | None = None) -> DataPaths:
    if override:
        return DataPaths(Path(override).expanduser().resolve())
    env = os.environ.get("FANPIN_DATA_DIR")
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    portable = portable_data_dir()
    if portable is not None:
        return DataPaths(portable)
    return DataPaths(Path(user_data_dir(APP_NAME, appauthor=False, roaming=False)))
