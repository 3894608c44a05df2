"""The one writer of the append-only audit log: every audit row of the app is inserted here."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

# The columns of an audit row, in the order append_select's query must return them.
COLUMNS = ("actor", "entity", "entity_key", "action", "how", "old_data", "new_data", "source", "comment")
_INSERT = f"INSERT INTO audit_log ({', '.join(COLUMNS)})"


def to_json(data) -> str | None:
    """The JSON text stored in old_data / new_data (dates in ISO form, French kept as is)."""
    if data is None:
        return None
    return json.dumps(
        data, ensure_ascii=False, default=lambda v: v.isoformat() if isinstance(v, (date, datetime)) else str(v)
    )


def append(
    cur,
    *,
    actor: str,
    entity: str,
    action: str,
    key: str | None = None,
    how: str | None = None,
    old=None,
    new=None,
    source: str | None = None,
    comment: str | None = None,
) -> None:
    """Record one event (who, what, old and new state, how, source, comment) in the caller's transaction."""
    cur.execute(
        _INSERT + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [actor, entity, key, action, how, to_json(old), to_json(new), source, comment],
    )


def append_select(cur, select_sql: str, params: list | None = None) -> None:
    """Record many events at once: select_sql returns the COLUMNS, in order (old/new as JSON), one row per event."""
    cur.execute(f"{_INSERT} {select_sql}", params or [])


def append_frame(cur, events: pd.DataFrame) -> None:
    """Record the events of a frame holding the COLUMNS (old_data / new_data as JSON text or null)."""
    if len(events):
        cur.register("audit_events", events)
        try:
            append_select(
                cur,
                "SELECT actor, entity, entity_key, action, how, old_data::JSON, new_data::JSON,"
                " source, comment FROM audit_events",
            )
        finally:
            cur.unregister("audit_events")


def append_export(cur, *, actor: str, what: str, fmt: str, key: str | None = None, details: dict | None = None) -> None:
    """Record that someone took data out: what (in French, shown in the history), format, key, details."""
    append(
        cur, actor=actor, entity="export", action="export", key=(key or what)[:200], how=fmt, new=details, comment=what
    )


def latest(cur, entities: tuple[str, ...]) -> tuple[int | None, datetime | None]:
    """The id and time of the newest event about some entities (None, None when there is none)."""
    return cur.execute(
        "SELECT max(id), max(created_at) FROM audit_log WHERE list_contains(?, entity)", [list(entities)]
    ).fetchone()
