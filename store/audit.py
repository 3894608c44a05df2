"""The append-only audit log: the app only ever inserts into it."""

from __future__ import annotations

import json
from datetime import date, datetime


def _json(data) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, default=lambda v: v.isoformat()
                      if isinstance(v, (date, datetime)) else str(v))


def append(cur, *, actor: str, entity: str, action: str, key: str | None = None, how: str | None = None,
           old=None, new=None, source: str | None = None, comment: str | None = None) -> None:
    """Record one event (who, what, old and new state, how, source, comment) in the caller's transaction."""
    cur.execute(
        "INSERT INTO audit_log (actor, entity, entity_key, action, how, old_data, new_data, source, comment)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [actor, entity, key, action, how, _json(old), _json(new), source, comment])
