"""The suite on PostgreSQL (CARREFOURS_TEST_BACKEND=postgres): the built database loaded once per run into a
template database, and each test's private database a file copy of it, named by CARREFOURS_DATABASE_URL.

CARREFOURS_TEST_POSTGRES_URL is the admin connection: a database on a cluster where its user may create
databases (postgresql://carrefours@127.0.0.1:5432/postgres). Every database made here is named
`<prefix>_<run>_…` (prefix CARREFOURS_TEST_POSTGRES_PREFIX, carrefours_test by default) and dropped at the end.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

ON_POSTGRES = os.environ.get("CARREFOURS_TEST_BACKEND", "duckdb").strip().lower() == "postgres"
ADMIN_URL = os.environ.get("CARREFOURS_TEST_POSTGRES_URL", "").strip()
PREFIX = os.environ.get("CARREFOURS_TEST_POSTGRES_PREFIX", "carrefours_test").strip()
SKIP_REASON = "porte sur le fichier DuckDB lui-même (verrou, chemin, dégâts, disque) : sans objet sur PostgreSQL"

_counter = itertools.count()


def url_of(name: str) -> str:
    """The URL of database `name` on the admin connection's cluster."""
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_key(shared_folder: Path) -> str:
    """What names this run's databases: the run's shared temporary folder (one per run, every worker)."""
    return hashlib.sha1(str(shared_folder.resolve()).encode()).hexdigest()[:10]


@cache
def _admin() -> duckdb.DuckDBPyConnection:
    from store.postgres import extension_path

    if not ADMIN_URL:
        raise RuntimeError(
            "CARREFOURS_TEST_BACKEND=postgres demande CARREFOURS_TEST_POSTGRES_URL (base d'administration)"
        )
    con = duckdb.connect(":memory:")
    con.execute(f"LOAD '{extension_path()}'")
    con.execute("ATTACH " + "'" + ADMIN_URL.replace("'", "''") + "' AS admin (TYPE postgres)")
    return con


def admin(sql: str) -> None:
    """Run one statement on the admin connection, outside any transaction (CREATE/DROP DATABASE need it)."""
    _admin().execute("CALL postgres_execute('admin', ?, use_transaction := false)", [sql])


def databases(pattern: str) -> list[str]:
    """The cluster's databases whose name is LIKE pattern."""
    sql = "SELECT datname::text FROM pg_database WHERE datname LIKE '" + pattern.replace("'", "''") + "'"
    return [r[0] for r in _admin().execute("SELECT * FROM postgres_query('admin', ?)", [sql]).fetchall()]


def drop(name: str) -> None:
    """Drop a database, closing whatever still holds it (a server stopped a moment ago)."""
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_run(shared_folder: Path) -> None:
    """Drop every database of this run (its template included)."""
    for name in databases(f"{PREFIX}_{run_key(shared_folder)}_%"):
        drop(name)


@cache
def template(source: Path) -> str:
    """The template database holding the built file `source`, loaded by the run's first worker that asks."""
    from store.postgres import PostgresDatabase
    from store.postgres_lifecycle import load_file

    folder = source.parent  # the run's shared folder of that build: one template per build and run
    name = f"{PREFIX}_{run_key(folder.parent)}_tpl_{folder.name.removeprefix('shared-')}"
    with open(folder / "template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the load fails
        done = folder / "template.done"
        if not done.exists():
            drop(name)
            admin(f'CREATE DATABASE "{name}"')
            db = PostgresDatabase(url_of(name))
            try:
                load_file(db, source)
            finally:
                db.close()  # a template must have no session for CREATE DATABASE … TEMPLATE
            done.write_text(name)
    return name


def fresh_copy(source: Path) -> str:
    """A new database, a file copy of the template of the built file `source`; its URL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{PREFIX}_{run_key(source.parent.parent)}_{worker}_{next(_counter)}"
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{template(source)}" STRATEGY FILE_COPY')
    return url_of(name)


@contextmanager
def named(url: str) -> Iterator[str]:
    """CARREFOURS_DATABASE_URL set to url while it lasts (open_database(), the CLI and servers then open it)."""
    saved = os.environ.get("CARREFOURS_DATABASE_URL")
    os.environ["CARREFOURS_DATABASE_URL"] = url
    try:
        yield url
    finally:
        if saved is None:
            os.environ.pop("CARREFOURS_DATABASE_URL", None)
        else:
            os.environ["CARREFOURS_DATABASE_URL"] = saved


@contextmanager
def copy_of(source: Path) -> Iterator[str]:
    """A fresh copy of the built file `source`, dropped afterwards; its URL."""
    url = fresh_copy(source)
    try:
        yield url
    finally:
        drop(url.rsplit("/", 1)[1])


@contextmanager
def empty_database() -> Iterator[str]:
    """A new empty database, dropped afterwards; its URL."""
    name = f"{PREFIX}_empty_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}_{next(_counter)}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield url_of(name)
    finally:
        drop(name)


def database_env(db_file: Path | None) -> dict[str, str]:
    """The variable naming the test's database for a process it starts: its file, or on PostgreSQL its URL."""
    if db_file is None:
        return {"CARREFOURS_DATABASE_URL": os.environ["CARREFOURS_DATABASE_URL"]}
    return {"CARREFOURS_DB": str(db_file)}


def rows(db_file: Path | None, sql: str, params=()) -> list[tuple]:
    """Rows of the test's database read after the fact: its file read-only, or on PostgreSQL the URL's database."""
    if db_file is not None:
        con = duckdb.connect(str(db_file), read_only=True)
    else:
        from store.postgres import connect

        con = connect(os.environ["CARREFOURS_DATABASE_URL"])
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
