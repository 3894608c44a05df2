"""The DuckDB database: one root connection per process, a fresh cursor per unit of work."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "data" / "carrefours.duckdb"
MEMORY_LIMIT = os.environ.get("CARREFOURS_MEMORY_LIMIT", "2GB")
THREADS = int(os.environ.get("CARREFOURS_THREADS", "2"))
MAX_RETRIES = 8

T = TypeVar("T")


class StoreError(Exception):
    """A database problem explained in French for the person who can fix it."""


def database_path() -> Path:
    """Path of the database file, from CARREFOURS_DB or the default under data/."""
    return Path(os.environ.get("CARREFOURS_DB", str(DEFAULT_PATH))).expanduser()


def explain_open_error(path: Path, error: Exception) -> StoreError:
    """The French explanation of why DuckDB could not open a file."""
    text = str(error)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return StoreError(
            f"La base {path} est déjà ouverte par un autre processus (application ou commande). "
            "Arrêtez-le, ou travaillez sur une copie : CARREFOURS_DB=/chemin/copie.duckdb."
        )
    if "Permission denied" in text or "Read-only file system" in text:
        return StoreError(
            f"Impossible d'écrire dans {path.parent} : droits insuffisants. "
            "Choisissez un dossier accessible en écriture avec CARREFOURS_DB."
        )
    return StoreError(
        f"Le fichier {path} n'est pas une base Carrefours lisible ({text.splitlines()[0]}). "
        "Restaurez une sauvegarde, ou déplacez ce fichier pour qu'une base neuve soit créée."
    )


_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def explain_failure(path: Path | None, error: Exception) -> StoreError:
    """The French explanation of a disk, memory or corruption failure met while using the database."""
    text = str(error)
    name = f" {path}" if path else ""
    if any(marker in text for marker in _DISK_FULL):
        return StoreError(
            f"Plus assez de place sur le disque pour écrire la base{name} : rien de cette opération n'a été "
            "enregistré. Libérez de l'espace (ou choisissez un autre emplacement avec CARREFOURS_DB), "
            "puis redémarrez l'application ou relancez la commande."
        )
    if "Corrupt database file" in text or "does not match stored checksum" in text:
        return StoreError(
            f"La base{name} est endommagée (un bloc de données est illisible). Arrêtez l'application, "
            "mettez ce fichier de côté et restaurez la dernière sauvegarde (voir « Sauvegardes » dans le README)."
        )
    if "Out of Memory" in text or "out of memory" in text:
        return StoreError(
            f"Mémoire insuffisante pour cette opération (limite {MEMORY_LIMIT}, réglable par "
            "CARREFOURS_MEMORY_LIMIT) : rien n'a été enregistré. Fermez d'autres programmes ou relevez la limite."
        )
    if "invalidated" in text:
        return StoreError(
            "La base a rencontré une erreur grave d'écriture et doit être rouverte : redémarrez "
            "l'application (ou relancez la commande). Si l'erreur revient, vérifiez la place sur le disque."
        )
    return StoreError(
        f"Erreur de la base de données ({text.splitlines()[0] if text else type(error).__name__}). "
        "Relancez ; si l'erreur revient, signalez-la à l'administrateur."
    )


def is_failure(error: Exception) -> bool:
    """Whether a DuckDB error is a disk, memory or corruption failure rather than a query's own error."""
    text = str(error)
    return isinstance(error, (duckdb.IOException, duckdb.FatalException, duckdb.OutOfMemoryException)) or any(
        marker in text for marker in _DISK_FULL
    )


def _on_postgres(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether the cursor's database is an attached PostgreSQL database."""
    kind = cur.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    return kind == "postgres"


def literal(value) -> str:
    """A SQL literal of a string, integer or date, for SQL that takes no parameters (where_stored)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, date)):
        raise TypeError(f"pas de littéral SQL pour {value!r}")
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def where_stored(cur: duckdb.DuckDBPyConnection, sql: str) -> str:
    """A FROM item running `sql` (SQL both engines read, literals inlined) where the rows are stored: inside
    PostgreSQL when it is attached, so that only the result crosses over (an aggregate of millions of values
    would otherwise copy them all out), else as a DuckDB subquery."""
    if _on_postgres(cur):
        return "postgres_query(current_database(), " + literal(sql) + ")"
    return f"({sql})"


def next_id(cur: duckdb.DuckDBPyConnection, sequence: str) -> int:
    """The next value of a sequence of the cursor's database (PostgreSQL's own nextval when it is attached)."""
    if _on_postgres(cur):  # DuckDB does not see PostgreSQL's sequences; nextval is never rolled back anyway
        sql = f"SELECT nextval('{sequence}')".replace("'", "''")
        return cur.execute(f"SELECT * FROM postgres_query(current_database(), '{sql}')").fetchone()[0]
    return cur.execute(f"SELECT nextval('{sequence}')").fetchone()[0]


# PostgreSQL's own words (through DuckDB, which keeps no SQLSTATE) for a transaction that lost a race with
# another server: retried like DuckDB's conflicts. They are PostgreSQL's default (English) messages.
_POSTGRES_CONFLICTS = (
    "could not serialize access",
    "deadlock detected",
    "duplicate key value violates unique constraint",
)


def _is_write_conflict(error: Exception) -> bool:
    text = str(error)
    return (
        isinstance(error, duckdb.TransactionException)
        or (isinstance(error, duckdb.ConstraintException) and "Duplicate key" in text)
        or "Conflict on" in text
        or any(marker in text for marker in _POSTGRES_CONFLICTS)
    )


class Database:
    """Owns the root connection; hands out cursors and transactions to every thread."""

    backend = "duckdb"  # store.postgres.PostgresDatabase: "postgres"
    retried = 0  # write conflicts retried since the database was opened (lost races, not errors)

    def __init__(self, path: Path | str = ":memory:"):
        self.path = Path(path) if path != ":memory:" else None
        target = str(path)
        try:
            self._root = duckdb.connect(target, config={"memory_limit": MEMORY_LIMIT, "threads": THREADS})
        except duckdb.Error as error:
            raise explain_open_error(Path(target), error) from error
        self._lock = threading.Lock()
        # Writes are serialised inside the one process that owns the file: with no primary key on
        # indicator_value, this is what keeps two sessions from inserting the same key at once. (On
        # PostgreSQL it only orders one server's own writes: across servers, keys and isolation do.)
        self._write_lock = threading.RLock()
        self.locked = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor for one unit of work; never share it between threads."""
        with self._lock:
            return self._root.cursor()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads, closed afterwards."""
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self, serializable: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside one transaction: committed on success, rolled back on any error.

        serializable: the backend's strictest isolation, for a unit that decides on rows it only reads
        (a count under a limit), where another server's concurrent insert would not conflict otherwise."""
        cur = self.cursor()
        cur.begin()
        try:
            if serializable:
                self._serializable(cur)
            yield cur
            cur.commit()
        except BaseException:
            try:
                cur.rollback()
            except duckdb.Error:
                pass  # a fatal error (disk full) leaves nothing to roll back: report the first error
            raise
        finally:
            cur.close()

    def _serializable(self, cur: duckdb.DuckDBPyConnection) -> None:
        """DuckDB file: one process writes, under its write lock, so every write is serial already."""

    def write(
        self, work: Callable[[duckdb.DuckDBPyConnection], T], retries: int = MAX_RETRIES, *, serializable: bool = False
    ) -> T:
        """Run work in one serialised transaction, retrying write conflicts with jittered backoff.

        work must read what it decides on through its cursor: a retry runs it again from the start, in a
        new transaction that sees what the winner of the conflict committed."""
        for attempt in range(retries + 1):
            try:
                with self._write_lock, self.transaction(serializable) as cur:
                    return work(cur)
            except duckdb.Error as error:
                if not _is_write_conflict(error) or attempt == retries:
                    raise
                with self._lock:
                    self.retried += 1
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")

    def lock_down(self) -> None:
        """Forbid SQL from reading files or loading extensions, and freeze the settings."""
        with self.read() as cur:
            cur.execute("SET enable_external_access = false")
            cur.execute("SET lock_configuration = true")
        self.locked = True

    def checkpoint(self) -> None:
        """Flush the write-ahead log into the database file."""
        with self.read() as cur:
            cur.execute("CHECKPOINT")

    def close(self) -> None:
        """Close the root connection."""
        self._root.close()
