"""SQL reads for the peer comparison and the territory sheet (set-based: one query for all indicators)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import aggregates


def indicators(cur) -> pd.DataFrame:
    """The indicator catalogue with its source title, in plan order (axis, measure) then code."""
    return cur.execute(
        "SELECT i.*, s.title AS source_title, s.publisher AS source_publisher,"
        " min(a.position * 1000 + m.position) AS plan_order, min(m.code) AS measure_code"
        " FROM indicator i LEFT JOIN source s ON s.code = i.source_code"
        " LEFT JOIN measure_indicator mi ON mi.indicator_code = i.code"
        " LEFT JOIN measure m ON m.code = mi.measure_code LEFT JOIN axis a ON a.code = m.axis_code"
        " GROUP BY ALL ORDER BY plan_order NULLS LAST, i.code"
    ).df()


def rolled_slices(cur, published_only: bool) -> pd.DataFrame:
    """Every yearly roll-up slice of actual values: indicator, year and the level it was rolled up from."""
    where = "r.kind = 'actual' AND r.level = 'pays'"  # one row per slice: France's
    return cur.execute(
        aggregates.visible_sql("r.indicator_code, r.year, r.source_level", where), [published_only, published_only]
    ).df()


def rolled_values(cur, level: str, wanted: pd.DataFrame, territories: pd.DataFrame, published_only: bool) -> dict:
    """Rolled-up actual values of a level's territories, for the (indicator_code, source_level, year) rows
    of `wanted` (with their matrix column `col` and whether they are the `latest` year).

    Returns numpy arrays: row of the territory in `territories` (id, row), col, latest, value,
    reported, expected, is_demo. No strings cross over, which keeps a national read fast.
    """
    if wanted.empty:  # nothing to read (and an empty frame has no column types to join on)
        return {name: np.array([]) for name in ("row", "col", "latest", "value", "reported", "expected", "is_demo")}
    where = (
        "r.kind = 'actual' AND r.level = ? AND EXISTS (SELECT 1 FROM rolled_wanted w WHERE"
        " w.indicator_code = r.indicator_code AND w.year = r.year AND w.source_level = r.source_level)"
    )
    visible = aggregates.visible_sql(
        "r.indicator_code, r.year, r.territory_id, r.value, r.reported, r.expected, r.is_demo", where
    )
    cur.register("rolled_wanted", wanted)
    cur.register("rolled_territories", territories)
    try:
        return cur.execute(
            f"SELECT t.row, w.col, w.latest, r.value, r.reported, r.expected, coalesce(r.is_demo, false) AS is_demo"
            f" FROM ({visible}) r JOIN rolled_wanted w ON w.indicator_code = r.indicator_code AND w.year = r.year"
            " JOIN rolled_territories t ON t.id = r.territory_id",
            [published_only, level, published_only, level],
        ).fetchnumpy()
    finally:
        cur.unregister("rolled_wanted")
        cur.unregister("rolled_territories")


def value_sources(cur, wanted: pd.DataFrame, published_only: bool) -> pd.DataFrame:
    """Where the values behind each wanted (indicator_code, source_level, year) come from: the values' own
    sources (a catalogue title when the source is a known code, else the text stored), joined by ' ; '."""
    if wanted.empty:
        return pd.DataFrame(columns=["indicator_code", "year", "sources"])
    cur.register("source_wanted", wanted[["indicator_code", "source_level", "year"]].drop_duplicates())
    try:
        return cur.execute(
            "SELECT v.indicator_code, w.year, string_agg(DISTINCT coalesce(s.title, v.source), ' ; '"
            " ORDER BY coalesce(s.title, v.source)) AS sources"
            " FROM indicator_value v JOIN territory t ON t.id = v.territory_id"
            " JOIN source_wanted w ON w.indicator_code = v.indicator_code AND w.source_level = t.level"
            "  AND year(v.period_end) = w.year"
            " LEFT JOIN source s ON upper(s.code) = upper(v.source)"
            " WHERE v.kind = 'actual' AND v.source IS NOT NULL AND (NOT ? OR v.published) GROUP BY ALL",
            [published_only],
        ).df()
    finally:
        cur.unregister("source_wanted")


def rolled_series(cur, level: str, indicator_code: str, source_level: str, published_only: bool) -> pd.DataFrame:
    """Every year of one indicator rolled up from one source level into a level's territories."""
    where = "r.kind = 'actual' AND r.level = ? AND r.indicator_code = ? AND r.source_level = ?"
    params = [level, indicator_code, source_level]
    return cur.execute(
        aggregates.visible_sql("r.year, r.territory_id, r.value", where),
        [published_only, *params, published_only, *params],
    ).df()


def targets(cur, territory_id: str) -> pd.DataFrame:
    """Targets set for one territory, every indicator, latest period first."""
    return cur.execute(
        "SELECT indicator_code, period, period_end, value, source, is_demo, published, territory_id"
        " FROM indicator_value WHERE territory_id = ? AND kind = 'target' ORDER BY indicator_code, period_end DESC",
        [territory_id],
    ).df()


def lieux(cur, level: str, code: str, limit: int = 200) -> tuple[int, pd.DataFrame]:
    """Tiers-lieux of the registry located in a territory (count, and the first `limit` by name)."""
    where = {
        "commune": "t.code = ?",
        "epci": "t.epci_siren = ?",
        "departement": "t.departement_code = ?",
        "region": "t.region_code = ?",
        "pays": "? IS NOT NULL",
    }[level]
    base = f" FROM lieu l JOIN territory t ON t.level = 'commune' AND t.code = l.commune_code WHERE {where}"
    total = cur.execute("SELECT count(*)" + base, [code]).fetchone()[0]
    frame = cur.execute(
        "SELECT l.id, l.name, t.name AS commune, array_to_string(l.types, ', ') AS types, l.opened_on,"
        " l.closed_on, l.is_demo, l.source, coalesce((SELECT string_agg(CASE b.label"
        " WHEN 'fabrique_territoire' THEN 'Fabrique de territoire' WHEN 'fabrique_numerique'"
        " THEN 'Fabrique numérique' ELSE 'Manufacture de proximité' END || ' ' || b.year, ', ' ORDER BY b.year)"
        " FROM lieu_label b WHERE b.lieu_id = l.id), '') AS labels"
        + base
        + " ORDER BY l.closed_on IS NOT NULL, l.name LIMIT ?",
        [code, limit],
    ).df()
    return total, frame
