"""Roll-up of values over time and territories, by each indicator's aggregation rules.

Over time, within the requested period: a stock (`last`) keeps its latest value, a flow (`sum`) adds
its sub-periods. Over territories: `sum`, `ratio_of_sums` (Σ numerators / Σ denominators, never a mean
of percentages), `population_weighted_mean`, `min`, `max`; `none` does not aggregate. A missing child
is missing, not zero: every aggregate carries how many children reported out of how many exist.
"""

from __future__ import annotations

import pandas as pd

from indicators.periods import Period

LEVELS = ("commune", "epci", "departement", "region", "pays")
PREFIX = {"commune": "COM-", "epci": "EPCI-", "departement": "DEP-", "region": "REG-", "pays": "FR"}
# The column of a commune (or of any child) that names its parent at each level.
PARENT_KEY = {"epci": "'EPCI-' || t.epci_siren", "departement": "'DEP-' || t.departement_code",
              "region": "'REG-' || t.region_code", "pays": "'FR'"}

_TEMPORAL = {
    "last": "arg_max(v.{col}, v.period_end)",
    "sum": "sum(v.{col})",
}
_TERRITORIAL = {
    "sum": "sum(b.value)",
    "ratio_of_sums": "100.0 * sum(b.numerator) / nullif(sum(b.denominator), 0)",
    "population_weighted_mean": "sum(b.value * c.population) / nullif(sum(c.population) FILTER (b.value IS NOT NULL), 0)",
    "min": "min(b.value)",
    "max": "max(b.value)",
}


def _base_sql(temporal_agg: str) -> str:
    """Per-territory values over the period at the source level, time-aggregated."""
    agg = _TEMPORAL[temporal_agg]
    return (
        "SELECT v.territory_id, "
        + ", ".join(f"{agg.format(col=c)} AS {c}" for c in ("value", "numerator", "denominator"))
        + ", bool_or(v.is_demo) AS is_demo, max(v.updated_at) AS updated_at"
        " FROM indicator_value v WHERE v.indicator_code = ? AND v.kind = ?"
        " AND v.period_start >= ? AND v.period_end <= ? AND starts_with(v.territory_id, ?)"
        " GROUP BY v.territory_id"
    )


def rollup(cur, indicator: dict, period: Period, level: str, *, source_level: str = "commune",
           kind: str = "actual") -> pd.DataFrame:
    """Aggregate source_level values into every territory of `level` for one period.

    Returns territory_id, value, numerator, denominator, reported, expected, is_demo, updated_at;
    one row per territory of the level, with value empty where no child reported.
    """
    if LEVELS.index(level) < LEVELS.index(source_level):
        raise ValueError(f"impossible d'agréger le niveau {source_level} vers le niveau {level}")
    territorial = indicator["territorial_agg"]
    if territorial == "none" and level != source_level:
        raise ValueError(f"l'indicateur {indicator['code']} ne s'agrège pas entre territoires")
    base = _base_sql(indicator["temporal_agg"])
    params = [indicator["code"], kind, period.start, period.end, PREFIX[source_level]]
    if level == source_level:
        sql = (f"WITH b AS ({base}) SELECT t.id AS territory_id, b.value, b.numerator, b.denominator,"
               " (b.territory_id IS NOT NULL)::INTEGER AS reported, 1 AS expected, b.is_demo, b.updated_at"
               " FROM territory t LEFT JOIN b ON b.territory_id = t.id WHERE t.level = ? ORDER BY t.id")
        return cur.execute(sql, params + [level]).df()
    value_sql = _TERRITORIAL[territorial]
    parent = PARENT_KEY[level]
    sql = f"""
        WITH b AS ({base}),
        children AS (
            SELECT {parent} AS parent_id, t.id, t.population FROM territory t
            WHERE t.level = ? {"AND t.epci_siren IS NOT NULL" if level == "epci" else ""}
        ),
        agg AS (
            SELECT c.parent_id,
                   {value_sql} AS value,
                   sum(b.numerator) AS numerator, sum(b.denominator) AS denominator,
                   count(b.territory_id) AS reported, count(*) AS expected,
                   bool_or(b.is_demo) AS is_demo, max(b.updated_at) AS updated_at
            FROM children c LEFT JOIN b ON b.territory_id = c.id
            GROUP BY c.parent_id
        )
        SELECT t.id AS territory_id,
               CASE WHEN coalesce(agg.reported, 0) > 0 THEN agg.value END AS value,
               agg.numerator, agg.denominator, coalesce(agg.reported, 0) AS reported,
               coalesce(agg.expected, 0) AS expected, agg.is_demo, agg.updated_at
        FROM territory t LEFT JOIN agg ON agg.parent_id = t.id
        WHERE t.level = ? ORDER BY t.id
    """
    return cur.execute(sql, params + [source_level, level]).df()


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
