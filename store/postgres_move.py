"""Moving an existing DuckDB Carrefours file into PostgreSQL, verified before the commit: nothing lost.

The copy is store.postgres_lifecycle.load_file's (one PostgreSQL transaction). Inside that transaction,
before it commits, every table is counted and checksummed on both sides by the same DuckDB query, and
every sequence's next value is compared; any difference raises, which rolls the whole copy back.

Checksum: the sum (as HUGEINT, so order-independent and duplicate-sensitive) of DuckDB's hash() of every
column of the row. Types PostgreSQL stores under another name are cast to the common one first
(TINYINT → SMALLINT, JSON → VARCHAR: both lossless); every other type (integers, DOUBLE, DATE,
TIMESTAMP, BOOLEAN, VARCHAR, VARCHAR[]) round-trips exactly and is hashed as it is.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from store import meta
from store.db import StoreError, explain_open_error
from store.migrations import discover
from store.postgres import CATALOG, PostgresDatabase, redact
from store.postgres_lifecycle import LEDGERS, SOURCE, load_file

# How PostgreSQL gives a DuckDB type back, when not under the same name; hashed as that type on both sides.
_COMMON_TYPE = {"TINYINT": "SMALLINT", "JSON": "VARCHAR"}
# The ledger's own columns compared (applied_at is when the target ran its migrations, not a copied fact).
_LEDGER_COLUMNS = ["number", "name", "checksum"]
FINGERPRINT_KEY = "copied_from_checksum"  # app_meta: the source's fingerprint, recorded with the copy


@dataclass
class TableCheck:
    table: str
    rows: int
    checksum: int


@dataclass
class MoveReport:
    source: Path
    target: str
    tables: list[TableCheck] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)  # name → next value, the same on both sides
    fingerprint: str = ""
    seconds: float = 0.0


def _columns(cur, catalog: str, table: str) -> list[tuple[str, str]]:
    return cur.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND table_name = ?"
        " ORDER BY column_index",
        [catalog, table],
    ).fetchall()


def checksum_sql(relation: str, columns: list[tuple[str, str]]) -> str:
    """The query giving (row count, checksum) of a relation; the same text runs on either side."""
    hashed = ", ".join(
        f'"{name}"::{_COMMON_TYPE[kind]}' if kind in _COMMON_TYPE else f'"{name}"' for name, kind in columns
    )
    return f"SELECT count(*), coalesce(sum(hash({hashed})::HUGEINT), 0) FROM {relation}"


def source_tables(cur, catalog: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every table of a DuckDB catalog with the columns its checksum covers."""
    names = cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY table_name", [catalog]
    ).fetchall()
    tables = []
    for (table,) in names:
        columns = _columns(cur, catalog, table)
        if table in LEDGERS:
            columns = [c for c in columns if c[0] in _LEDGER_COLUMNS]
        tables.append((table, columns))
    return tables


def checksums(cur, catalog: str, prefix: str | None = None) -> list[TableCheck]:
    """(rows, checksum) of every table of a DuckDB catalog; prefix reads the same tables elsewhere."""
    found = []
    for table, columns in source_tables(cur, catalog):
        where = prefix or f'"{catalog}"'
        relation = f'{where}."{table}"'
        rows, total = cur.execute(checksum_sql(relation, columns)).fetchone()
        found.append(TableCheck(table, rows, int(total)))
    return found


def fingerprint(checks: list[TableCheck]) -> str:
    """One short digest of every table's count and checksum (to tell whether a copy is still current)."""
    text = "\n".join(f"{c.table} {c.rows} {c.checksum}" for c in checks)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def file_fingerprint(path: Path) -> str:
    """The fingerprint of a DuckDB Carrefours file, read without writing to it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
        return fingerprint(checksums(con, catalog))
    finally:
        con.close()


def copied_fingerprint(db: PostgresDatabase) -> str | None:
    """The fingerprint of the file last copied into this PostgreSQL database, if recorded."""
    with db.read() as cur:
        return meta.read(cur).get(FINGERPRINT_KEY)


def _sequences(cur) -> tuple[dict[str, int], dict[str, int]]:
    """Next value of every sequence in the source file and in PostgreSQL."""
    source = {
        name: start if last is None else last + step
        for name, start, step, last in cur.execute(
            "SELECT sequence_name, start_value, increment_by, last_value FROM duckdb_sequences()"
            " WHERE database_name = ?",
            [SOURCE],
        ).fetchall()
    }
    target = {
        name: start if last is None else last + step
        for name, start, step, last in cur.execute(
            f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT sequencename::text, start_value, increment_by,"
            " last_value FROM pg_sequences WHERE schemaname = ''public''')"
        ).fetchall()
    }
    return source, target


def check_source(path: Path) -> None:
    """Refuse, in French, a source that is missing, not Carrefours', of another version, or half-built."""
    if not path.is_file():
        raise StoreError(
            f"Le fichier {path} n'existe pas. Indiquez la base DuckDB à copier avec --source CHEMIN (ou CARREFOURS_DB)."
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise explain_open_error(path, error) from error
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        ledger = (
            con.execute("SELECT number, name, checksum FROM schema_migration ORDER BY number").fetchall()
            if "schema_migration" in tables
            else []
        )
        known = [(m.number, m.name, m.checksum) for m in discover()]
        if not ledger or ledger[0] != known[0]:
            raise StoreError(
                f"Le fichier {path} n'est pas une base Carrefours : rien n'a été copié. "
                "Indiquez la base Carrefours avec --source CHEMIN (ou CARREFOURS_DB)."
            )
        if ledger != known[: len(ledger)] or len(ledger) > len(known):
            raise StoreError(
                f"La base {path} a été créée par une autre version de Carrefours (migrations différentes) : "
                "rien n'a été copié. Copiez-la avec la version de Carrefours qui l'utilise."
            )
        if len(ledger) < len(known):
            missing = ", ".join(f"{n:03d}_{name}" for n, name, _ in known[len(ledger) :])
            raise StoreError(
                f"La base {path} n'est pas à jour (migrations à appliquer : {missing}) : rien n'a été copié. "
                "Ouvrez-la une fois avec cette version (CARREFOURS_DB=… python cli.py status), puis relancez."
            )
        if "app_meta" not in tables or not meta.is_built(con):
            raise StoreError(
                f"La base {path} est incomplète (construction interrompue) : rien n'a été copié. "
                "Recréez-la (python cli.py init --force) ou copiez une sauvegarde complète."
            )
    finally:
        con.close()


def _foreign_tables(db: PostgresDatabase, source: Path) -> list[str]:
    """Tables of the target that Carrefours does not own (neither in the source file nor a ledger)."""
    con = duckdb.connect(str(source), read_only=True)
    try:
        ours = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} | set(LEDGERS)
    finally:
        con.close()
    with db.read() as cur:
        present = cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'public'",
            [CATALOG],
        ).fetchall()
    return sorted({r[0] for r in present} - ours)


def move_file(source: Path, url: str, *, replace: bool = False) -> MoveReport:
    """Copy the DuckDB file `source` into the PostgreSQL database at `url`; verified, all or nothing."""
    started = time.monotonic()
    check_source(source)
    report = MoveReport(source, redact(url))
    db = PostgresDatabase(url)
    try:
        foreign = _foreign_tables(db, source)
        if foreign:
            shown = ", ".join(foreign[:8]) + (" …" if len(foreign) > 8 else "")
            raise StoreError(
                f"La base PostgreSQL {db} contient des tables qui ne sont pas celles de Carrefours ({shown}). "
                "Rien n'a été copié : indiquez une base vide (--to ou CARREFOURS_DATABASE_URL)."
            )

        def verify(cur, counts: dict[str, int]) -> None:
            expected = checksums(cur, SOURCE)
            found = {c.table: c for c in checksums(cur, SOURCE, prefix=f"{CATALOG}.public")}
            for check in expected:
                other = found[check.table]
                if other.rows != check.rows:
                    raise StoreError(
                        f"Copie annulée, rien n'a été écrit dans PostgreSQL : la table {check.table} compte "
                        f"{other.rows} lignes dans PostgreSQL contre {check.rows} dans le fichier. "
                        "Signalez-le à l'administrateur avec ce message."
                    )
                if other.checksum != check.checksum:
                    raise StoreError(
                        f"Copie annulée, rien n'a été écrit dans PostgreSQL : le contenu de la table "
                        f"{check.table} diffère de celui du fichier (somme de contrôle). "
                        "Signalez-le à l'administrateur avec ce message."
                    )
            in_file, in_postgres = _sequences(cur)
            for name, next_value in sorted(in_file.items()):
                if in_postgres.get(name) != next_value:
                    raise StoreError(
                        f"Copie annulée, rien n'a été écrit dans PostgreSQL : la séquence {name} donnerait "
                        f"{in_postgres.get(name)} dans PostgreSQL contre {next_value} dans le fichier. "
                        "Signalez-le à l'administrateur avec ce message."
                    )
            report.tables, report.sequences = expected, in_file
            report.fingerprint = fingerprint(expected)
            meta.record(cur, FINGERPRINT_KEY, report.fingerprint)

        load_file(db, source, replace=replace, verify=verify)
    finally:
        db.close()
    report.seconds = time.monotonic() - started
    return report
