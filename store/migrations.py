"""Numbered, append-only SQL migrations recorded in the schema_migration table."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from store.db import Database, StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL text, to detect an edited migration."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files, in order; refuses duplicates and badly named files."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise StoreError(f"Migration mal nommée : {path.name} (attendu NNN_nom.sql).")
        number = int(match.group(1))
        if number in found:
            raise StoreError(f"Deux migrations portent le numéro {number:03d}.")
        found[number] = Migration(number, match.group(2), path.read_text(encoding="utf-8"))
    return [found[n] for n in sorted(found)]


def migrate(db: Database, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied."""
    with db.transaction() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            " number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
    with db.read() as cur:
        applied = dict(cur.execute("SELECT number, checksum FROM schema_migration").fetchall())
    done = []
    for migration in discover(directory):
        if migration.number in applied:
            if applied[migration.number] != migration.checksum:
                raise StoreError(
                    f"La migration {migration.number:03d}_{migration.name} a été modifiée après "
                    "avoir été appliquée. Les migrations sont en ajout seul : créez-en une nouvelle."
                )
            continue
        with db.transaction() as cur:
            cur.execute(migration.sql)
            cur.execute(
                "INSERT INTO schema_migration (number, name, checksum) VALUES (?, ?, ?)",
                [migration.number, migration.name, migration.checksum],
            )
        done.append(f"{migration.number:03d}_{migration.name}")
    return done
