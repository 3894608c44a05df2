"""The optional PostgreSQL backend: DuckDB stays the SQL engine, with PostgreSQL attached as its default catalog.

Set CARREFOURS_DATABASE_URL=postgresql://user:password@host:port/base to use it; unset, Carrefours keeps
its DuckDB file (store.db). DuckDB's `postgres` extension (PyPI package duckdb-extension-postgres-scanner,
loaded from its file: no network) forwards tables, keys, checks, reads, writes and transactions; what it
cannot forward (sequences, some defaults) is written in PostgreSQL's own SQL in `NNN_name.postgres.sql`.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from store.db import MEMORY_LIMIT, THREADS, Database, StoreError

CATALOG = "pg"  # the name the PostgreSQL database is attached under in DuckDB
# The advisory lock that builds and migrations of one PostgreSQL database take: servers starting at once
# (first start, or a new migration) run them one after the other.
SCHEMA_LOCK = 7_463_001
_SCHEMES = ("postgresql", "postgres")


def database_url() -> str | None:
    """The PostgreSQL URL of CARREFOURS_DATABASE_URL, or None to keep the DuckDB file."""
    url = os.environ.get("CARREFOURS_DATABASE_URL", "").strip()
    return url or None


def redact(url: str) -> str:
    """The URL without its password, fit to show in a message or a log."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def check_url(url: str) -> None:
    """Refuse, in French, a URL that is not a PostgreSQL one (before trying to connect)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in _SCHEMES or not parts.hostname or not parts.path.strip("/"):
        raise StoreError(
            f"CARREFOURS_DATABASE_URL n'est pas une adresse PostgreSQL valide ({redact(url)}). "
            "Attendu : postgresql://utilisateur:motdepasse@hôte:5432/base ; "
            "ou retirez ce réglage pour utiliser le fichier DuckDB."
        )


def extension_path() -> Path:
    """The postgres extension file for this DuckDB version, from the pinned PyPI package."""
    try:
        import duckdb_extension_postgres_scanner as package
    except ImportError:
        package = None
    version = duckdb.__version__
    if package is not None:
        found = Path(package.__file__).parent / "extensions" / f"v{version}" / "postgres_scanner.duckdb_extension"
        if found.is_file():
            return found
    raise StoreError(
        f"L'extension PostgreSQL de DuckDB {version} n'est pas installée. Installez les dépendances "
        "(pip install -r requirements.txt), ou retirez CARREFOURS_DATABASE_URL pour utiliser le fichier DuckDB."
    )


def explain_connect_error(url: str, error: Exception) -> StoreError:
    """The French explanation of why PostgreSQL could not be reached."""
    text = " ".join(str(error).split())
    shown = redact(url)
    if "Connection refused" in text or "could not translate host name" in text or "timeout" in text.lower():
        reason = "le serveur ne répond pas à cette adresse"
        advice = "Vérifiez que PostgreSQL est démarré et que l'hôte et le port sont les bons"
    elif "password authentication failed" in text or ("role" in text and "does not exist" in text):
        reason = "l'utilisateur ou le mot de passe est refusé"
        advice = "Vérifiez l'utilisateur et le mot de passe de l'adresse"
    elif "database" in text and "does not exist" in text:
        reason = "cette base n'existe pas sur le serveur"
        advice = "Créez-la (createdb) ou corrigez son nom dans l'adresse"
    else:
        reason = text.split(": ", 2)[-1][:200]
        advice = "Vérifiez l'adresse et le serveur"
    return StoreError(
        f"Connexion à PostgreSQL impossible ({shown}) : {reason}. {advice}, puis relancez ; "
        "ou retirez CARREFOURS_DATABASE_URL pour utiliser le fichier DuckDB."
    )


def connect(url: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the PostgreSQL database attached as CATALOG."""
    check_url(url)
    extension = extension_path()
    con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "threads": THREADS})
    try:
        con.execute(f"LOAD '{extension}'")
        literal = "'" + url.replace("'", "''") + "'"  # ATTACH takes no parameter
        # One filtered query per scan rather than one per 1 000 pages (ctid ranges): PostgreSQL can then use
        # its indexes, and a read of a few rows no longer walks the whole table.
        con.execute("SET GLOBAL pg_use_ctid_scan = false")
        con.execute(f"ATTACH {literal} AS {CATALOG} (TYPE postgres)")
        con.execute(f"USE {CATALOG}")
        con.execute("SELECT 1 FROM information_schema.schemata LIMIT 1").fetchall()
    except duckdb.Error as error:
        con.close()
        raise explain_connect_error(url, error) from error
    return con


class PostgresDatabase(Database):
    """A Database whose tables live in PostgreSQL; every cursor uses the attached catalog by default."""

    backend = "postgres"

    def __init__(self, url: str):
        self.path = None
        self.url = url
        self._root = connect(url)
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        self.locked = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the PostgreSQL catalog (USE is per connection in DuckDB)."""
        with self._lock:
            cur = self._root.cursor()
        cur.execute(f"USE {CATALOG}")
        return cur

    def _serializable(self, cur: duckdb.DuckDBPyConnection) -> None:
        """PostgreSQL's SERIALIZABLE for this transaction (the first statement): a write skew between
        servers then fails as "could not serialize access", which Database.write retries."""
        cur.execute(f"CALL postgres_execute('{CATALOG}', 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')")

    def hold_schema_lock(self, cur: duckdb.DuckDBPyConnection) -> None:
        """The first statements of a build or migration transaction: wait for any other server's, then
        read committed, so that the statements after the wait see what that server committed."""
        cur.execute(f"CALL postgres_execute('{CATALOG}', 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED')")
        cur.execute(f"CALL postgres_execute('{CATALOG}', 'SELECT pg_advisory_xact_lock({SCHEMA_LOCK})')")

    def has_table(self, cur: duckdb.DuckDBPyConnection, name: str) -> bool:
        """Whether PostgreSQL's public schema holds this table now (PostgreSQL's catalog, not DuckDB's cache)."""
        sql = f"SELECT to_regclass('public.{name}') IS NOT NULL".replace("'", "''")
        return bool(cur.execute(f"SELECT * FROM postgres_query('{CATALOG}', '{sql}')").fetchone()[0])

    def execute_native(self, cur: duckdb.DuckDBPyConnection, sql: str) -> None:
        """Run PostgreSQL's own SQL inside cur's transaction, then let DuckDB see the new catalog."""
        cur.execute(f"CALL postgres_execute('{CATALOG}', ?)", [sql])
        cur.execute("CALL pg_clear_cache()")

    def checkpoint(self) -> None:
        """Nothing to flush: PostgreSQL manages its own write-ahead log."""

    def __str__(self) -> str:
        return redact(self.url)
