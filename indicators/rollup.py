"""Roll-up of values over time and territories, by each indicator's aggregation rules.

Over time, within the requested period: a stock (`last`) keeps its latest value, a flow (`sum`) adds
its sub-periods. Over territories: `sum`, `ratio_of_sums` (Σ numerators / Σ denominators, never a mean
of percentages), `population_weighted_mean`, `min`, `max`; `none` does not aggregate. A missing child
is missing, not zero: every aggregate carries how many children reported out of how many exist.
All indicators and all requested levels are computed in one scan of the values.
"""

from __future__ import annotations

import pandas as pd

from indicators.periods import Period
from territories.levels import FRANCE, LEVELS, PREFIX

__all__ = ["rollup_all", "rollup_params", "rollup_sql", "rules_frame"]
# The parent of a child territory row at each level (prefixes from the one level table).
PARENT = {
    "epci": f"'{PREFIX['epci']}' || t.epci_siren",
    "departement": f"'{PREFIX['departement']}' || t.departement_code",
    "region": f"'{PREFIX['region']}' || t.region_code",
    "pays": f"'{FRANCE}'",
}
RESULT_COLUMNS = [
    "indicator_code",
    "level",
    "territory_id",
    "value",
    "numerator",
    "denominator",
    "reported",
    "expected",
    "is_demo",
    "updated_at",
]

_SQL = """
WITH rules AS (  -- one row per (indicator, year) slice to compute
    SELECT r.*, y.year FROM rollup_rules r JOIN rollup_years y ON y.code = r.code
),
src AS (  -- the values of the slices, within the period
    SELECT v.indicator_code, year(v.period_end) AS year, v.territory_id, r.temporal_agg, v.period, v.period_end,
           v.value, v.numerator, v.denominator, v.is_demo, v.updated_at
    FROM indicator_value v JOIN rules r ON r.code = v.indicator_code AND r.year = year(v.period_end)
    WHERE v.kind = ? AND v.period_start >= ? AND v.period_end <= ? AND starts_with(v.territory_id, ?)
      AND (v.published OR NOT ?) AND {codes}
),
-- The value key (indicator, territory, period, kind) allows one yearly row per child and year: a child
-- with nothing finer than its yearly row is that row. Only children with sub-year rows (quarters,
-- months) are aggregated over time, which spares grouping millions of single rows.
finer AS (SELECT DISTINCT indicator_code, year, territory_id FROM src WHERE period <> CAST(year AS VARCHAR)),
b AS (  -- one row per slice and child territory having sub-year rows, aggregated over time
    SELECT s.indicator_code, s.year, s.territory_id, any_value(s.temporal_agg) AS temporal_agg,
           arg_max(s.value, s.period_end) AS last_value, sum(s.value) AS sum_value,
           arg_max(s.numerator, s.period_end) AS last_num, sum(s.numerator) AS sum_num,
           arg_max(s.denominator, s.period_end) AS last_den, sum(s.denominator) AS sum_den,
           bool_or(s.is_demo) AS is_demo, max(s.updated_at) AS updated_at
    FROM src s SEMI JOIN finer f
         ON f.indicator_code = s.indicator_code AND f.year = s.year AND f.territory_id = s.territory_id
    GROUP BY s.indicator_code, s.year, s.territory_id
),
c AS (  -- one row per slice and child territory
    SELECT s.indicator_code, s.year, s.territory_id, s.is_demo, s.updated_at, s.value, s.numerator, s.denominator
    FROM src s ANTI JOIN finer f
         ON f.indicator_code = s.indicator_code AND f.year = s.year AND f.territory_id = s.territory_id
    UNION ALL
    SELECT b.indicator_code, b.year, b.territory_id, b.is_demo, b.updated_at,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_value ELSE b.sum_value END AS value,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_num ELSE b.sum_num END AS numerator,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_den ELSE b.sum_den END AS denominator
    FROM b
),
children AS (SELECT {parents}, t.id, t.population FROM territory t WHERE t.level = ?),
reporting AS (  -- the children that reported, each with its parents: what levels above the source add up
    SELECT c.indicator_code, c.year, ch.*, c.value, c.numerator, c.denominator, c.is_demo, c.updated_at
    FROM c JOIN children ch ON ch.id = c.territory_id
),
joined AS (  -- every child of every slice, reported or not: the source level's own rows
    SELECT r.code AS indicator_code, r.year, r.territorial_agg, r.scale, ch.*, c.value, c.numerator,
           c.denominator, c.is_demo, c.updated_at, c.territory_id IS NOT NULL AS reported
    FROM rules r CROSS JOIN children ch
    LEFT JOIN c ON c.indicator_code = r.code AND c.year = r.year AND c.territory_id = ch.id
),
grouped AS ({groups})
SELECT indicator_code, year, level, territory_id,
       CASE WHEN reported = 0 THEN NULL
            WHEN territorial_agg = 'sum' THEN s_value
            WHEN territorial_agg = 'ratio_of_sums' THEN scale * s_num / nullif(s_den, 0)
            WHEN territorial_agg = 'population_weighted_mean' THEN s_weighted / nullif(s_pop, 0)
            WHEN territorial_agg = 'min' THEN m_min
            WHEN territorial_agg = 'max' THEN m_max
            WHEN territorial_agg = 'identity' THEN s_value END AS value,
       s_num AS numerator, s_den AS denominator, reported, expected, is_demo, updated_at
FROM grouped WHERE territory_id IS NOT NULL
"""

_SOURCE_GROUP = """
    SELECT indicator_code, year, {agg} AS territorial_agg, any_value(scale) AS scale, '{level}' AS level,
           {key} AS territory_id,
           sum(value) AS s_value, sum(numerator) AS s_num, sum(denominator) AS s_den,
           sum(value * population) AS s_weighted, sum(population) FILTER (value IS NOT NULL) AS s_pop,
           min(value) AS m_min, max(value) AS m_max, count(*) FILTER (reported) AS reported,
           count(*) AS expected, bool_or(is_demo) AS is_demo, max(updated_at) AS updated_at
    FROM joined {where} GROUP BY indicator_code, year, {key}
"""

# Above the source level, sums run over the reporting children only; every parent of every slice
# still gets its row, with how many children it has (a parent where none reported has no value).
_GROUP = """
    SELECT e.code AS indicator_code, e.year, e.territorial_agg, e.scale, '{level}' AS level,
           e.territory_id, g.s_value, g.s_num, g.s_den, g.s_weighted, g.s_pop, g.m_min, g.m_max,
           coalesce(g.reported, 0) AS reported, e.expected, g.is_demo, g.updated_at
    FROM (SELECT r.code, r.year, r.territorial_agg, r.scale, p.territory_id, p.expected
          FROM rules r CROSS JOIN (SELECT {key} AS territory_id, count(*) AS expected FROM children
                                   WHERE {key} IS NOT NULL GROUP BY 1) p) e
    LEFT JOIN (
        SELECT indicator_code, year, {key} AS territory_id,
               sum(value) AS s_value, sum(numerator) AS s_num, sum(denominator) AS s_den,
               sum(value * population) AS s_weighted, sum(population) FILTER (value IS NOT NULL) AS s_pop,
               min(value) AS m_min, max(value) AS m_max, count(*) AS reported,
               bool_or(is_demo) AS is_demo, max(updated_at) AS updated_at
        FROM reporting WHERE {key} IS NOT NULL GROUP BY indicator_code, year, {key}
    ) g ON g.indicator_code = e.code AND g.year = e.year AND g.territory_id = e.territory_id
"""


def rules_frame(indicators) -> pd.DataFrame:
    """Aggregation rules of indicator dicts or a frame: code, territorial_agg, temporal_agg, and the
    scale of a ratio of sums (100 for a percentage, N for a ratio per N inhabitants)."""
    frame = pd.DataFrame(indicators).reset_index(drop=True)
    kinds = frame["kind"] if "kind" in frame else pd.Series([None] * len(frame))
    per = frame["per_inhabitants"] if "per_inhabitants" in frame else pd.Series([None] * len(frame))
    scale = [ratio_scale(k, p) for k, p in zip(kinds, per)]
    return frame[["code", "territorial_agg", "temporal_agg"]].assign(scale=scale)


def ratio_scale(kind: str | None, per_inhabitants: float | None) -> float:
    """What Σ numerators / Σ denominators is multiplied by: N for a ratio per N inhabitants, else 100."""
    if kind == "ratio" and per_inhabitants and per_inhabitants == per_inhabitants:
        return float(per_inhabitants)
    return 100.0


def rollup_sql(levels: list[str], source_level: str, codes: int) -> str:
    """The roll-up query of the registered `rollup_rules` over the (code, year) slices registered as
    `rollup_years`, within the period of rollup_params (a period never spans two years), for `codes`
    indicators named in the parameters (a constant list PostgreSQL receives: the join alone does not reach it)."""
    for level in levels:
        if LEVELS.index(level) < LEVELS.index(source_level):
            raise ValueError(f"impossible d'agréger le niveau {source_level} vers le niveau {level}")
    parents = ", ".join(f"{PARENT[lvl]} AS p_{lvl}" if lvl != source_level else f"t.id AS p_{lvl}" for lvl in levels)
    # At the source level a territory is its own only child: its value is kept as it is.
    groups = " UNION ALL ".join(
        _SOURCE_GROUP.format(key=f"p_{lvl}", where=f"WHERE p_{lvl} IS NOT NULL", level=lvl, agg="'identity'")
        if lvl == source_level
        else _GROUP.format(key=f"p_{lvl}", level=lvl)
        for lvl in levels
    )
    named = f"v.indicator_code IN ({', '.join('?' * codes)})" if codes else "false"
    return _SQL.format(parents=parents, groups=groups, codes=named)


def rollup_params(period: Period, source_level: str, kind: str, published_only: bool, codes: list[str]) -> list:
    """The parameters of rollup_sql, in order."""
    return [kind, period.start, period.end, PREFIX[source_level], published_only, *codes, source_level]


def rollup_all(
    cur,
    rules: pd.DataFrame,
    period: Period,
    levels: list[str],
    *,
    source_level: str = "commune",
    kind: str = "actual",
    published_only: bool = False,
) -> pd.DataFrame:
    """Aggregate source_level values of every indicator in `rules` into every territory of `levels`.

    Returns RESULT_COLUMNS, one row per indicator and territory of the levels; value is empty where
    no child reported, and for indicators whose territorial aggregation is `none` above the source.
    """
    codes = rules["code"].tolist()
    cur.register("rollup_rules", rules)
    cur.register("rollup_years", pd.DataFrame({"code": rules["code"], "year": period.end.year}))
    try:
        frame = cur.execute(
            rollup_sql(levels, source_level, len(codes)),
            rollup_params(period, source_level, kind, published_only, codes),
        ).df()
    finally:
        cur.unregister("rollup_rules")
        cur.unregister("rollup_years")
    return frame[RESULT_COLUMNS].sort_values(["indicator_code", "territory_id"], ignore_index=True)
