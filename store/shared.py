"""The one Database of the process, shared by the pages and the HTTP API (one write lock for both)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from store.db import Database, database_path

_lock = threading.Lock()
_held: dict[str, Database] = {}


def shared_database(opener: Callable[..., Database], **options) -> Database:
    """The database of CARREFOURS_DB, opened once per process by `opener` (the bootstrap's open_database)."""
    key = str(database_path().resolve())
    with _lock:
        held = _held.get(key)
        if held is None:
            held = opener(**options)
            _held[key] = held
        return held
