"""Materialised yearly roll-ups (table rollup_year), kept exact by recomputing changed slices.

Every write of values marks the (indicator, year, kind) slices it touched as dirty, in the same
transaction; reads refresh dirty slices first. A slice is rolled up from its finest reporting level
(communes for registry indicators, régions for regional series…) to every level above it.
A read of régions and France only may refresh those two levels alone ("coarse"): the slice is then
listed in rollup_deferred until a read of a finer level rolls it up fully. Each level is computed
from the source values on its own, so a coarse row equals the row of a full refresh.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators.key_filter import in_lists
from indicators.periods import Period
from indicators.rollup import rollup_params, rollup_sql, rules_frame
from store.db import Database
from territories.levels import LEVELS

# The levels a coarse refresh computes: the national dashboard reads nothing finer.
COARSE_LEVELS = ("region", "pays")

# Source values rolled up by one query: bounded so that a full refresh stays within the memory limit.
ROWS_PER_QUERY = 3_000_000

_VALUE_COLUMNS = (
    "indicator_code, year, kind, source_level, level, territory_id, value, numerator,"
    " denominator, reported, expected, is_demo, updated_at"
)


def mark_dirty(cur, table: str = "indicator_value", where: str = "TRUE", params: list | None = None) -> None:
    """Mark the slices of the rows of `table` matching `where` for recomputation (same transaction)."""
    cur.execute(
        f"INSERT INTO rollup_dirty SELECT DISTINCT indicator_code, year(period_end), kind FROM {table} WHERE {where}",
        params or [],
    )


def mark_years(cur, table: str) -> None:
    """Mark the slices of a table of (indicator_code, period) rows whose periods are years."""
    cur.execute(
        f"INSERT INTO rollup_dirty SELECT DISTINCT indicator_code, CAST(period AS INTEGER), 'actual' FROM {table}"
    )


_SOURCE_LEVEL_SQL = """
SELECT v.indicator_code AS code, year(v.period_end) AS year,
       min(CASE WHEN v.territory_id = 'FR' THEN 4 ELSE list_position(['COM', 'EPCI', 'DEP', 'REG'],
           split_part(v.territory_id, '-', 1)) - 1 END) AS rank, count(*) AS n
FROM indicator_value v SEMI JOIN slices_to_roll s
     ON s.indicator_code = v.indicator_code AND s.year = year(v.period_end) AND s.kind = v.kind
WHERE v.kind = ? AND (v.published OR NOT ?) AND {narrow}
GROUP BY 1, 2
"""


def _values_of(slices: pd.DataFrame, alias: str = "v") -> tuple[str, list]:
    """Constant filters on indicator_value naming the slices' indicators, kinds and years (a join alone is not
    sent to PostgreSQL, which would then copy every value out for each statement)."""
    narrow, params = in_lists(alias, {"indicator_code": slices["indicator_code"], "kind": slices["kind"]})
    years = slices["year"].astype(int)
    first, last = (date(years.min(), 1, 1), date(years.max(), 12, 31)) if len(years) else (date.max, date.min)
    return f"{narrow} AND {alias}.period_end BETWEEN ? AND ?", [*params, first, last]


def _rollups_of(slices: pd.DataFrame, alias: str) -> tuple[str, list]:
    """The same constant filters on a roll-up table (its own year column)."""
    return in_lists(
        alias, {"indicator_code": slices["indicator_code"], "kind": slices["kind"], "year": slices["year"].astype(int)}
    )


def _batches(found: pd.DataFrame):
    """(rank, group) of slices to roll up in one query: one finest level, at most ROWS_PER_QUERY source values
    (a national refresh of 21 M values in one query exceeds the default memory limit)."""
    for rank, group in found.groupby("rank"):
        group = group.sort_values(["code", "year"])
        batch = (group["n"].cumsum() - 1) // ROWS_PER_QUERY
        for _, part in group.groupby(batch.to_numpy()):
            yield rank, part


def _rollup_slices(cur, slices: pd.DataFrame, rules: pd.DataFrame, published_only: bool, coarse: bool) -> int:
    """Roll slices up into rollup_year: one query per kind and finest reporting level, all years at once."""
    written = 0
    slices = slices[slices["indicator_code"].isin(rules.index)]
    cur.register("slices_to_roll", slices)
    try:
        for kind in slices["kind"].unique():
            narrow, params = _values_of(slices[slices["kind"] == kind])
            found = cur.execute(_SOURCE_LEVEL_SQL.format(narrow=narrow), [kind, published_only, *params]).df()
            for rank, group in _batches(found):
                source_level = LEVELS[int(rank)]
                levels = [lvl for lvl in LEVELS[int(rank) :] if not coarse or lvl in COARSE_LEVELS]
                period = Period(
                    date(int(group["year"].min()), 1, 1), date(int(group["year"].max()), 12, 31), "", "year"
                )
                # Straight from the roll-up query into the table: millions of rows never cross to pandas.
                codes = group["code"].unique().tolist()
                cur.register("rollup_rules", rules_frame(rules.loc[codes].reset_index()))
                cur.register("rollup_years", group[["code", "year"]])
                try:
                    written += cur.execute(
                        f"INSERT INTO rollup_year ({_VALUE_COLUMNS}, published_only)"
                        " SELECT indicator_code, year, ?, ?, level, territory_id, value, numerator, denominator,"
                        " reported, expected, is_demo, updated_at, ?"
                        f" FROM ({rollup_sql(levels, source_level, len(codes))})",
                        [
                            kind,
                            source_level,
                            published_only,
                            *rollup_params(period, source_level, kind, published_only, codes),
                        ],
                    ).fetchone()[0]
                finally:
                    cur.unregister("rollup_rules")
                    cur.unregister("rollup_years")
    finally:
        cur.unregister("slices_to_roll")
    return written


def _refresh_slices(cur, slices: pd.DataFrame, coarse: bool) -> int:
    """Recompute the given slices: over every value, and over published values where some are not."""
    narrow, params = _rollups_of(slices, "r")
    for table in ("rollup_year", "rollup_unpublished", "rollup_deferred"):
        cur.execute(
            f"DELETE FROM {table} r USING dirty_slices d WHERE r.indicator_code = d.indicator_code"
            f" AND r.year = d.year AND r.kind = d.kind AND {narrow}",
            params,
        )
    rules = (
        cur.execute("SELECT code, territorial_agg, temporal_agg, kind, per_inhabitants FROM indicator")
        .df()
        .set_index("code")
    )
    written = _rollup_slices(cur, slices, rules, published_only=False, coarse=coarse)
    narrow, params = _values_of(slices)
    hidden = cur.execute(
        "SELECT DISTINCT v.indicator_code, year(v.period_end) AS year, v.kind FROM indicator_value v"
        " SEMI JOIN dirty_slices d ON d.indicator_code = v.indicator_code AND d.kind = v.kind"
        f" AND d.year = year(v.period_end) WHERE NOT v.published AND {narrow}",
        params,
    ).df()
    if not hidden.empty:
        cur.register("hidden_slices", hidden)
        cur.execute("INSERT INTO rollup_unpublished SELECT indicator_code, year, kind FROM hidden_slices")
        cur.unregister("hidden_slices")
        written += _rollup_slices(cur, hidden, rules, published_only=True, coarse=coarse)
    if coarse:
        cur.execute("INSERT INTO rollup_deferred SELECT indicator_code, year, kind FROM dirty_slices")
    cur.execute("UPDATE rollup_state SET version = version + 1")
    return written


def _pending_sql(coarse: bool) -> str:
    """The slices a refresh recomputes: dirty ones, and for a full refresh the deferred ones too."""
    return "SELECT indicator_code, year, kind FROM rollup_dirty" + (
        "" if coarse else " UNION SELECT indicator_code, year, kind FROM rollup_deferred"
    )


def refresh(cur, coarse: bool = False) -> int:
    """Recompute every dirty slice (all levels, or régions and France only if coarse), then clear the
    marks; returns rows written."""
    slices = cur.execute(f"SELECT DISTINCT * FROM ({_pending_sql(coarse)})").df()
    if slices.empty:
        return 0
    cur.register("dirty_slices", slices)
    try:
        written = _refresh_slices(cur, slices, coarse)
    finally:
        cur.unregister("dirty_slices")
    cur.execute("DELETE FROM rollup_dirty")
    return written


def is_coarse(levels) -> bool:
    """Whether a read of these levels needs only the régions' and France's roll-ups."""
    return levels is not None and set(levels) <= set(COARSE_LEVELS)


def ensure_fresh(db: Database, levels=None) -> None:
    """Refresh what a read of `levels` (every level if None) needs, if anything (a cheap check)."""
    coarse = is_coarse(levels)
    with db.read() as cur:
        pending = cur.execute(f"SELECT count(*) FROM ({_pending_sql(coarse)})").fetchone()[0]
    if pending:
        db.write(lambda cur: refresh(cur, coarse))


def version(db: Database, levels=None) -> int:
    """Refresh what a read of `levels` needs, then the roll-ups' version: it moves on every refresh (cache key)."""
    ensure_fresh(db, levels)
    with db.read() as cur:
        return cur.execute("SELECT max(version) FROM rollup_state").fetchone()[0]


_VISIBLE_PUBLISHED = """
    SELECT {columns} FROM rollup_year r
    ANTI JOIN rollup_unpublished h ON h.indicator_code = r.indicator_code AND h.year = r.year AND h.kind = r.kind
    WHERE NOT r.published_only AND {where}
    UNION ALL
    SELECT {columns} FROM rollup_year r WHERE r.published_only AND {where}
"""


def visible(columns: str, where: str, params: list, published_only: bool) -> tuple[str, list]:
    """SQL and parameters of the roll-up rows (with `columns`, filtered by `where` on alias r, taking `params`)
    one kind of reader sees: all values' roll-ups, or for published_only the published-only roll-ups of the
    slices holding unpublished values. The first reads the table once, not twice (on PostgreSQL, each read
    copies its rows out)."""
    if not published_only:
        return f"SELECT {columns} FROM rollup_year r WHERE NOT r.published_only AND {where}", list(params)
    return _VISIBLE_PUBLISHED.format(columns=columns, where=where), [*params, *params]


def yearly(
    db: Database,
    year: int,
    levels: list[str],
    indicator_codes: list[str] | None = None,
    kind: str = "actual",
    published_only: bool = False,
) -> pd.DataFrame:
    """Rolled-up values of a year for territories of the given levels (all indicators unless named)."""
    ensure_fresh(db, levels)
    # IN lists rather than list_contains: PostgreSQL receives them as filters (and uses its index).
    named, params = in_lists(
        "r", {"level": levels, **({} if indicator_codes is None else {"indicator_code": indicator_codes})}
    )
    where = f"r.year = ? AND r.kind = ? AND {named}"
    params = [year, kind, *params]
    columns = ", ".join(f"r.{c.strip()}" for c in _VALUE_COLUMNS.split(","))
    sql, params = visible(columns, where, params, published_only)
    with db.read() as cur:
        return cur.execute(f"SELECT * FROM ({sql}) ORDER BY indicator_code, territory_id", params).df()


def subnational_periods(cur, code: str) -> pd.DataFrame:
    """Years holding actual values of an indicator below France, with the finest level holding them."""
    return cur.execute(
        "SELECT year::VARCHAR AS period, make_date(year, 12, 31) AS period_end,"
        " list_position(['commune', 'epci', 'departement', 'region'], any_value(source_level)) - 1 AS rank"
        " FROM rollup_year WHERE indicator_code = ? AND kind = 'actual' AND source_level <> 'pays'"
        # France's row counts the source territories that reported, like the source rows would.
        " AND level = 'pays' AND reported > 0 AND NOT published_only"
        " GROUP BY year ORDER BY year",
        [code],
    ).df()
