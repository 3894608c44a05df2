"""Numbered, append-only SQL migrations recorded in the schema_migration table.

On PostgreSQL (store.postgres), DuckDB forwards each migration; where it cannot, `NNN_name.postgres.sql`
holds PostgreSQL's own SQL for it, run in its place. schema_migration records the same number, name and
checksum (of NNN_name.sql) on both backends; PostgreSQL also records each variant's checksum in
schema_migration_variant, so an edited variant is refused the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from store.db import Database, StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
VARIANT = ".postgres.sql"


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str
    postgres: str | None = None  # PostgreSQL's own SQL, run instead of sql on PostgreSQL

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL text, to detect an edited migration."""
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def postgres_checksum(self) -> str | None:
        """SHA-256 of the PostgreSQL variant, if any."""
        return hashlib.sha256(self.postgres.encode()).hexdigest() if self.postgres is not None else None


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files, in order; refuses duplicates and badly named files."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        if path.name.endswith(VARIANT):
            if not path.with_name(path.name.removesuffix(VARIANT) + ".sql").exists():
                raise StoreError(f"La migration PostgreSQL {path.name} n'a pas de migration {path.stem[:-9]}.sql.")
            continue
        match = _NAME.match(path.name)
        if not match:
            raise StoreError(f"Migration mal nommée : {path.name} (attendu NNN_nom.sql).")
        number = int(match.group(1))
        if number in found:
            raise StoreError(f"Deux migrations portent le numéro {number:03d}.")
        variant = path.with_name(path.stem + VARIANT)
        postgres = variant.read_text(encoding="utf-8") if variant.exists() else None
        found[number] = Migration(number, match.group(2), path.read_text(encoding="utf-8"), postgres)
    return [found[n] for n in sorted(found)]


LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    " number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
    " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
)
VARIANT_LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migration_variant (number INTEGER PRIMARY KEY, checksum VARCHAR NOT NULL)"
)


def apply(db: Database, cur, migration: Migration) -> None:
    """Run one migration in cur's transaction (its PostgreSQL variant on PostgreSQL) and record it."""
    native = db.backend == "postgres" and migration.postgres is not None
    if native:
        db.execute_native(cur, migration.postgres)
    else:
        cur.execute(migration.sql)
    cur.execute(
        "INSERT INTO schema_migration (number, name, checksum) VALUES (?, ?, ?)",
        [migration.number, migration.name, migration.checksum],
    )
    if native:
        cur.execute(
            "INSERT INTO schema_migration_variant (number, checksum) VALUES (?, ?)",
            [migration.number, migration.postgres_checksum],
        )


def migrate(db: Database, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied."""
    with db.transaction() as cur:
        cur.execute(LEDGER)
    postgres = db.backend == "postgres"
    if postgres:
        with db.transaction() as cur:
            cur.execute(VARIANT_LEDGER)
    with db.read() as cur:
        applied = dict(cur.execute("SELECT number, checksum FROM schema_migration").fetchall())
        variants = (
            dict(cur.execute("SELECT number, checksum FROM schema_migration_variant").fetchall()) if postgres else {}
        )
    done = []
    for migration in discover(directory):
        if migration.number in applied:
            variant_edited = postgres and variants.get(migration.number) != migration.postgres_checksum
            if applied[migration.number] != migration.checksum or variant_edited:
                raise StoreError(
                    f"La migration {migration.number:03d}_{migration.name} a été modifiée après "
                    "avoir été appliquée. Les migrations sont en ajout seul : créez-en une nouvelle."
                )
            continue
        with db.transaction() as cur:
            if postgres:  # another server starting at once may have applied it while this one waited
                db.hold_schema_lock(cur)
                if cur.execute("SELECT count(*) FROM schema_migration WHERE number = ?", [migration.number]).fetchone()[
                    0
                ]:
                    continue
            apply(db, cur, migration)
        done.append(f"{migration.number:03d}_{migration.name}")
    return done
