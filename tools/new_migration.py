"""Create a new Alembic revision by comparing the models with a database at the current head.

python tools/new_migration.py "add something"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from fanpin_desktop.db import Database, alembic_config, migrate


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "head.sqlite3")
        migrate(db)
        command.revision(alembic_config(db.engine), message=sys.argv[1], autogenerate=True)
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
