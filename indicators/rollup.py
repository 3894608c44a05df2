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

LEVELS = ("commune", "epci", "departement", "region", "pays")
PREFIX = {"commune": "COM-", "epci": "EPCI-", "departement": "DEP-", "region": "REG-", "pays": "FR"}
# The parent of a child territory row at each level.
PARENT = {"epci": "'EPCI-' || t.epci_siren", "departement": "'DEP-' || t.departement_code",
          "region": "'REG-' || t.region_code", "pays": "'FR'"}
# Territorial aggregation of child values b.* weighted by child population c.population.
_TERRITORIAL = {
    "sum": "sum(b.value)",
    "ratio_of_sums": "100.0 * sum(b.numerator) / nullif(sum(b.denominator), 0)",
    "population_weighted_mean": "sum(b.value * c.population) / nullif(sum(c.population) FILTER (b.value IS NOT NULL), 0)",
    "min": "min(b.value)",
    "max": "max(b.value)",
}
RESULT_COLUMNS = ["indicator_code", "territory_id", "value", "numerator", "denominator", "reported",
                  "expected", "is_demo", "updated_at"]

_SQL = """
WITH rules AS (SELECT * FROM rollup_rules),
b AS (  -- one row per indicator and child territory, aggregated over time within the period
    SELECT v.indicator_code, v.territory_id, any_value(r.temporal_agg) AS temporal_agg,
           arg_max(v.value, v.period_end) AS last_value, sum(v.value) AS sum_value,
           arg_max(v.numerator, v.period_end) AS last_num, sum(v.numerator) AS sum_num,
           arg_max(v.denominator, v.period_end) AS last_den, sum(v.denominator) AS sum_den,
           bool_or(v.is_demo) AS is_demo, max(v.updated_at) AS updated_at
    FROM indicator_value v JOIN rules r ON r.code = v.indicator_code
    WHERE v.kind = ? AND v.period_start >= ? AND v.period_end <= ? AND starts_with(v.territory_id, ?)
    GROUP BY v.indicator_code, v.territory_id
),
c AS (
    SELECT b.indicator_code, b.territory_id, b.is_demo, b.updated_at,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_value ELSE b.sum_value END AS value,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_num ELSE b.sum_num END AS numerator,
           CASE WHEN b.temporal_agg = 'last' THEN b.last_den ELSE b.sum_den END AS denominator
    FROM b
),
children AS (SELECT {parents}, t.id, t.population FROM territory t WHERE t.level = ?),
joined AS (
    SELECT r.code AS indicator_code, r.territorial_agg, ch.*, c.value, c.numerator, c.denominator,
           c.is_demo, c.updated_at, c.territory_id IS NOT NULL AS reported
    FROM rules r CROSS JOIN children ch
    LEFT JOIN c ON c.indicator_code = r.code AND c.territory_id = ch.id
),
grouped AS ({groups})
SELECT indicator_code, territory_id,
       CASE WHEN reported = 0 THEN NULL
            WHEN territorial_agg = 'sum' THEN s_value
            WHEN territorial_agg = 'ratio_of_sums' THEN 100.0 * s_num / nullif(s_den, 0)
            WHEN territorial_agg = 'population_weighted_mean' THEN s_weighted / nullif(s_pop, 0)
            WHEN territorial_agg = 'min' THEN m_min
            WHEN territorial_agg = 'max' THEN m_max
            WHEN territorial_agg = 'identity' THEN s_value END AS value,
       s_num AS numerator, s_den AS denominator, reported, expected, is_demo, updated_at
FROM grouped WHERE territory_id IS NOT NULL
"""

_GROUP = """
    SELECT indicator_code, {agg} AS territorial_agg, {key} AS territory_id,
           sum(value) AS s_value, sum(numerator) AS s_num, sum(denominator) AS s_den,
           sum(value * population) AS s_weighted, sum(population) FILTER (value IS NOT NULL) AS s_pop,
           min(value) AS m_min, max(value) AS m_max, count(*) FILTER (reported) AS reported,
           count(*) AS expected, bool_or(is_demo) AS is_demo, max(updated_at) AS updated_at
    FROM joined {where} GROUP BY indicator_code, {key}
"""


def rules_frame(indicators) -> pd.DataFrame:
    """The aggregation rules (code, territorial_agg, temporal_agg) of indicator dicts or a frame."""
    frame = pd.DataFrame(indicators)
    columns = [c for c in ("code", "territorial_agg", "temporal_agg", "kind", "per_inhabitants") if c in frame]
    return frame[columns].reset_index(drop=True)


def ratio_scale(kind: str | None, per_inhabitants: float | None) -> float:
    """What Σ numerators / Σ denominators is multiplied by: N for a ratio per N inhabitants, else 100."""
    if kind == "ratio" and per_inhabitants and per_inhabitants == per_inhabitants:
        return float(per_inhabitants)
    return 100.0


def apply_ratio_scale(frame: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Rescale ratio-of-sums values of ratios per N inhabitants (the SQL computes percentages)."""
    if frame.empty or "per_inhabitants" not in indicators:
        return frame
    kinds = indicators.get("kind", indicators.get("indicator_kind"))
    scales = {code: ratio_scale(kind, per) for code, kind, per
              in zip(indicators["code"], kinds, indicators["per_inhabitants"])}
    factor = frame["indicator_code"].map(scales).fillna(100.0)
    rescale = (factor != 100.0) & frame["denominator"].gt(0)
    frame.loc[rescale, "value"] = (factor * frame["numerator"] / frame["denominator"])[rescale]
    return frame


def rollup_all(cur, rules: pd.DataFrame, period: Period, levels: list[str], *,
               source_level: str = "commune", kind: str = "actual") -> pd.DataFrame:
    """Aggregate source_level values of every indicator in `rules` into every territory of `levels`.

    Returns RESULT_COLUMNS, one row per indicator and territory of the levels; value is empty where
    no child reported, and for indicators whose territorial aggregation is `none` above the source.
    """
    for level in levels:
        if LEVELS.index(level) < LEVELS.index(source_level):
            raise ValueError(f"impossible d'agréger le niveau {source_level} vers le niveau {level}")
    parents = ", ".join(f"{PARENT[lvl]} AS p_{lvl}" if lvl != source_level else f"t.id AS p_{lvl}"
                        for lvl in levels)
    # At the source level a territory is its own only child: its value is kept as it is.
    groups = " UNION ALL ".join(
        _GROUP.format(key=f"p_{lvl}", where=f"WHERE p_{lvl} IS NOT NULL",
                      agg="'identity'" if lvl == source_level else "any_value(territorial_agg)")
        for lvl in levels)
    cur.register("rollup_rules", rules)
    try:
        frame = cur.execute(_SQL.format(parents=parents, groups=groups),
                            [kind, period.start, period.end, PREFIX[source_level], source_level]).df()
    finally:
        cur.unregister("rollup_rules")
    frame = apply_ratio_scale(frame, rules)
    return frame[RESULT_COLUMNS].sort_values(["indicator_code", "territory_id"], ignore_index=True)


def rollup(cur, indicator: dict, period: Period, level: str, *, source_level: str = "commune",
           kind: str = "actual") -> pd.DataFrame:
    """One indicator rolled up into every territory of one level (see rollup_all)."""
    if indicator["territorial_agg"] == "none" and level != source_level:
        raise ValueError(f"l'indicateur {indicator['code']} ne s'agrège pas entre territoires")
    frame = rollup_all(cur, rules_frame([indicator]), period, [level], source_level=source_level, kind=kind)
    return frame.drop(columns="indicator_code")


def reporting_level(cur, indicator_code: str, period: Period, kind: str = "actual") -> str | None:
    """The finest territorial level holding values of an indicator in a period, if any."""
    rows = cur.execute(
        "SELECT DISTINCT CASE WHEN territory_id = 'FR' THEN 'pays' ELSE"
        " CASE split_part(territory_id, '-', 1) WHEN 'COM' THEN 'commune' WHEN 'EPCI' THEN 'epci'"
        " WHEN 'DEP' THEN 'departement' ELSE 'region' END END FROM indicator_value"
        " WHERE indicator_code = ? AND kind = ? AND period_start >= ? AND period_end <= ?",
        [indicator_code, kind, period.start, period.end]).fetchall()
    levels = {r[0] for r in rows}
    return next((lvl for lvl in LEVELS if lvl in levels), None)


# Period bucket of a value for its indicator's period type, and the bucket's last day.
_BUCKET = ("CASE i.period_type WHEN 'year' THEN strftime(v.period_end, '%Y')"
           " WHEN 'quarter' THEN strftime(v.period_end, '%Y') || 'Q' || quarter(v.period_end)::VARCHAR"
           " ELSE strftime(v.period_end, '%Y-%m') END")
_BUCKET_END = ("CASE i.period_type WHEN 'year' THEN make_date(year(v.period_end), 12, 31)"
               " WHEN 'quarter' THEN last_day(make_date(year(v.period_end), 3 * quarter(v.period_end), 1))"
               " ELSE last_day(v.period_end) END")
_RANK = ("CASE split_part(b.territory_id, '-', 1) WHEN 'COM' THEN 0 WHEN 'EPCI' THEN 1"
         " WHEN 'DEP' THEN 2 WHEN 'REG' THEN 3 END")


def rollup_series(cur, indicators, levels: tuple[str, ...] = ("region",), *,
                  kinds: tuple[str, ...] = ("actual", "target", "baseline"),
                  published_only: bool = False):
    """Every period of several indicators rolled up into every territory of the given levels, in one query.

    `indicators` is a frame (or list of dicts) with code, territorial_agg, temporal_agg and period_type.
    Values are grouped by the indicator's period type (a stock keeps its last value of the period, a
    flow adds up), taken from the finest level holding values of that indicator and kind, then
    aggregated by the same rules as rollup(). Returns level, territory_id, indicator_code, kind,
    period, period_end, value, numerator, denominator, reported, expected, is_demo, updated_at:
    one row per territory of the level and period that has a value anywhere (reported may be 0).
    """
    columns = ["level", "territory_id", "indicator_code", "kind", "period", "period_end", "value",
               "numerator", "denominator", "reported", "expected", "is_demo", "updated_at"]
    frame = pd.DataFrame(indicators, columns=["code", "territorial_agg", "temporal_agg", "period_type"])
    frame = frame[frame["territorial_agg"] != "none"]
    if frame.empty or not levels:
        return pd.DataFrame(columns=columns)
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ValueError(f"niveau inconnu : {', '.join(sorted(unknown))}")
    temporal = {c: f"CASE WHEN any_value(i.temporal_agg) = 'last' THEN arg_max(v.{c}, v.period_end)"
                   f" ELSE sum(v.{c}) END" for c in ("value", "numerator", "denominator")}
    territorial = " ".join(f"WHEN '{name}' THEN {sql.replace('c.population', 'b.population')}"
                           for name, sql in _TERRITORIAL.items())
    parents = {"commune": "b.territory_id", "epci": "'EPCI-' || b.epci_siren",
               "departement": "'DEP-' || b.departement_code", "region": "'REG-' || b.region_code",
               "pays": "'FR'"}
    agg = " UNION ALL ".join(f"""
        SELECT '{level}' AS level, {parents[level]} AS territory_id, b.indicator_code, b.kind, b.bucket,
               CASE any_value(b.territorial_agg) {territorial} END AS value,
               sum(b.numerator) AS numerator, sum(b.denominator) AS denominator, count(*) AS reported,
               bool_or(b.is_demo) AS is_demo, max(b.updated_at) AS updated_at
        FROM bs b WHERE b.rank <= {min(LEVELS.index(level), 3)} AND {parents[level]} IS NOT NULL
        GROUP BY ALL""" for level in levels)
    # How many territories of each source level sit under each territory of each requested level.
    expected = " UNION ALL ".join(f"""
        SELECT '{level}' AS level, {parents[level].replace('b.territory_id', 'b.id')} AS territory_id,
               b.level AS child_level, count(*) AS expected
        FROM territory b WHERE b.level IN ({", ".join(f"'{lv}'" for lv in LEVELS[:min(LEVELS.index(level) + 1, 4)])})
        GROUP BY ALL HAVING territory_id IS NOT NULL""" for level in levels)
    sql = f"""
        WITH i AS (SELECT * FROM _rollup_indicators),
        v AS (
            SELECT v.indicator_code, v.kind, v.territory_id, v.period, v.period_end, v.value, v.numerator,
                   v.denominator, v.is_demo, v.updated_at, i.temporal_agg, i.territorial_agg, i.period_type,
                   -- a value of the indicator's own granularity is its own bucket (the usual case)
                   CASE i.period_type WHEN 'year' THEN length(v.period) = 4
                        WHEN 'quarter' THEN contains(v.period, 'Q') ELSE length(v.period) = 7 END AS exact
            FROM indicator_value v JOIN i ON i.code = v.indicator_code
            WHERE v.territory_id <> 'FR' AND v.kind IN ({", ".join("?" for _ in kinds)})
              {"AND v.published" if published_only else ""}
        ),
        fine AS MATERIALIZED (
            SELECT v.*, {_BUCKET} AS bucket, {_BUCKET_END} AS bucket_end FROM v JOIN i ON i.code = v.indicator_code
            WHERE NOT v.exact
        ),
        fine_keys AS (SELECT DISTINCT indicator_code, kind, territory_id, bucket FROM fine),
        -- Only buckets holding values of a finer granularity need a time aggregation; the primary
        -- key makes every other (indicator, kind, territory, period) unique already.
        b AS MATERIALIZED (
            SELECT v.indicator_code, v.kind, v.territory_id, v.period AS bucket, v.period_end,
                   v.territorial_agg, v.value, v.numerator, v.denominator, v.is_demo, v.updated_at
            FROM v ANTI JOIN fine_keys f ON f.indicator_code = v.indicator_code AND f.kind = v.kind
                 AND f.territory_id = v.territory_id AND f.bucket = v.period
            WHERE v.exact
            UNION ALL
            SELECT m.indicator_code, m.kind, m.territory_id, m.bucket, any_value(m.bucket_end),
                   any_value(m.territorial_agg),
                   {temporal['value'].replace('i.', 'm.').replace('v.', 'm.')},
                   {temporal['numerator'].replace('i.', 'm.').replace('v.', 'm.')},
                   {temporal['denominator'].replace('i.', 'm.').replace('v.', 'm.')},
                   bool_or(m.is_demo), max(m.updated_at)
            FROM (SELECT indicator_code, kind, territory_id, bucket, bucket_end, territorial_agg, temporal_agg,
                         period_end, value, numerator, denominator, is_demo, updated_at FROM fine
                  UNION ALL
                  SELECT v.indicator_code, v.kind, v.territory_id, v.period, v.period_end, v.territorial_agg,
                         v.temporal_agg, v.period_end, v.value, v.numerator, v.denominator, v.is_demo,
                         v.updated_at
                  FROM v SEMI JOIN fine_keys f ON f.indicator_code = v.indicator_code AND f.kind = v.kind
                       AND f.territory_id = v.territory_id AND f.bucket = v.period
                  WHERE v.exact) m
            GROUP BY m.indicator_code, m.kind, m.territory_id, m.bucket
        ),
        src AS (SELECT indicator_code, kind, min({_RANK}) AS rank FROM b GROUP BY ALL),
        bs AS MATERIALIZED (
            SELECT b.*, src.rank, t.level AS child_level, t.region_code, t.departement_code,
                   t.epci_siren, t.population
            FROM b JOIN src ON src.indicator_code = b.indicator_code AND src.kind = b.kind
            JOIN territory t ON t.id = b.territory_id
            WHERE {_RANK} = src.rank
        ),
        agg AS ({agg}),
        expected AS ({expected}),
        periods AS (SELECT DISTINCT indicator_code, kind, bucket, period_end FROM b),
        grid AS (
            SELECT e.level, e.territory_id, p.indicator_code, p.kind, p.bucket, p.period_end, e.expected
            FROM periods p JOIN src ON src.indicator_code = p.indicator_code AND src.kind = p.kind
            JOIN expected e ON e.child_level = ['commune', 'epci', 'departement', 'region'][src.rank + 1]
        )
        SELECT g.level, g.territory_id, g.indicator_code, g.kind, g.bucket AS period, g.period_end,
               CASE WHEN a.reported > 0 THEN a.value END AS value, a.numerator, a.denominator,
               coalesce(a.reported, 0) AS reported, g.expected, coalesce(a.is_demo, false) AS is_demo,
               a.updated_at
        FROM grid g LEFT JOIN agg a ON a.level = g.level AND a.territory_id = g.territory_id
             AND a.indicator_code = g.indicator_code AND a.kind = g.kind AND a.bucket = g.bucket
        ORDER BY g.level, g.indicator_code, g.kind, g.territory_id, g.period_end
    """
    cur.register("_rollup_indicators", frame)
    try:
        return apply_ratio_scale(cur.execute(sql, list(kinds)).df(), pd.DataFrame(indicators))
    finally:
        cur.unregister("_rollup_indicators")
