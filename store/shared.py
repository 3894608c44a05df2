"""The one Database of the process, shared by the pages and the HTTP API (one write lock for both)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from store.db import Database, database_path
from store.postgres import database_url

_lock = threading.Lock()
_held: dict[str, Database] = {}


def database_key() -> str:
    """What identifies this process's database: the PostgreSQL URL if set, else the file's resolved path."""
    return database_url() or str(database_path().resolve())


def shared_database(opener: Callable[..., Database], **options) -> Database:
    """The database of CARREFOURS_DATABASE_URL or CARREFOURS_DB, opened once per process by `opener` (the bootstrap's open_database)."""
    key = database_key()
    with _lock:
        held = _held.get(key)
        if held is None:
            held = opener(**options)
            _held[key] = held
        return held
