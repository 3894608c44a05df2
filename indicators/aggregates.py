"""Materialised yearly roll-ups (table rollup_year), kept exact by recomputing changed slices.

Every write of values marks the (indicator, year, kind) slices it touched as dirty, in the same
transaction; reads refresh dirty slices first. A slice is rolled up from its finest reporting level
(communes for registry indicators, régions for regional series…) to every level above it.
"""

from __future__ import annotations

import pandas as pd

from indicators.periods import parse_period
from indicators.rollup import LEVELS, reporting_level, rollup_all, rules_frame
from store.db import Database

_VALUE_COLUMNS = "indicator_code, year, kind, source_level, level, territory_id, value, numerator," \
                 " denominator, reported, expected, is_demo, updated_at"


def mark_dirty(cur, table: str = "indicator_value", where: str = "TRUE", params: list | None = None) -> None:
    """Mark the slices of the rows of `table` matching `where` for recomputation (same transaction)."""
    cur.execute(f"INSERT INTO rollup_dirty SELECT DISTINCT indicator_code, year(period_end), kind"
                f" FROM {table} WHERE {where}", params or [])


def mark_years(cur, table: str) -> None:
    """Mark the slices of a table of (indicator_code, period) rows whose periods are years."""
    cur.execute(f"INSERT INTO rollup_dirty SELECT DISTINCT indicator_code, CAST(period AS INTEGER), 'actual'"
                f" FROM {table}")


def mark_slices(cur, slices: list[tuple[str, int, str]]) -> None:
    """Mark explicit (indicator_code, year, kind) slices for recomputation."""
    if slices:
        cur.executemany("INSERT INTO rollup_dirty VALUES (?, ?, ?)", slices)


def _refresh_slices(cur, slices: pd.DataFrame) -> int:
    """Recompute the given slices, grouping the work by year, kind and source level."""
    cur.execute("DELETE FROM rollup_year r USING dirty_slices d WHERE r.indicator_code = d.indicator_code"
                " AND r.year = d.year AND r.kind = d.kind")
    rules = cur.execute("SELECT code, territorial_agg, temporal_agg, kind, per_inhabitants FROM indicator").df().set_index("code")
    written = 0
    for (year, kind), group in slices.groupby(["year", "kind"]):
        period = parse_period(str(year))
        by_level: dict[str, list[str]] = {}
        for code in group["indicator_code"]:
            if code not in rules.index:
                continue
            level = reporting_level(cur, code, period, kind)
            if level is not None:
                by_level.setdefault(level, []).append(code)
        for source_level, codes in by_level.items():
            levels = list(LEVELS[LEVELS.index(source_level):])
            frame = rollup_all(cur, rules_frame(rules.loc[codes].reset_index()), period, levels,
                               source_level=source_level, kind=kind)
            frame = frame.assign(year=int(year), kind=kind, source_level=source_level,
                                 level=frame["territory_id"].map(_level_of))
            cur.register("fresh_rollup", frame)
            cur.execute(f"INSERT INTO rollup_year ({_VALUE_COLUMNS}) SELECT {_VALUE_COLUMNS} FROM fresh_rollup")
            cur.unregister("fresh_rollup")
            written += len(frame)
    return written


def _level_of(territory_id: str) -> str:
    if territory_id == "FR":
        return "pays"
    return {"COM": "commune", "EPCI": "epci", "DEP": "departement", "REG": "region"}[territory_id.split("-")[0]]


def refresh(cur) -> int:
    """Recompute every dirty slice, then clear the marks; returns rows written."""
    slices = cur.execute("SELECT DISTINCT indicator_code, year, kind FROM rollup_dirty").df()
    if slices.empty:
        return 0
    cur.register("dirty_slices", slices)
    try:
        written = _refresh_slices(cur, slices)
    finally:
        cur.unregister("dirty_slices")
    cur.execute("DELETE FROM rollup_dirty")
    return written


def ensure_fresh(db: Database) -> None:
    """Refresh dirty slices if any (a cheap check when there are none)."""
    with db.read() as cur:
        dirty = cur.execute("SELECT count(*) FROM rollup_dirty").fetchone()[0]
    if dirty:
        db.write(refresh)


def yearly(db: Database, year: int, levels: list[str], indicator_codes: list[str] | None = None,
           kind: str = "actual") -> pd.DataFrame:
    """Rolled-up values of a year for territories of the given levels (all indicators unless named)."""
    ensure_fresh(db)
    sql = (f"SELECT {_VALUE_COLUMNS} FROM rollup_year WHERE year = ? AND kind = ?"
           " AND list_contains(?, level)")
    params: list = [year, kind, levels]
    if indicator_codes is not None:
        sql += " AND list_contains(?, indicator_code)"
        params.append(indicator_codes)
    with db.read() as cur:
        return cur.execute(sql + " ORDER BY indicator_code, territory_id", params).df()
