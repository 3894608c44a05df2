"""Build a database in memory, then copy it whole into a new file: a first start's bulk writes stay in RAM.

DuckDB writes a file database's large inserts to disk as they happen, and measured on the first build that
costs about four times an in-memory insert; `COPY FROM DATABASE` then writes every table once, compressed.
The copy keeps tables, constraints, defaults and rows; a sequence is created in the file at its next value,
so ids given afterwards follow on (tests/integration/test_memory_build.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from store.db import Database

T = TypeVar("T")
_TARGET = "carrefours_target"


def copy_to_file(db: Database, path: Path) -> None:
    """Copy every table, sequence and row of `db` into a new database file at `path` (absent before)."""
    with db.read() as cur:
        source = cur.execute("SELECT current_database()").fetchone()[0]
        literal = "'" + str(path).replace("'", "''") + "'"  # ATTACH takes no parameter
        cur.execute(f"ATTACH {literal} AS {_TARGET}")
        try:
            cur.execute(f'COPY FROM DATABASE "{source}" TO {_TARGET}')
        finally:
            cur.execute(f"DETACH {_TARGET}")  # detaching writes the copy out and releases the file


def build_in_memory(path: Path, fill: Callable[[Database], T], progress=None) -> T:
    """Run `fill` on a new in-memory database, copy the result into `path`, and return what fill returned.

    progress(fraction, step), if given, is told when the copy starts. On any failure nothing is left
    open; the caller removes a partly written file.
    """
    db = Database(":memory:")
    try:
        result = fill(db)
        if progress is not None:
            progress(0.98, "Écriture de la base sur le disque")
        copy_to_file(db, path)
    finally:
        db.close()
    return result
