"""Indicators computed from the registry of tiers-lieux, written as values with source "registre"."""

from __future__ import annotations

from datetime import date

REGISTRY_SOURCE = "registre"
FIRST_YEAR = 2018

# Yearly stock per commune, every commune included: a commune with no place has 0, not "missing".
_COUNTS_SQL = """
WITH years AS (SELECT range::INTEGER AS y FROM range(?, ? + 1)),
communes AS (SELECT code FROM territory WHERE level = 'commune'),
stocks AS (
    SELECT 'TL_OUVERTS' AS indicator_code, l.commune_code, y.y, count(*) AS n
    FROM lieu l JOIN years y ON year(l.opened_on) <= y.y AND (l.closed_on IS NULL OR year(l.closed_on) > y.y)
    WHERE l.commune_code IS NOT NULL AND l.opened_on IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT CASE b.label WHEN 'fabrique_territoire' THEN 'FAB_LABELLISEES'
                        WHEN 'fabrique_numerique' THEN 'FAB_NUMERIQUES'
                        ELSE 'MANUF_LABELLISEES' END, l.commune_code, y.y, count(*)
    FROM lieu_label b JOIN lieu l ON l.id = b.lieu_id JOIN years y ON b.year <= y.y
    WHERE l.commune_code IS NOT NULL GROUP BY ALL
),
codes AS (SELECT unnest(['TL_OUVERTS', 'FAB_LABELLISEES', 'FAB_NUMERIQUES', 'MANUF_LABELLISEES']) AS indicator_code)
INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind, value,
                             source, is_demo, updated_by)
SELECT k.indicator_code, 'COM-' || c.code, y.y::VARCHAR, make_date(y.y, 1, 1), make_date(y.y, 12, 31),
       'actual', coalesce(s.n, 0), ?, ?, ?
FROM codes k CROSS JOIN communes c CROSS JOIN years y
LEFT JOIN stocks s ON s.indicator_code = k.indicator_code AND s.commune_code = c.code AND s.y = y.y
"""


def recompute(cur, actor: str = REGISTRY_SOURCE, last_year: int | None = None) -> int:
    """Rewrite every registry-computed value from the current registry; returns rows written."""
    last_year = last_year or date.today().year
    is_demo = cur.execute("SELECT coalesce(bool_or(is_demo), false) FROM lieu").fetchone()[0]
    cur.execute("DELETE FROM indicator_value WHERE source = ?", [REGISTRY_SOURCE])
    cur.execute(_COUNTS_SQL, [FIRST_YEAR, last_year, REGISTRY_SOURCE, is_demo, actor])
    written = cur.execute(
        "SELECT count(*) FROM indicator_value WHERE source = ?", [REGISTRY_SOURCE]).fetchone()[0]
    cur.execute(
        "INSERT INTO audit_log (actor, entity, action, how, comment) VALUES (?, 'value', 'recompute', 'registre', ?)",
        [actor, f"{written} valeurs recalculées depuis le registre"])
    return written
