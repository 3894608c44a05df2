"""Indicators computed from the registry of tiers-lieux, written as values with source "registre".

Every value is per commune and year; aggregates come from the usual roll-up (sums for counts,
Σnumerators / Σdenominators for percentages and ratios), so percentages are stored with their
numerator and denominator. Counts are written for every commune (a commune with no place has 0, not
"missing"); a percentage whose denominator is 0 is not written (it is undefined there, not 0).

A recompute limited to some communes gives exactly what a full one would: when the stored values do
not cover every commune and year (a new database, a new year), it widens to a full recompute.
Locked periods are frozen: the computed values of a (région, year) locked by the national team keep
what they were when it was locked; they are brought up to date when the period is unlocked. Every
value changed is audited one row per value, like a typed one.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from indicators.aggregates import mark_years
from lieux import coverage
from lieux.models import ATTESTATION_YEARS
from territories.levels import territory_id

REGISTRY_SOURCE = "registre"
FIRST_YEAR = 2018
PROXIMITY_KM = 10.0  # POP_PROCHE_TL, as its catalogue entry says
REGISTRY_CODES = (
    "TL_OUVERTS",
    "TL_POUR_10K",
    "TL_HORS_METRO",
    "TL_RURAL",
    "FAB_LABELLISEES",
    "FAB_NUMERIQUES",
    "FAB_PART_RURAL",
    "FAB_PART_QPV",
    "MANUF_LABELLISEES",
    "TL_FERMETURES",
    "TL_SURVIE_3ANS",
    "POP_PROCHE_TL",
)

# One row per (indicator, commune, year): value for counts, numerator/denominator for shares.
# A place is open at the end of year y when it opened (or was attested open) by then and had not closed.
_VALUES_SQL = """
WITH years AS (SELECT range::INTEGER AS y FROM range(?, ? + 1)),
c AS (
    SELECT code, population, coalesce(in_metropole, false) AS metro, coalesce(dens7, 0) AS dens7
    FROM territory WHERE level = 'commune' AND (? OR code IN (SELECT code FROM recompute_scope))
),
l AS (
    SELECT l.id, l.commune_code, coalesce(l.opened_on, l.attested_on) AS since, l.opened_on, l.closed_on,
           l.in_qpv, CASE WHEN l.opened_on IS NULL THEN year(l.attested_on) + ? END AS confirmed_until
    FROM lieu l JOIN c ON c.code = l.commune_code
),
open_y AS (
    SELECT l.commune_code, y.y, count(*) AS n
    FROM l JOIN years y ON year(l.since) <= y.y AND (l.closed_on IS NULL OR year(l.closed_on) > y.y)
                       AND (l.confirmed_until IS NULL OR y.y <= l.confirmed_until)
    GROUP BY ALL
),
closed_y AS (
    SELECT commune_code, year(closed_on) AS y, count(*) AS n FROM l WHERE closed_on IS NOT NULL GROUP BY ALL
),
survival AS (
    SELECT l.commune_code, y.y, count(*) AS den,
           count(*) FILTER (l.closed_on IS NULL OR l.closed_on >= l.opened_on + INTERVAL 3 YEAR) AS num
    FROM l JOIN years y ON l.opened_on + INTERVAL 3 YEAR <= make_date(y.y, 12, 31)
    GROUP BY ALL
),
labels_y AS (
    SELECT l.commune_code, y.y, b.label, count(*) AS n,
           count(*) FILTER (l.in_qpv IS NOT NULL) AS qpv_known, count(*) FILTER (l.in_qpv) AS qpv
    FROM lieu_label b JOIN l ON l.id = b.lieu_id JOIN years y ON b.year <= y.y
    GROUP BY ALL
),
grid AS (SELECT c.*, y.y FROM c CROSS JOIN years y),
counts AS (
    SELECT 'TL_OUVERTS' AS code, g.code AS commune_code, g.y, coalesce(o.n, 0) AS value,
           NULL::DOUBLE AS num, NULL::DOUBLE AS den
    FROM grid g LEFT JOIN open_y o ON o.commune_code = g.code AND o.y = g.y
    UNION ALL
    SELECT 'TL_FERMETURES', g.code, g.y, coalesce(f.n, 0), NULL, NULL
    FROM grid g LEFT JOIN closed_y f ON f.commune_code = g.code AND f.y = g.y
    UNION ALL
    SELECT k.code, g.code, g.y, coalesce(b.n, 0), NULL, NULL
    FROM grid g CROSS JOIN (VALUES ('FAB_LABELLISEES', 'fabrique_territoire'),
                                   ('FAB_NUMERIQUES', 'fabrique_numerique'),
                                   ('MANUF_LABELLISEES', 'manufacture_proximite')) k(code, label)
    LEFT JOIN labels_y b ON b.commune_code = g.code AND b.y = g.y AND b.label = k.label
    UNION ALL
    SELECT 'TL_POUR_10K', g.code, g.y, 10000.0 * coalesce(o.n, 0) / g.population, coalesce(o.n, 0), g.population
    FROM grid g LEFT JOIN open_y o ON o.commune_code = g.code AND o.y = g.y WHERE g.population > 0
    UNION ALL
    SELECT 'TL_HORS_METRO', g.code, g.y, NULL, CASE WHEN g.metro THEN 0 ELSE o.n END, o.n
    FROM grid g JOIN open_y o ON o.commune_code = g.code AND o.y = g.y
    UNION ALL
    SELECT 'TL_RURAL', g.code, g.y, NULL, CASE WHEN g.dens7 >= 5 THEN o.n ELSE 0 END, o.n
    FROM grid g JOIN open_y o ON o.commune_code = g.code AND o.y = g.y
    UNION ALL
    SELECT 'FAB_PART_RURAL', g.code, g.y, NULL, CASE WHEN g.dens7 >= 2 THEN b.n ELSE 0 END, b.n
    FROM grid g JOIN labels_y b ON b.commune_code = g.code AND b.y = g.y AND b.label = 'fabrique_territoire'
    UNION ALL
    SELECT 'FAB_PART_QPV', g.code, g.y, NULL, b.qpv, b.qpv_known
    FROM grid g JOIN labels_y b ON b.commune_code = g.code AND b.y = g.y AND b.label = 'fabrique_territoire'
    WHERE b.qpv_known > 0
    UNION ALL
    SELECT 'TL_SURVIE_3ANS', g.code, g.y, NULL, s.num, s.den
    FROM grid g JOIN survival s ON s.commune_code = g.code AND s.y = g.y
    UNION ALL
    SELECT 'POP_PROCHE_TL', p.commune_code, p.y, NULL, p.num, p.den FROM recompute_proximity p
)
SELECT code AS indicator_code, 'COM-' || commune_code AS territory_id, y::VARCHAR AS period, y,
       coalesce(value, 100.0 * num / den) AS value, num AS numerator, den AS denominator
FROM counts
"""

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
           FROM indicator_value WHERE source = ? AND kind = 'actual'
             AND (? OR (indicator_code <> 'POP_PROCHE_TL' AND territory_id IN (SELECT id FROM recompute_scope))
                    OR (indicator_code = 'POP_PROCHE_TL' AND territory_id IN (SELECT id FROM recompute_near)))) v
  ON n.indicator_code = v.indicator_code AND n.territory_id = v.territory_id AND n.period = v.period
WHERE n.indicator_code IS NULL OR v.indicator_code IS NULL OR v.value IS DISTINCT FROM n.value
   OR v.numerator IS DISTINCT FROM n.numerator OR v.denominator IS DISTINCT FROM n.denominator
   OR v.is_demo IS DISTINCT FROM ?
"""
_APPLY_SQL = [
    """DELETE FROM indicator_value v USING recompute_diff d
       WHERE d.action = 'delete' AND v.indicator_code = d.indicator_code AND v.territory_id = d.territory_id
         AND v.period = d.period AND v.kind = 'actual'""",
    """UPDATE indicator_value v SET value = d.value, numerator = d.numerator, denominator = d.denominator,
           is_demo = ?, updated_by = ?, updated_at = current_timestamp, version = v.version + 1
       FROM recompute_diff d
       WHERE d.action = 'update' AND v.indicator_code = d.indicator_code AND v.territory_id = d.territory_id
         AND v.period = d.period AND v.kind = 'actual'""",
    """INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind, value,
                                    numerator, denominator, source, is_demo, updated_by)
       SELECT indicator_code, territory_id, period, make_date(y, 1, 1), make_date(y, 12, 31), 'actual', value,
              numerator, denominator, ?, ?, ?
       FROM recompute_diff WHERE action = 'insert'""",
]

# A computed value inside a period locked for its région is held back (see the module docstring).
_HOLD_LOCKED_SQL = """
DELETE FROM recompute_diff d USING territory t, period_lock p
WHERE t.id = d.territory_id AND p.region = t.region_code
  AND p.period_start <= make_date(CAST(d.period AS INTEGER), 1, 1)
  AND p.period_end >= make_date(CAST(d.period AS INTEGER), 12, 31)
"""
# One audit row per value changed, shaped like the rows of a typed change (indicators.repository.write).
_AUDIT_SQL = """
INSERT INTO audit_log (actor, entity, entity_key, action, how, old_data, new_data, source, comment)
SELECT ?, 'value', indicator_code || '|' || territory_id || '|' || period || '|actual', action, 'registre',
       CASE WHEN old_version IS NULL THEN NULL ELSE json_object('value', old_value, 'numerator', old_numerator,
            'denominator', old_denominator, 'source', 'registre', 'comment', NULL, 'version', old_version) END,
       CASE WHEN action = 'delete' THEN NULL ELSE json_object('value', value, 'numerator', numerator,
            'denominator', denominator, 'source', 'registre', 'comment', NULL,
            'version', coalesce(old_version + 1, 1)) END,
       'registre', ?
FROM recompute_diff ORDER BY indicator_code, territory_id, period
"""
# Complete when every commune has its TL_OUVERTS count for every year of the range.
_COMPLETE_SQL = """
SELECT (SELECT count(*) FROM territory WHERE level = 'commune') * (? - ? + 1)
       = (SELECT count(*) FROM indicator_value WHERE indicator_code = 'TL_OUVERTS' AND source = ? AND kind = 'actual'
          AND territory_id LIKE 'COM-%' AND CAST(period AS INTEGER) BETWEEN ? AND ?)
"""

_COMMUNES_SQL = (
    "SELECT code, population, lat, lon FROM territory WHERE level = 'commune' AND lat IS NOT NULL AND lon IS NOT NULL"
)
# A place without coordinates stands at its commune's centre (imports often lack them).
_OPEN_PLACES_SQL = """
SELECT year(coalesce(l.opened_on, l.attested_on)) AS since,
       least(year(l.closed_on), CASE WHEN l.opened_on IS NULL THEN year(l.attested_on) + ? + 1 END) AS until,
       coalesce(l.lat, c.lat) AS lat, coalesce(l.lon, c.lon) AS lon
FROM lieu l JOIN territory c ON c.level = 'commune' AND c.code = l.commune_code
WHERE coalesce(l.lat, c.lat) IS NOT NULL AND coalesce(l.opened_on, l.attested_on) IS NOT NULL
"""


def _proximity(cur, first_year: int, last_year: int, scope: list[str] | None) -> pd.DataFrame:
    """POP_PROCHE_TL per commune and year: population within PROXIMITY_KM of a place open that year."""
    communes = cur.execute(_COMMUNES_SQL).df()
    communes = communes[communes["population"] > 0]
    if scope is not None:
        communes = communes[communes["code"].isin(scope)]
    places = cur.execute(_OPEN_PLACES_SQL, [ATTESTATION_YEARS]).df()
    cxyz = coverage.to_xyz(communes["lat"], communes["lon"])
    pop = communes["population"].to_numpy(dtype=float)
    since = places["since"].to_numpy(dtype=float)
    until = places["until"].to_numpy(dtype=float, na_value=np.inf)
    # One neighbour search for every place ever open; each year then only filters the pairs.
    ia, ib = coverage.pairs_within(cxyz, coverage.to_xyz(places["lat"], places["lon"]), PROXIMITY_KM)
    frames = []
    for year in range(first_year, last_year + 1):
        hit = np.zeros(len(communes), dtype=bool)
        hit[ia[(since[ib] <= year) & (until[ib] > year)]] = True
        frames.append(
            pd.DataFrame(
                {"commune_code": communes["code"].to_numpy(), "y": year, "num": np.where(hit, pop, 0.0), "den": pop}
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "commune_code": pd.Series(dtype="str"),
                "y": pd.Series(dtype="int64"),
                "num": pd.Series(dtype="float64"),
                "den": pd.Series(dtype="float64"),
            }
        )
    return pd.concat(frames, ignore_index=True)


def is_complete(cur, last_year: int) -> bool:
    """Whether the stored registry values cover every commune and year (else only a full recompute is right)."""
    return bool(
        cur.execute(_COMPLETE_SQL, [last_year, FIRST_YEAR, REGISTRY_SOURCE, FIRST_YEAR, last_year]).fetchone()[0]
    )


def recompute(
    cur,
    actor: str = REGISTRY_SOURCE,
    last_year: int | None = None,
    communes: list[str] | None = None,
    near: list[str] | None = None,
    audit_values: bool = True,
) -> int:
    """Bring the registry-computed values in line with the registry, for every commune or only for the
    given communes (and, for POP_PROCHE_TL, the communes near the changed places); returns rows changed.
    Values of locked periods are held back; each change is audited unless audit_values is off (database build)."""
    last_year = last_year or date.today().year
    is_demo = cur.execute("SELECT coalesce(bool_or(is_demo), false) FROM lieu").fetchone()[0]
    everything = communes is None or not is_complete(cur, last_year)
    codes = [] if everything else sorted(set(communes or []))
    near_codes = [] if everything else sorted(set(codes) | set(near or []))

    def ids(values):
        return pd.DataFrame(
            {
                "code": pd.Series(values, dtype="str"),
                "id": pd.Series([territory_id("commune", c) for c in values], dtype="str"),
            }
        )

    cur.register("recompute_scope", ids(codes))
    cur.register("recompute_near", ids(near_codes))
    cur.register("recompute_proximity", _proximity(cur, FIRST_YEAR, last_year, None if everything else near_codes))
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE recompute_new AS " + _VALUES_SQL,
            [FIRST_YEAR, last_year, everything, ATTESTATION_YEARS],
        )
        cur.execute(_DIFF_SQL, [REGISTRY_SOURCE, everything, is_demo])
        held = cur.execute(_HOLD_LOCKED_SQL).fetchone()[0]
        mark_years(cur, "recompute_diff")  # the yearly roll-ups of what changed are recomputed on read
        if audit_values:
            cur.execute(_AUDIT_SQL, [actor, "recalcul depuis le registre"])
        deleted = cur.execute(_APPLY_SQL[0]).fetchone()[0]
        updated = cur.execute(_APPLY_SQL[1], [is_demo, actor]).fetchone()[0]
        inserted = cur.execute(_APPLY_SQL[2], [REGISTRY_SOURCE, is_demo, actor]).fetchone()[0]
        cur.execute("DROP TABLE recompute_new")
        cur.execute("DROP TABLE recompute_diff")
    finally:
        for name in ("recompute_scope", "recompute_near", "recompute_proximity"):
            cur.unregister(name)
    where = "toutes les communes" if everything else f"{len(codes)} commune(s), {len(near_codes)} pour la proximité"
    kept = f" ; {held} valeur(s) de périodes verrouillées laissées telles quelles" if held else ""
    cur.execute(
        "INSERT INTO audit_log (actor, entity, action, how, comment) VALUES (?, 'value', 'recompute', 'registre', ?)",
        [
            actor,
            (
                f"Valeurs recalculées depuis le registre ({where}) : {inserted} ajoutées, {updated} modifiées,"
                f" {deleted} supprimées{kept}"
            ),
        ],
    )
    return inserted + updated + deleted


def catch_up_after_unlock(cur, actor: str, communes: list[str]) -> None:
    """Registry values were frozen while their period was locked: they catch up with the registry once it reopens."""
    recompute(cur, actor=actor, communes=communes, near=communes)
