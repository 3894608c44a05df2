"""SQL of the indicator catalogue, sources, values and period locks (set-based: imports write 100k rows at once)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from indicators import review_repository
from indicators.aggregates import mark_dirty
from indicators.key_filter import MAX_LISTED_TERRITORIES, batch_filter, in_lists
from store import audit
from store.db import literal, where_stored
from territories import repository as territory_repo
from territories.levels import FRANCE

KEY = ("indicator_code", "territory_id", "period", "kind")
_KEY_JOIN = " AND ".join(f"v.{k} = w.{k}" for k in KEY)
ENTITY_KEY_SQL = "w.indicator_code || '|' || w.territory_id || '|' || w.period || '|' || w.kind"


def entity_key(indicator_code: str, territory_id: str, period: str, kind: str) -> str:
    """The audit-log key of one value."""
    return f"{indicator_code}|{territory_id}|{period}|{kind}"


def indicators(cur) -> pd.DataFrame:
    """The indicator rules the write path needs: kind, period type, whether it is typed in, declared rules."""
    return cur.execute(
        "SELECT i.code, i.name, i.unit, i.kind, i.period_type, i.computed_from, i.territorial_agg,"
        " r.min_value, r.max_value, coalesce(r.integer_only, false) AS integer_only, r.max_change_pct"
        " FROM indicator i LEFT JOIN indicator_rule r ON r.indicator_code = i.code ORDER BY i.code"
    ).df()


def current(cur, incoming: pd.DataFrame) -> pd.DataFrame:
    """The stored state (or nothing) of each incoming key, with the row position `pos`."""
    narrow, params = batch_filter(incoming)
    cur.register("incoming_keys", pa.Table.from_pandas(incoming, preserve_index=False))
    try:
        return cur.execute(
            "SELECT w.pos, v.value, v.numerator, v.denominator, v.source, v.comment, v.version, v.published,"
            " v.updated_by, v.updated_at FROM incoming_keys w JOIN indicator_value v ON "
            + _KEY_JOIN
            + " WHERE "
            + narrow,
            params,
        ).df()
    finally:
        cur.unregister("incoming_keys")


def lock_rows(cur) -> pd.DataFrame:
    """Every period lock with its dates."""
    return (
        cur.execute("SELECT region, period, period_start, period_end FROM period_lock")
        .df()
        .assign(period_start=lambda f: f["period_start"].dt.date, period_end=lambda f: f["period_end"].dt.date)
    )


def last_versions(cur, incoming: pd.DataFrame) -> pd.DataFrame:
    """Highest version a (since deleted) value ever had, so a re-created value never reuses one."""
    if not cur.execute("SELECT count(*) FROM audit_log WHERE entity = 'value' AND action = 'delete'").fetchone()[0]:
        return pd.DataFrame(columns=["pos", "last_version"])
    cur.register("w", incoming)
    try:
        return cur.execute(
            f"SELECT w.pos, max(TRY_CAST(json_extract(a.old_data, '$.version') AS INTEGER)) AS last_version"
            f" FROM w JOIN audit_log a ON a.entity = 'value' AND a.action = 'delete'"
            f" AND a.entity_key = {ENTITY_KEY_SQL} GROUP BY w.pos"
        ).df()
    finally:
        cur.unregister("w")


def write(cur, frame: pd.DataFrame, *, actor: str, how: str) -> None:
    """Apply inserts, updates and deletes of a prepared frame and append one audit row per change."""
    # Converted to Arrow once: the four statements below then scan it without touching Python objects.
    cur.register("w", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        if not (updates := frame[frame["op"] == "update"]).empty:
            narrow, params = batch_filter(updates)
            cur.execute(
                "UPDATE indicator_value v SET value = w.value, numerator = w.numerator, denominator = w.denominator,"
                " source = w.source, comment = w.comment, version = w.new_version, is_demo = false,"
                " published = w.published, updated_by = ?, updated_at = current_timestamp"
                f" FROM w WHERE w.op = 'update' AND {_KEY_JOIN} AND {narrow}",
                [actor, *params],
            )
        if not (deletes := frame[frame["op"] == "delete"]).empty:
            narrow, params = batch_filter(deletes)
            cur.execute(
                f"DELETE FROM indicator_value v USING w WHERE w.op = 'delete' AND {_KEY_JOIN} AND {narrow}", params
            )
        cur.execute(
            "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind,"
            " value, numerator, denominator, source, comment, is_demo, published, version, updated_by)"
            " SELECT indicator_code, territory_id, period, period_start, period_end, kind, value, numerator,"
            " denominator, source, comment, false, published, new_version, ? FROM w WHERE op = 'insert'",
            [actor],
        )
        review_repository.record_writes(cur, actor=actor)
        audit_changes(cur, actor=actor, how=how)
        # The materialised roll-ups of the touched (indicator, year, kind) slices are recomputed on read.
        mark_dirty(cur, table="w")
    finally:
        cur.unregister("w")


def audit_changes(cur, *, actor: str, how: str) -> None:
    """One audit row per change of the registered frame `w`, set-based (the one place values are audited)."""
    audit.append_select(
        cur,
        f"SELECT ?, 'value', {ENTITY_KEY_SQL}, w.op,"
        " CASE WHEN w.op = 'delete' AND ? NOT IN ('annulation', 'import') THEN 'suppression' ELSE ? END,"
        " CASE WHEN w.old_version IS NULL THEN NULL ELSE json_object('value', w.old_value,"
        "   'numerator', w.old_numerator, 'denominator', w.old_denominator, 'source', w.old_source,"
        "   'comment', w.old_comment, 'version', w.old_version, 'published', w.old_published) END,"
        " CASE WHEN w.op = 'delete' THEN NULL ELSE json_object('value', w.value, 'numerator', w.numerator,"
        "   'denominator', w.denominator, 'source', w.source, 'comment', w.comment,"
        "   'version', w.new_version, 'published', w.published) END,"
        " w.source, w.audit_comment FROM w ORDER BY w.pos",
        [actor, how, how],
    )


def value_row(cur, indicator_code: str, territory_id: str, period: str, kind: str) -> dict | None:
    """One stored value, or None."""
    frame = cur.execute(
        "SELECT indicator_code, territory_id, period, kind, value, numerator, denominator, source, comment,"
        " is_demo, published, version, updated_by, updated_at FROM indicator_value"
        " WHERE indicator_code = ? AND territory_id = ? AND period = ? AND kind = ?",
        [indicator_code, territory_id, period, kind],
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def history(cur, key: str) -> pd.DataFrame:
    """Every audit entry of one value, oldest first, with old and new figures unpacked."""
    return cur.execute(
        "SELECT id, created_at, actor, action, how,"
        " TRY_CAST(json_extract(old_data, '$.value') AS DOUBLE) AS old_value,"
        " TRY_CAST(json_extract(new_data, '$.value') AS DOUBLE) AS new_value,"
        " TRY_CAST(json_extract(new_data, '$.version') AS INTEGER) AS new_version,"
        " TRY_CAST(json_extract(new_data, '$.published') AS BOOLEAN) AS new_published,"
        " json_extract_string(old_data, '$.comment') AS old_comment,"
        " json_extract_string(new_data, '$.comment') AS new_comment,"
        " source, comment, old_data, new_data"
        " FROM audit_log WHERE entity = 'value' AND entity_key = ? ORDER BY id",
        [key],
    ).df()


def audit_entry(cur, audit_id: int) -> dict | None:
    """One audit row, or None."""
    frame = cur.execute(
        "SELECT id, entity, entity_key, action, how, old_data, new_data FROM audit_log WHERE id = ?", [audit_id]
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def locks(cur) -> pd.DataFrame:
    """Every locked period, with the region name."""
    frame = cur.execute(
        "SELECT region, period, locked_by, locked_at FROM period_lock ORDER BY region, period_start"
    ).df()
    regions = territory_repo.regions(cur)
    frame.insert(1, "region_name", frame["region"].map(dict(zip(regions["code"], regions["name"]))))
    return frame


def has_lock(cur, region: str, period: str) -> bool:
    """Whether a period is already closed for a region."""
    return (
        cur.execute("SELECT 1 FROM period_lock WHERE region = ? AND period = ?", [region, period]).fetchone()
        is not None
    )


def add_lock(cur, region: str, period: str, start, end, actor: str) -> None:
    """Close a period for a region."""
    cur.execute(
        "INSERT INTO period_lock (region, period, period_start, period_end, locked_by) VALUES (?, ?, ?, ?, ?)",
        [region, period, start, end, actor],
    )


def remove_lock(cur, region: str, period: str) -> int:
    """Reopen a period for a region; returns how many locks were removed."""
    # A DELETE returns its row count (RETURNING is not forwarded to PostgreSQL).
    return cur.execute("DELETE FROM period_lock WHERE region = ? AND period = ?", [region, period]).fetchone()[0]


def grid_values(
    cur, indicator_codes: list[str], territory_ids: list[str], period: str, previous: str | None, kind: str
) -> pd.DataFrame:
    """Current, previous-period and latest target values for a set of indicators × territories."""
    listed = {"indicator_code": indicator_codes}
    if len(territory_ids) <= MAX_LISTED_TERRITORIES:
        listed["territory_id"] = territory_ids
    narrow, narrow_params = in_lists("v", listed)
    return cur.execute(
        "WITH keys AS (SELECT i.code AS indicator_code, t.id AS territory_id FROM unnest(?) i(code)"
        " CROSS JOIN unnest(?) t(id)),"
        " cur AS (SELECT indicator_code, territory_id, value, comment, version, is_demo, published, updated_by,"
        f"   updated_at FROM indicator_value v WHERE period = ? AND kind = ? AND {narrow}),"
        f" prev AS (SELECT indicator_code, territory_id, value FROM indicator_value v WHERE period = ? AND kind = ?"
        f"   AND {narrow}),"
        " tgt AS (SELECT indicator_code, territory_id, arg_max(value, period_end) AS value,"
        f"   arg_max(period, period_end) AS period FROM indicator_value v WHERE kind = 'target' AND {narrow}"
        "   GROUP BY ALL),"
        " rev AS (SELECT indicator_code, territory_id, state, reason FROM value_state WHERE period = ? AND kind = ?)"
        " SELECT k.indicator_code, k.territory_id, prev.value AS previous, tgt.value AS target,"
        " tgt.period AS target_period, cur.value, cur.comment, coalesce(cur.version, 0) AS version,"
        " coalesce(cur.is_demo, false) AS is_demo, cur.published, rev.state AS review_state,"
        " rev.reason AS review_reason, cur.updated_by, cur.updated_at"
        " FROM keys k LEFT JOIN cur USING (indicator_code, territory_id)"
        " LEFT JOIN prev USING (indicator_code, territory_id)"
        " LEFT JOIN tgt USING (indicator_code, territory_id)"
        " LEFT JOIN rev USING (indicator_code, territory_id)",
        [
            indicator_codes,
            territory_ids,
            period,
            kind,
            *narrow_params,
            previous or "",
            kind,
            *narrow_params,
            *narrow_params,
            period,
            kind,
        ],
    ).df()


def export(cur, indicator_code: str | None, territory_ids: list[str] | None, published_only: bool) -> pd.DataFrame:
    """Values for export, with territory name and level, optionally filtered."""
    # Filters built here rather than `? IS NULL OR …`: constant conditions reach PostgreSQL, joins do not.
    listed = {} if indicator_code is None else {"indicator_code": [indicator_code]}
    few = territory_ids is not None and len(territory_ids) <= MAX_LISTED_TERRITORIES
    if few:
        listed["territory_id"] = territory_ids
    where, params = in_lists("v", listed) if listed else ("TRUE", [])
    if territory_ids is not None and not few:
        where += " AND v.territory_id IN (SELECT id FROM export_ids)"
    if published_only:
        where += " AND v.published"
    cur.register("export_ids", pd.DataFrame({"id": territory_ids or []}, dtype="str"))
    try:
        return cur.execute(
            "SELECT v.indicator_code AS indicateur, v.territory_id AS territoire, t.name AS nom, t.level AS niveau,"
            " v.period AS periode, CASE v.kind WHEN 'actual' THEN 'realise' WHEN 'target' THEN 'cible'"
            " ELSE 'reference' END AS type, v.value AS valeur, v.numerator AS numerateur,"
            " v.denominator AS denominateur, v.source, v.comment AS commentaire, v.is_demo AS demo,"
            " v.version, v.updated_at AS modifie_le, v.published"
            f" FROM indicator_value v LEFT JOIN territory t ON t.id = v.territory_id WHERE {where}"
            " ORDER BY v.indicator_code, v.territory_id, v.period_end, v.kind",
            params,
        ).df()
    finally:
        cur.unregister("export_ids")


def catalogue(cur) -> pd.DataFrame:
    """The indicator catalogue with source titles."""
    return cur.execute(
        "SELECT i.*, s.title AS source_title FROM indicator i"
        " LEFT JOIN source s ON s.code = i.source_code ORDER BY i.code"
    ).df()


def sources(cur) -> pd.DataFrame:
    """Every public source cited by the plan."""
    return cur.execute("SELECT * FROM source ORDER BY code").df()


def values_of(cur, indicator_code: str, territory_id: str = FRANCE) -> pd.DataFrame:
    """Values, targets and baselines of one indicator in one territory, by period."""
    return cur.execute(
        "SELECT v.period, v.period_end, v.kind, v.value, v.numerator, v.denominator, v.source,"
        " coalesce(s.title, v.source) AS source_title, v.comment, v.is_demo, v.updated_at, v.published,"
        " v.territory_id FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
        " WHERE v.indicator_code = ? AND v.territory_id = ? ORDER BY v.period_end, v.kind",
        [indicator_code, territory_id],
    ).df()


def direct_values(cur, territory_id: str = FRANCE) -> pd.DataFrame:
    """Every value stored directly on one territory (national sourced figures for FR), with source titles."""
    return cur.execute(
        "SELECT v.indicator_code, v.kind, v.period, v.period_end, v.value, v.numerator, v.denominator,"
        " v.source, coalesce(s.title, v.source) AS source_title, v.is_demo, v.published, v.updated_at"
        " FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
        " WHERE v.territory_id = ? ORDER BY v.indicator_code, v.kind, v.period_end",
        [territory_id],
    ).df()


def reference_values(cur, indicator_code: str, territory_id: str = FRANCE) -> pd.DataFrame:
    """Figures other sources give that the plan does not use, each with its source."""
    return cur.execute(
        "SELECT r.period, r.value, r.source, coalesce(s.title, r.source) AS source_title, r.comment"
        " FROM reference_value r LEFT JOIN source s ON s.code = r.source"
        " WHERE r.indicator_code = ? AND r.territory_id = ? ORDER BY r.period, r.value",
        [indicator_code, territory_id],
    ).df()


def definition(cur, code: str) -> dict | None:
    """One indicator's definition with its source title, or None."""
    frame = cur.execute(
        "SELECT i.*, s.title AS source_title FROM indicator i"
        " LEFT JOIN source s ON s.code = i.source_code WHERE i.code = ?",
        [code],
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def source_title(cur, code: str | None) -> str | None:
    """The title of one catalogue source, or None."""
    row = cur.execute("SELECT title FROM source WHERE code = ?", [code]).fetchone() if code else None
    return row[0] if row else None


def targets(cur, territory_id: str) -> pd.DataFrame:
    """Targets set for one territory, every indicator, latest period first."""
    return cur.execute(
        "SELECT indicator_code, period, period_end, value, source, is_demo, published, territory_id"
        " FROM indicator_value WHERE territory_id = ? AND kind = 'target' ORDER BY indicator_code, period_end DESC",
        [territory_id],
    ).df()


def value_sources(cur, wanted: pd.DataFrame, published_only: bool) -> pd.DataFrame:
    """Where the values behind each wanted (indicator_code, source_level, year) come from: the values' own
    sources (a catalogue title when the source is a known code, else the text stored), joined by ' ; '."""
    if wanted.empty:
        return pd.DataFrame(columns=["indicator_code", "year", "sources"])
    years = wanted["year"].astype(int)
    codes = ", ".join(literal(c) for c in sorted(set(wanted["indicator_code"])))
    # Grouped where the values are stored: a national read covers millions of values for a few sources.
    grouped = where_stored(
        cur,
        "SELECT v.indicator_code, CAST(EXTRACT(YEAR FROM v.period_end) AS INTEGER) AS year, t.level, v.source"
        " FROM indicator_value v JOIN territory t ON t.id = v.territory_id"
        f" WHERE v.kind = 'actual' AND v.source IS NOT NULL AND v.indicator_code IN ({codes})"
        f" AND v.period_end BETWEEN {literal(date(years.min(), 1, 1))} AND {literal(date(years.max(), 12, 31))}"
        + (" AND v.published" if published_only else "")
        + " GROUP BY 1, 2, 3, 4",
    )
    cur.register("source_wanted", wanted[["indicator_code", "source_level", "year"]].drop_duplicates())
    try:
        return cur.execute(
            "SELECT g.indicator_code, w.year, string_agg(DISTINCT coalesce(s.title, g.source), ' ; '"
            " ORDER BY coalesce(s.title, g.source)) AS sources"
            f" FROM {grouped} g"
            " JOIN source_wanted w ON w.indicator_code = g.indicator_code AND w.source_level = g.level"
            "  AND g.year = w.year"
            " LEFT JOIN source s ON upper(s.code) = upper(g.source) GROUP BY ALL"
        ).df()
    finally:
        cur.unregister("source_wanted")


def codes(cur) -> list[str]:
    """Every indicator code, in order."""
    return [r[0] for r in cur.execute("SELECT code FROM indicator ORDER BY code").fetchall()]


def value_counts(cur) -> dict:
    """Values per kind, demo values, and keys stored twice (none in a sound database)."""
    return {
        "kinds": dict(cur.execute("SELECT kind, count(*) FROM indicator_value GROUP BY kind").fetchall()),
        "demo": cur.execute("SELECT count(*) FROM indicator_value WHERE is_demo").fetchone()[0],
        "duplicate_keys": cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM indicator_value GROUP BY indicator_code, territory_id,"
            " period, kind HAVING count(*) > 1)"
        ).fetchone()[0],
    }


def national_sourced_values(cur) -> list[tuple]:
    """France's values that are not demo data: (indicator, period, kind, value, numerator, denominator,
    source, source title), by indicator and period."""
    return cur.execute(
        "SELECT v.indicator_code, v.period, v.kind, v.value, v.numerator, v.denominator,"
        " v.source, s.title FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
        " WHERE v.territory_id = ? AND NOT v.is_demo ORDER BY v.indicator_code, v.period_end, v.kind",
        [FRANCE],
    ).fetchall()
