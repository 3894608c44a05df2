"""A Carrefours database in PostgreSQL: built in one transaction (nothing half-built), migrated, opened.

The content is built exactly as for the DuckDB file (in memory, then written to a temporary file); that
file is then attached read-only and copied table by table into PostgreSQL, inside the same transaction as
the migrations that create its tables. The same copy will move an existing DuckDB file to PostgreSQL.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from store import meta
from store.db import StoreError
from store.memory_build import build_in_memory
from store.migrations import LEDGER, VARIANT_LEDGER, apply, discover, migrate
from store.postgres import CATALOG, PostgresDatabase, redact

SOURCE = "carrefours_source"  # the DuckDB file copied in, attached read-only under this name
LEDGERS = ("schema_migration", "schema_migration_variant")
Verify = Callable[[object, dict[str, int]], None]


def _silent(fraction: float, step: str) -> None:
    """The default progress report: none."""


def _tables(cur) -> list[str]:
    """The tables of PostgreSQL's public schema."""
    rows = cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'public'"
        " ORDER BY table_name",
        [CATALOG],
    ).fetchall()
    return [r[0] for r in rows]


def is_carrefours(db: PostgresDatabase) -> bool:
    """Whether the PostgreSQL database holds a Carrefours schema (its first migration recorded)."""
    with db.read() as cur:
        if "schema_migration" not in _tables(cur):
            return False
        first = discover()[0]
        return (
            cur.execute(
                "SELECT count(*) FROM schema_migration WHERE number = ? AND checksum = ?",
                [first.number, first.checksum],
            ).fetchone()[0]
            == 1
        )


def _drop(db: PostgresDatabase, cur, tables: list[str], sequences: list[str]) -> None:
    """Drop Carrefours' own tables and sequences (never a table it did not create)."""
    statements = [f'DROP TABLE IF EXISTS "{t}" CASCADE' for t in tables]
    statements += [f'DROP SEQUENCE IF EXISTS "{s}"' for s in sequences]
    db.execute_native(cur, "; ".join(statements))


def copy_into(db: PostgresDatabase, cur) -> dict[str, int]:
    """Copy every row of the attached DuckDB file into the same tables in PostgreSQL; counts by table."""
    counts: dict[str, int] = {}
    tables = cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY table_name", [SOURCE]
    ).fetchall()
    for (table,) in tables:
        if table in LEDGERS:
            continue  # written by the migrations themselves
        columns = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?"
                " ORDER BY column_index",
                [SOURCE, table],
            ).fetchall()
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        # The rows a migration seeds (rollup_state's version 0) are the file's own to give.
        cur.execute(f'DELETE FROM {CATALOG}.public."{table}"')
        cur.execute(f'INSERT INTO {CATALOG}.public."{table}" ({names}) SELECT {names} FROM {SOURCE}."{table}"')
        counts[table] = cur.execute(f'SELECT count(*) FROM {SOURCE}."{table}"').fetchone()[0]
    sequences = cur.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ?", [SOURCE]
    ).fetchall()
    for name, last in sequences:
        if last is not None:  # ids given afterwards follow on, as in the DuckDB file
            db.execute_native(cur, f"SELECT setval('\"{name}\"', {int(last)})")
    return counts


def load_file(
    db: PostgresDatabase, source: Path, *, replace: bool = False, verify: Verify | None = None
) -> dict[str, int]:
    """In one transaction: drop an old Carrefours schema if asked, migrate, copy `source` in, verify(cur, counts)."""
    existing = is_carrefours(db)
    with db.read() as cur:
        present = _tables(cur)
    if existing and not replace:
        raise StoreError(
            f"La base PostgreSQL {db} existe déjà : elle contient déjà une base Carrefours. Ajoutez --force pour la remplacer "
            "(toutes ses données seront perdues)."
        )
    if present and not existing:
        shown = ", ".join(present[:8]) + (" …" if len(present) > 8 else "")
        raise StoreError(
            f"La base PostgreSQL {db} contient des tables qui ne sont pas celles de Carrefours ({shown}). "
            "Carrefours n'y a rien écrit : indiquez une base vide dans CARREFOURS_DATABASE_URL."
        )
    literal = "'" + str(source).replace("'", "''") + "'"  # ATTACH takes no parameter
    with db.read() as cur:
        cur.execute(f"ATTACH {literal} AS {SOURCE} (READ_ONLY)")
    try:
        counts = _replace_with(db, existing, verify)
    finally:
        with db.read() as cur:
            cur.execute(f"DETACH {SOURCE}")
    # PostgreSQL's planner statistics now, not at autovacuum's next pass: without them it sorted on disk
    # what it could hash (a national read of the sources of the values: 11 s instead of 2 s).
    with db.transaction() as cur:
        db.execute_native(cur, "ANALYZE")
    return counts


class BuiltElsewhere(StoreError):
    """Another server built the Carrefours base in this PostgreSQL database while this one was building."""


def _replace_with(db: PostgresDatabase, existing: bool, verify: Verify | None) -> dict[str, int]:
    with db.transaction() as cur:
        # Servers starting at once on an empty database: one builds, the others wait here, then find its base.
        db.hold_schema_lock(cur)
        if not existing and db.has_table(cur, "schema_migration"):
            raise BuiltElsewhere(f"La base PostgreSQL {db} a été construite par un autre serveur entre-temps.")
        if existing:
            ours = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [SOURCE]).fetchall()
            sequences = cur.execute(
                "SELECT sequence_name FROM duckdb_sequences() WHERE database_name = ?", [SOURCE]
            ).fetchall()
            _drop(db, cur, sorted({r[0] for r in ours} | set(LEDGERS)), [r[0] for r in sequences])
        cur.execute(LEDGER)
        cur.execute(VARIANT_LEDGER)
        for migration in discover():
            apply(db, cur, migration)
        counts = copy_into(db, cur)
        if verify is not None:  # before the commit: a difference it raises rolls everything back
            verify(cur, counts)
        return counts


def create_postgres(url: str, fill: Callable[..., dict], *, replace: bool = False, progress=_silent) -> dict:
    """Build a new Carrefours database in PostgreSQL with fill(db, progress); all or nothing."""
    db = PostgresDatabase(url)
    try:
        with tempfile.TemporaryDirectory(prefix="carrefours-build-") as folder:
            built = Path(folder) / "build.duckdb"
            counts = build_in_memory(built, lambda memory: fill(memory, progress), progress)
            started = time.monotonic()
            progress(0.99, "Copie de la base dans PostgreSQL")
            load_file(db, built, replace=replace)
            counts["postgres_copy_seconds"] = round(time.monotonic() - started, 1)
    finally:
        db.close()
    return counts


def open_postgres(url: str, fill: Callable[..., dict], *, lock: bool = True, progress=_silent) -> PostgresDatabase:
    """Open the PostgreSQL database, building it on first start and applying new migrations."""
    db = PostgresDatabase(url)
    try:
        if not is_carrefours(db):
            db.close()
            progress(0.0, "Construction de la base dans PostgreSQL")
            try:
                create_postgres(url, fill, progress=progress)
            except (StoreError, duckdb.Error):
                db = PostgresDatabase(url)
                if not is_carrefours(db):
                    raise
                # Another server, started at the same time, built it first: this one opens its base.
            else:
                db = PostgresDatabase(url)
        migrate(db)
        with db.read() as cur:
            built = meta.is_built(cur)
    except BaseException:
        db.close()
        raise
    if not built:
        db.close()
        raise StoreError(
            f"La base PostgreSQL {redact(url)} est incomplète (construction interrompue). "
            "Videz-la, ou relancez `python cli.py init --force`."
        )
    if lock:
        db.lock_down()
    return db
