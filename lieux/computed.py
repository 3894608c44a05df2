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

from indicators import computed_values
from lieux import coverage, repository
from lieux.models import ATTESTATION_YEARS
from store import audit
from territories import repository as territory_repo
from territories.levels import PREFIX, territory_id

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

# The stored values a recompute covers: every one, or those of the communes in scope (and, for
# POP_PROCHE_TL, of the communes near the changed places); both lists are frames registered by recompute.
_SCOPE_SQL = (
    "? OR (indicator_code <> 'POP_PROCHE_TL' AND territory_id IN (SELECT id FROM recompute_scope))"
    " OR (indicator_code = 'POP_PROCHE_TL' AND territory_id IN (SELECT id FROM recompute_near))"
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
    communes = territory_repo.commune_points(cur)
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
    communes = territory_repo.counts_by_level(cur).get("commune", 0)
    stored = computed_values.yearly_count(cur, "TL_OUVERTS", REGISTRY_SOURCE, PREFIX["commune"], FIRST_YEAR, last_year)
    return communes * (last_year - FIRST_YEAR + 1) == stored


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
    is_demo = repository.is_demo_registry(cur)
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
        changed = computed_values.replace(
            cur,
            source=REGISTRY_SOURCE,
            scope_sql=_SCOPE_SQL,
            scope_params=[everything],
            is_demo=is_demo,
            actor=actor,
            comment="recalcul depuis le registre",
            audit_values=audit_values,
        )
        cur.execute("DROP TABLE recompute_new")
    finally:
        for name in ("recompute_scope", "recompute_near", "recompute_proximity"):
            cur.unregister(name)
    where = "toutes les communes" if everything else f"{len(codes)} commune(s), {len(near_codes)} pour la proximité"
    held = changed["held"]
    kept = f" ; {held} valeur(s) de périodes verrouillées laissées telles quelles" if held else ""
    audit.append(
        cur,
        actor=actor,
        entity="value",
        action="recompute",
        how=REGISTRY_SOURCE,
        comment=(
            f"Valeurs recalculées depuis le registre ({where}) : {changed['inserted']} ajoutées,"
            f" {changed['updated']} modifiées, {changed['deleted']} supprimées{kept}"
        ),
    )
    return changed["inserted"] + changed["updated"] + changed["deleted"]


def catch_up_after_unlock(cur, actor: str, communes: list[str]) -> None:
    """Registry values were frozen while their period was locked: they catch up with the registry once it reopens."""
    recompute(cur, actor=actor, communes=communes, near=communes)
