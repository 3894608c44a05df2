"""The database file's life: one builder at a time, built aside then moved in, checked, migrated, opened.

What goes into a new database is not decided here: callers hand a `fill(db, progress)` function
(the composition root, `bootstrap.py`, hands the build steps), so `store/` knows no domain.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from store import meta
from store.db import Database, StoreError, database_path, explain_failure, explain_open_error, is_failure
from store.memory_build import build_in_memory
from store.migrations import discover, migrate

Fill = Callable[..., dict]  # fill(db, progress) -> counts: writes a new database's content
# check(read-only connection, path) -> a French reason to refuse the file, or None (the domains' own checks)
Check = Callable[[duckdb.DuckDBPyConnection, Path], str | None]


def _silent(fraction: float, step: str) -> None:
    """The default progress report: none."""


def _check_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"Impossible de créer le dossier {path.parent} ({error.strerror}). "
            "Choisissez un autre emplacement avec CARREFOURS_DB."
        ) from error
    if not os.access(path.parent, os.W_OK):
        raise StoreError(
            f"Le dossier {path.parent} n'est pas accessible en écriture. "
            "Choisissez un autre emplacement avec CARREFOURS_DB."
        )


def build_wait() -> float:
    """Seconds a starter waits for another process's build (CARREFOURS_BUILD_WAIT, 300 by default)."""
    return float(os.environ.get("CARREFOURS_BUILD_WAIT", "300"))


@contextmanager
def build_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive OS lock that lets one process at a time build or replace the database."""
    _check_folder(path)
    wait = build_wait() if wait is None else wait
    # The lock file stays in place: deleting it would let two processes lock two different files.
    handle = open(path.with_name(path.name + ".lock"), "a+")
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"Une construction de la base {path} est en cours dans un autre processus "
                        f"(attendu {wait:.0f} s). Patientez la fin de cette construction puis relancez ; "
                        "si aucun autre processus Carrefours ne tourne, relancez simplement."
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()  # closing the file releases the lock, also when the process is killed


def remove_files(path: Path) -> None:
    """Delete a database file, its write-ahead log and its spill folder."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def _in_use(path: Path) -> bool:
    """Whether another process has the database file open (DuckDB holds an OS lock on it)."""
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as error:
        return "lock" in str(error).lower()
    return False


def _build_file(path: Path, fill: Fill, progress=_silent) -> dict:
    """Build into `.building` beside the final place, then move it in; the caller holds build_lock."""
    building = path.with_name(path.name + ".building")
    remove_files(building)  # a killed build's leftovers: nobody else can be building now
    try:
        counts = build_in_memory(building, lambda db: fill(db, progress), progress)
    except BaseException as error:
        remove_files(building)
        if isinstance(error, duckdb.Error) and is_failure(error):
            raise explain_failure(path, error) from error
        raise
    os.replace(building, path)
    return counts


def create_file(path: Path, fill: Fill, *, replace: bool = False) -> dict:
    """Build a new database file, never half-built; replace an existing (even corrupt) one if asked."""
    with build_lock(path):
        if path.exists():
            if not replace:
                raise StoreError(f"La base {path} existe déjà. Supprimez-la d'abord pour la recréer.")
            if _in_use(path):
                raise StoreError(
                    f"La base {path} est déjà ouverte par un autre processus (application ou commande). "
                    "Arrêtez-le avant de la remplacer."
                )
            remove_files(path)
        return _build_file(path, fill)


def _check_identity(path: Path, check: Check | None = None) -> None:
    """Refuse, before writing anything, a file another application made or whose values were lost."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise explain_open_error(path, error) from error
    tables: list[str] = []
    try:
        tables = sorted(
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
        )
        first = discover()[0]
        ours = (
            "schema_migration" in tables
            and con.execute(
                "SELECT count(*) FROM schema_migration WHERE number = ? AND name = ? AND checksum = ?",
                [first.number, first.name, first.checksum],
            ).fetchone()[0]
            == 1
        )
        damage = check(con, path) if ours and check else None
    except duckdb.Error as error:
        if is_failure(error):
            raise explain_failure(path, error) from error
        ours, damage = False, None  # a schema_migration table of another shape: someone else's
    finally:
        con.close()
    if damage:
        raise StoreError(damage)
    if ours:
        return
    shown = ", ".join(tables[:8]) + (" …" if len(tables) > 8 else "") if tables else "aucune table"
    raise StoreError(
        f"Le fichier {path} est une base DuckDB qui n'a pas été créée par Carrefours ({shown}). "
        "Carrefours n'y a rien écrit. Indiquez le chemin de la base Carrefours avec CARREFOURS_DB, "
        "ou un chemin où aucun fichier n'existe pour qu'une base neuve y soit créée."
    )


def open_file(
    path: Path | str | None, fill: Fill, *, lock: bool = True, progress=_silent, check: Check | None = None
) -> Database:
    """Open the database, building it with fill on first start and applying new migrations."""
    if str(path) == ":memory:":
        db = Database(":memory:")
        fill(db, _silent)
    else:
        path = Path(path) if path else database_path()
        if not path.exists():
            progress(0.0, "Attente de la construction de la base lancée par un autre processus")
            with build_lock(path):
                if not path.exists():  # another process may have built it while this one waited
                    _build_file(path, fill, progress)
            progress(1.0, "Ouverture de la base")
        _check_identity(path, check)
        db = Database(path)
        try:
            migrate(db)
            with db.read() as cur:
                built = meta.is_built(cur)
        except Exception as error:
            db.close()
            if isinstance(error, StoreError):
                raise
            raise StoreError(
                f"La base {path} est incomplète ou endommagée ({error}). "
                "Déplacez ce fichier : une base neuve sera créée au prochain démarrage."
            ) from error
        if not built:
            db.close()
            raise StoreError(
                f"La base {path} est incomplète (construction interrompue). "
                "Supprimez-la : une base neuve sera créée au prochain démarrage."
            )
    if lock:
        db.lock_down()
    return db
