"""The benchmark database in PostgreSQL: copied from the generated DuckDB file by migrate-to-postgres's
path (store.postgres_move), once, and reused while it still holds what the file holds."""

from __future__ import annotations

import os
import time
from pathlib import Path

from store import meta
from store.postgres import CATALOG, PostgresDatabase, redact
from store.postgres_lifecycle import is_carrefours
from store.postgres_move import FINGERPRINT_KEY, copied_fingerprint, file_fingerprint, move_file


def postgres_url(given: str | None) -> str:
    """The PostgreSQL database to benchmark: --postgres-url, else CARREFOURS_DATABASE_URL."""
    url = (given or os.environ.get("CARREFOURS_DATABASE_URL", "")).strip()
    if not url:
        raise SystemExit(
            "Indiquez la base PostgreSQL du banc : --postgres-url postgresql://… ou CARREFOURS_DATABASE_URL "
            "(une base vide, ou une base déjà chargée par ce banc : elle sera remplacée)."
        )
    return url


def load(path: Path, url: str) -> float | None:
    """Copy the file into PostgreSQL unless it already holds the same content; seconds taken, None if reused."""
    from bootstrap import open_database

    open_database(path).close()  # the file's pending migrations first: only an up-to-date file is copied
    wanted = file_fingerprint(path)
    db = PostgresDatabase(url)
    try:
        current = copied_fingerprint(db) if is_carrefours(db) else None
    finally:
        db.close()
    if current == wanted:
        print(f"PostgreSQL {redact(url)} : copie de {path.name} déjà faite, même contenu (réutilisée).", flush=True)
        return None
    print(f"Copie de {path.name} dans PostgreSQL {redact(url)} (vérifiée table par table)…", flush=True)
    started = time.perf_counter()
    report = move_file(path, url, replace=True)
    seconds = time.perf_counter() - started
    rows = sum(t.rows for t in report.tables)
    print(f"  {rows:,} lignes copiées et vérifiées en {seconds:.1f} s".replace(",", " "), flush=True)
    return seconds


def forget_copy(db) -> None:
    """The run is about to write: the PostgreSQL content will no longer be the file's, copy it again next time."""
    with db.transaction() as cur:
        meta.forget(cur, FINGERPRINT_KEY)


def size_mb(db) -> float:
    """The PostgreSQL database's size on disk, in MiB."""
    with db.read() as cur:
        found = cur.execute(
            f"SELECT * FROM postgres_query('{CATALOG}', 'SELECT pg_database_size(current_database())')"
        ).fetchone()
    return found[0] / 2**20
