"""The write path of values computed from another table (the registry): diff, held-back locks, audit, apply.

The caller (lieux.computed) leaves the values it computed in the temporary table `recompute_new`
(indicator_code, territory_id, period, y, value, numerator, denominator) and says, with a SQL predicate
on the stored values, which of them it recomputed. Only the differences are written, each audited one
row per value like a typed change (indicators.repository.write); values of periods locked for their
région are held back.
"""

from __future__ import annotations

from indicators.aggregates import mark_years
from indicators.key_filter import batch_filter
from store import audit

# Rewriting two million rows of an indexed table is slow in DuckDB, and nearly all of them are unchanged:
# one full join finds the differences, and only those are written.
_DIFF_SQL = """
CREATE OR REPLACE TEMP TABLE recompute_diff AS
SELECT coalesce(n.indicator_code, v.indicator_code) AS indicator_code,
       coalesce(n.territory_id, v.territory_id) AS territory_id, coalesce(n.period, v.period) AS period,
       n.y, n.value, n.numerator, n.denominator,
       v.value AS old_value, v.numerator AS old_numerator, v.denominator AS old_denominator, v.version AS old_version,
       CASE WHEN n.indicator_code IS NULL THEN 'delete' WHEN v.indicator_code IS NULL THEN 'insert'
            ELSE 'update' END AS action
FROM recompute_new n
FULL JOIN (SELECT indicator_code, territory_id, period, value, numerator, denominator, is_demo, version
           FROM indicator_value WHERE source = ? AND kind = 'actual' AND ({scope})) v
  ON n.indicator_code = v.indicator_code AND n.territory_id = v.territory_id AND n.period = v.period
WHERE n.indicator_code IS NULL OR v.indicator_code IS NULL OR v.value IS DISTINCT FROM n.value
   OR v.numerator IS DISTINCT FROM n.numerator OR v.denominator IS DISTINCT FROM n.denominator
   OR v.is_demo IS DISTINCT FROM ?
"""
_DELETE_SQL = """DELETE FROM indicator_value v USING recompute_diff d
       WHERE d.action = 'delete' AND v.indicator_code = d.indicator_code AND v.territory_id = d.territory_id
         AND v.period = d.period AND v.kind = 'actual' AND {narrow}"""
_UPDATE_SQL = """UPDATE indicator_value v SET value = d.value, numerator = d.numerator, denominator = d.denominator,
           is_demo = ?, updated_by = ?, updated_at = current_timestamp, version = v.version + 1
       FROM recompute_diff d
       WHERE d.action = 'update' AND v.indicator_code = d.indicator_code AND v.territory_id = d.territory_id
         AND v.period = d.period AND v.kind = 'actual' AND {narrow}"""
_INSERT_SQL = """INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind, value,
                                    numerator, denominator, source, is_demo, updated_by)
       SELECT indicator_code, territory_id, period, make_date(y, 1, 1), make_date(y, 12, 31), 'actual', value,
              numerator, denominator, ?, ?, ?
       FROM recompute_diff WHERE action = 'insert'"""
# A computed value inside a period locked for its région is held back.
_HOLD_LOCKED_SQL = """
DELETE FROM recompute_diff d USING territory t, period_lock p
WHERE t.id = d.territory_id AND p.region = t.region_code
  AND p.period_start <= make_date(CAST(d.period AS INTEGER), 1, 1)
  AND p.period_end >= make_date(CAST(d.period AS INTEGER), 12, 31)
"""
# One audit row per value changed, shaped like the rows of a typed change (indicators.repository.write).
_AUDIT_SELECT = """
SELECT ?, 'value', indicator_code || '|' || territory_id || '|' || period || '|actual', action, ?,
       CASE WHEN old_version IS NULL THEN NULL ELSE json_object('value', old_value, 'numerator', old_numerator,
            'denominator', old_denominator, 'source', ?, 'comment', NULL, 'version', old_version) END,
       CASE WHEN action = 'delete' THEN NULL ELSE json_object('value', value, 'numerator', numerator,
            'denominator', denominator, 'source', ?, 'comment', NULL,
            'version', coalesce(old_version + 1, 1)) END,
       ?, ?
FROM recompute_diff ORDER BY indicator_code, territory_id, period
"""


def replace(
    cur,
    *,
    source: str,
    scope_sql: str,
    scope_params: list,
    is_demo: bool,
    actor: str,
    comment: str,
    audit_values: bool = True,
) -> dict[str, int]:
    """Bring the stored values of `source` within scope_sql in line with recompute_new; returns the counts
    of values held (locked periods), inserted, updated and deleted. The audit rows say how = source."""
    cur.execute(_DIFF_SQL.format(scope=scope_sql), [source, *scope_params, is_demo])
    # The join costs seconds over two million rows even with no lock at all (a first build): skip it then.
    locked = cur.execute("SELECT EXISTS (SELECT 1 FROM period_lock)").fetchone()[0]
    held = cur.execute(_HOLD_LOCKED_SQL).fetchone()[0] if locked else 0
    mark_years(cur, "recompute_diff")  # the yearly roll-ups of what changed are recomputed on read
    if audit_values:
        audit.append_select(cur, _AUDIT_SELECT, [actor, source, source, source, source, comment])
    deleted = _apply(cur, _DELETE_SQL, "delete", [])
    updated = _apply(cur, _UPDATE_SQL, "update", [is_demo, actor])
    inserted = cur.execute(_INSERT_SQL, [source, is_demo, actor]).fetchone()[0]
    cur.execute("DROP TABLE recompute_diff")
    return {"held": held, "inserted": inserted, "updated": updated, "deleted": deleted}


def _apply(cur, sql: str, action: str, params: list) -> int:
    """Run a DELETE or UPDATE of the diff's rows of one action, naming their keys (none: nothing to run)."""
    keys = cur.execute(
        "SELECT DISTINCT indicator_code, territory_id, period FROM recompute_diff WHERE action = ?", [action]
    ).df()
    if keys.empty:
        return 0
    narrow, narrow_params = batch_filter(keys)
    return cur.execute(sql.format(narrow=narrow), [*params, *narrow_params]).fetchone()[0]


def yearly_count(cur, indicator_code: str, source: str, prefix: str, first_year: int, last_year: int) -> int:
    """How many yearly actual values of one indicator and source, on territories of one prefix, lie in a range."""
    return cur.execute(
        "SELECT count(*) FROM indicator_value WHERE indicator_code = ? AND source = ? AND kind = 'actual'"
        " AND territory_id LIKE ? AND CAST(period AS INTEGER) BETWEEN ? AND ?",
        [indicator_code, source, prefix + "%", first_year, last_year],
    ).fetchone()[0]
