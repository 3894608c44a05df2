"""SQL of the review before publication: which indicators need it, and the state of each unpublished value."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from indicators.aggregates import mark_dirty
from indicators.key_filter import batch_filter
from store import audit

KEY = ("indicator_code", "territory_id", "period", "kind")
_JOIN = " AND ".join(f"{{a}}.{k} = {{b}}.{k}" for k in KEY)
_ENTITY_KEY = "{t}.indicator_code || '|' || {t}.territory_id || '|' || {t}.period || '|' || {t}.kind"


def reviewed_codes(cur) -> set[str]:
    """The indicators whose coordinators' values wait for validation."""
    return {row[0] for row in cur.execute("SELECT indicator_code FROM indicator_review").fetchall()}


def replace_reviewed(cur, codes: list[str]) -> None:
    """Replace the list of reviewed indicators with the catalogue's."""
    cur.execute("DELETE FROM indicator_review")
    if codes:
        cur.executemany("INSERT INTO indicator_review VALUES (?)", [[c] for c in codes])


def record_writes(cur, *, actor: str) -> None:
    """Follow the values just written (the registered frame `w`): a new unpublished figure is "soumis",
    keeping the figure the public saw before; a published one or a deletion leaves review."""
    cur.execute(
        "DELETE FROM value_state s USING w WHERE "
        + _JOIN.format(a="s", b="w")
        + " AND (w.op = 'delete' OR (w.published AND w.figure_changed))"
    )
    cur.execute(
        "INSERT INTO value_state (indicator_code, territory_id, period, kind, state, previous_value, was_published,"
        " reason, changed_by, changed_at) SELECT indicator_code, territory_id, period, kind, 'soumis',"
        " CASE WHEN old_published THEN old_value END, coalesce(old_published, false), NULL, ?, current_timestamp"
        " FROM w WHERE op <> 'delete' AND NOT published AND figure_changed"
        # A figure changed again while in review keeps what the public saw before the first submission.
        " ON CONFLICT DO UPDATE SET state = 'soumis', reason = NULL, changed_by = excluded.changed_by,"
        " changed_at = excluded.changed_at",
        [actor],
    )


def states(cur, state: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Values in review (optionally of one state and period) with their current figure and version."""
    chosen = " WHERE (? IS NULL OR s.state = ?) AND (? IS NULL OR s.period = ?)"
    params = [state, state, period, period]
    keys = cur.execute("SELECT indicator_code, territory_id, period FROM value_state s" + chosen, params).df()
    narrow, narrow_params = batch_filter(keys)  # the few values in review, not the whole table, are read
    return cur.execute(
        "SELECT s.indicator_code, s.territory_id, s.period, s.kind, s.state, s.reason, s.previous_value,"
        " s.was_published, s.changed_by, s.changed_at, v.value, v.version, v.comment, v.updated_by,"
        " v.updated_at, v.period_end FROM value_state s JOIN indicator_value v ON "
        + _JOIN.format(a="s", b="v")
        + chosen
        + f" AND {narrow} ORDER BY s.indicator_code, s.period, s.territory_id, s.kind",
        [*params, *narrow_params],
    ).df()


def publish(cur, listed: pd.DataFrame, *, actor: str, comment: str | None) -> pd.DataFrame:
    """Publish the listed values (KEY + version) still "soumis" at that version; audited, roll-ups marked.
    Returns the keys published."""
    narrow, narrow_params = batch_filter(listed)
    cur.register("listed", pa.Table.from_pandas(listed[[*KEY, "version"]], preserve_index=False))
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE to_publish AS SELECT v.indicator_code, v.territory_id, v.period, v.kind,"
            " v.period_end, v.value, v.version FROM listed l"
            " JOIN value_state s ON " + _JOIN.format(a="s", b="l") + " AND s.state = 'soumis'"
            " JOIN indicator_value v ON " + _JOIN.format(a="v", b="l") + f" AND v.version = l.version WHERE {narrow}",
            narrow_params,
        )
    finally:
        cur.unregister("listed")
    try:
        cur.execute(
            "UPDATE indicator_value v SET published = true FROM to_publish p WHERE "
            + _JOIN.format(a="v", b="p")
            + f" AND {narrow}",
            narrow_params,
        )
        cur.execute("DELETE FROM value_state s USING to_publish p WHERE " + _JOIN.format(a="s", b="p"))
        audit.append_select(
            cur,
            f"SELECT ?, 'value', {_ENTITY_KEY.format(t='p')}, 'publish', 'validation',"
            " json_object('version', p.version, 'published', false),"
            " json_object('value', p.value, 'version', p.version, 'published', true), NULL, ?"
            " FROM to_publish p ORDER BY 3",
            [actor, comment],
        )
        mark_dirty(cur, table="to_publish")
        return cur.execute(f"SELECT {', '.join(KEY)} FROM to_publish").df()
    finally:
        cur.execute("DROP TABLE IF EXISTS to_publish")


def send_back(cur, key: dict, version: int, reason: str, *, actor: str) -> bool:
    """Return one "soumis" value (at that version) to its coordinator with a reason; audited. False when the
    value is no longer the one listed (changed, published or already returned)."""
    params = [key[k] for k in KEY]
    found = cur.execute(
        "SELECT v.value FROM value_state s JOIN indicator_value v ON "
        + _JOIN.format(a="s", b="v")
        + " WHERE v.indicator_code = ? AND v.territory_id = ? AND v.period = ? AND v.kind = ?"
        " AND s.state = 'soumis' AND v.version = ?",
        [*params, version],
    ).fetchone()
    if found is None:
        return False
    cur.execute(
        "UPDATE value_state SET state = 'a_corriger', reason = ?, changed_by = ?, changed_at = current_timestamp"
        " WHERE indicator_code = ? AND territory_id = ? AND period = ? AND kind = ?",
        [reason, actor, *params],
    )
    audit.append(
        cur,
        actor=actor,
        entity="value",
        action="return",
        key="|".join(str(p) for p in params),
        how="validation",
        old={"state": "soumis", "version": version},
        new={"state": "a_corriger", "version": version, "value": found[0]},
        comment=reason,
    )
    return True
