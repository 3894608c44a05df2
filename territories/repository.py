"""SQL of the reference geography: the one module that reads and writes the territory tables."""

from __future__ import annotations

import pandas as pd

from territories.levels import FRANCE, PREFIX

# Territories above the commune get their figures from their communes (ids built from territories.levels).
AGGREGATE_SQL = f"""
WITH c AS (SELECT * FROM territory WHERE level = 'commune'),
groups AS (
    SELECT '{PREFIX["epci"]}' || epci_siren AS id, * EXCLUDE (id) FROM c WHERE epci_siren IS NOT NULL
    UNION ALL SELECT '{PREFIX["departement"]}' || departement_code, * EXCLUDE (id) FROM c
    UNION ALL SELECT '{PREFIX["region"]}' || region_code, * EXCLUDE (id) FROM c
    UNION ALL SELECT '{FRANCE}', * EXCLUDE (id) FROM c
),
agg AS (
    SELECT id,
        sum(population) AS population,
        sum(area_km2) AS area_km2,
        sum(lat * population) / nullif(sum(population), 0) AS lat,
        sum(lon * population) / nullif(sum(population), 0) AS lon,
        sum(population) FILTER (typology = 'rural') / nullif(sum(population), 0) AS rural_share,
        sum(population) FILTER (typology IN ('rural', 'periurbain')) / nullif(sum(population), 0) AS non_urban,
        bool_and(typology_official) AS official
    FROM groups GROUP BY id
),
home AS (  -- an EPCI across départements belongs to the one holding most of its inhabitants (then the lower code)
    SELECT 'EPCI-' || epci_siren AS id, departement_code, region_code
    FROM (SELECT epci_siren, departement_code, any_value(region_code) AS region_code, sum(population) AS population
          FROM c WHERE epci_siren IS NOT NULL GROUP BY epci_siren, departement_code)
    QUALIFY row_number() OVER (PARTITION BY epci_siren ORDER BY population DESC, departement_code) = 1
)
UPDATE territory t SET
    population = agg.population, area_km2 = agg.area_km2, lat = agg.lat, lon = agg.lon,
    rural_population_share = agg.rural_share,
    typology = CASE WHEN agg.rural_share >= 0.5 THEN 'rural'
                    WHEN agg.non_urban >= 0.5 THEN 'periurbain' ELSE 'urbain' END,
    typology_official = agg.official,
    region_code = coalesce(t.region_code, home.region_code),
    departement_code = coalesce(t.departement_code, home.departement_code)
FROM agg LEFT JOIN home USING (id) WHERE t.id = agg.id AND t.level <> 'commune'
"""

COLUMNS = (
    "id, level, code, name, region_code, departement_code, epci_siren, population, area_km2,"
    " lat, lon, epci_nature, in_metropole, dens7, dens7_official, cateaav, cateaav_official,"
    " typology, typology_official, rural_population_share, postal_codes"
)


def get(cur, territory_id: str) -> dict | None:
    """One territory by id (FR, REG-11, DEP-77, EPCI-…, COM-77475), or None."""
    frame = cur.execute(f"SELECT {COLUMNS} FROM territory WHERE id = ?", [territory_id]).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def search(cur, words: str, code: str, limit: int) -> pd.DataFrame:
    """Territories whose code, postal code or normalised name matches, best matches first."""
    return cur.execute(
        f"SELECT {COLUMNS} FROM territory WHERE code = ? OR list_contains(postal_codes, ?)"
        " OR (? <> '' AND search_name LIKE '%' || ? || '%')"
        " ORDER BY (code = ?) DESC, (search_name = ?) DESC, starts_with(search_name, ?) DESC,"
        " CASE level WHEN 'pays' THEN 0 WHEN 'region' THEN 1 WHEN 'departement' THEN 2"
        " WHEN 'epci' THEN 3 ELSE 4 END, population DESC LIMIT ?",
        [code, code, words, words, code, words, words, limit],
    ).df()


def by_level(cur, level: str) -> pd.DataFrame:
    """All territories of one level, by code."""
    return cur.execute(f"SELECT {COLUMNS} FROM territory WHERE level = ? ORDER BY code", [level]).df()


def version(cur) -> tuple:
    """A cheap fingerprint of the territories (count, classification imports): peers depend on them."""
    return cur.execute(
        "SELECT (SELECT count(*) FROM territory), (SELECT max(imported_at) FROM classification_import)"
    ).fetchone()


def commune_codes(cur, region_code: str | None = None) -> set[str]:
    """The INSEE codes of today's communes (of one région if given)."""
    return {
        r[0]
        for r in cur.execute(
            "SELECT code FROM territory WHERE level = 'commune' AND (? IS NULL OR region_code = ?)",
            [region_code, region_code],
        ).fetchall()
    }


def codes(cur) -> pd.DataFrame:
    """Every territory id with its level, code and région, to read codes as people type them."""
    return cur.execute("SELECT id, level, code, region_code FROM territory").df()


def region_name(cur, code: str) -> str | None:
    """The name of a région by its code, or None."""
    row = cur.execute("SELECT name FROM territory WHERE level = 'region' AND code = ?", [code]).fetchone()
    return row[0] if row else None


def region_codes(cur) -> list[str]:
    """The codes of every région, in order."""
    return [r[0] for r in cur.execute("SELECT code FROM territory WHERE level = 'region' ORDER BY code").fetchall()]


def set_official_classes(cur, target: str, found: pd.DataFrame) -> list[str]:
    """Write official classes (found: code, level) into column `target` (dens7, cateaav); communes that changed."""
    cur.register("official_levels", found)
    try:
        changed = [
            r[0]
            for r in cur.execute(
                f"SELECT t.code FROM territory t JOIN official_levels o ON t.level = 'commune' AND t.code = o.code"
                f" WHERE t.{target} IS DISTINCT FROM o.level"
            ).fetchall()
        ]
        cur.execute(
            f"UPDATE territory t SET {target} = o.level, {target}_official = true"
            " FROM official_levels o WHERE t.level = 'commune' AND t.code = o.code"
        )
    finally:
        cur.unregister("official_levels")
    return changed


def commune_classes(cur) -> pd.DataFrame:
    """Every commune's id, DENS7 and CATEAAV2020 class."""
    return cur.execute("SELECT id, dens7, cateaav FROM territory WHERE level = 'commune'").df()


def set_typology(cur, typology: pd.DataFrame) -> None:
    """Write each commune's typology (typology: id, typology), official once both classes are."""
    cur.register("new_typology", typology)
    try:
        cur.execute(
            "UPDATE territory t SET typology = n.typology,"
            " typology_official = t.dens7_official AND t.cateaav_official"
            " FROM new_typology n WHERE t.id = n.id"
        )
    finally:
        cur.unregister("new_typology")


def record_classification_import(cur, kind: str, file_name: str, matched: int) -> None:
    """Remember which official file a classification came from (and when: peers depend on it)."""
    cur.execute(
        "INSERT OR REPLACE INTO classification_import VALUES (?, ?, ?, current_timestamp)", [kind, file_name, matched]
    )


def approximated_share(cur) -> float:
    """Share of communes whose typology is still approximated."""
    return float(
        cur.execute(
            "SELECT avg(CASE WHEN typology_official THEN 0 ELSE 1 END) FROM territory WHERE level = 'commune'"
        ).fetchone()[0]
    )


def replace_all(cur, frame: pd.DataFrame) -> None:
    """Replace every territory by the rows of frame (shaped like the table)."""
    cur.execute("DELETE FROM territory")
    cur.register("territory_frame", frame)
    try:
        columns = ", ".join(frame.columns)
        cur.execute(f"INSERT INTO territory ({columns}) SELECT {columns} FROM territory_frame")
    finally:
        cur.unregister("territory_frame")


def refresh_aggregates(cur) -> None:
    """Recompute population, area, centre and typology of EPCI, départements, régions and France."""
    cur.execute(AGGREGATE_SQL)


def rows_for(cur, incoming: pd.DataFrame) -> pd.DataFrame:
    """Territory rows for the distinct ids of a registered frame (unknown ids are simply absent)."""
    cur.register("incoming_territories", incoming)
    try:
        return cur.execute(
            "SELECT t.id, t.level, t.code, t.name, t.region_code, t.departement_code, t.epci_siren"
            " FROM territory t SEMI JOIN incoming_territories i ON i.territory_id = t.id"
        ).df()
    finally:
        cur.unregister("incoming_territories")


def regions(cur) -> pd.DataFrame:
    """Every région: id, code, name, by code."""
    return cur.execute("SELECT id, code, name FROM territory WHERE level = 'region' ORDER BY code").df()


def level_and_region(cur, territory_id: str) -> tuple[str, str | None] | None:
    """The level and région code of one territory, or None when it is unknown."""
    row = cur.execute("SELECT level, region_code FROM territory WHERE id = ?", [territory_id]).fetchone()
    return None if row is None else (row[0], row[1])


def grid_territories(cur, region_code: str, level: str) -> pd.DataFrame:
    """Territories of one level inside a region (or the region itself), by code."""
    if level == "region":
        return cur.execute(
            "SELECT id, level, code, name, region_code, departement_code, epci_siren FROM territory"
            " WHERE level = 'region' AND code = ?",
            [region_code],
        ).df()
    return cur.execute(
        "SELECT id, level, code, name, region_code, departement_code, epci_siren FROM territory"
        " WHERE level = ? AND region_code = ? ORDER BY code",
        [level, region_code],
    ).df()


def territories_within(cur, territory_id: str) -> list[str] | None:
    """A territory and every territory inside it (a région's départements, EPCI and communes…)."""
    row = cur.execute("SELECT level, code FROM territory WHERE id = ?", [territory_id]).fetchone()
    if row is None:
        return []
    level, code = row
    if level == "pays":
        return None  # the whole country: no filter
    column = {"region": "region_code", "departement": "departement_code", "epci": "epci_siren"}.get(level)
    if column is None:
        return [territory_id]
    # column comes from the fixed mapping above, never from user input
    return [
        r[0]
        for r in cur.execute(
            f"SELECT id FROM territory WHERE id = ? OR ({column} = ? AND level <> 'region' AND level <> 'pays')",
            [territory_id, code],
        ).fetchall()
    ]


def communes(cur) -> pd.DataFrame:
    """Every commune with what placing a lieu needs (codes, names, postal codes, centre, scope keys)."""
    return cur.execute(
        "SELECT id, level, code, name, search_name, postal_codes, lat, lon, population, typology, region_code,"
        " departement_code, epci_siren FROM territory WHERE level = 'commune' ORDER BY code"
    ).df()


def commune(cur, code: str | None) -> dict | None:
    """One commune with what the scope check needs (id, level, code, name, region, département, EPCI)."""
    if not code:
        return None
    fields = ("id", "level", "code", "name", "region_code", "departement_code", "epci_siren")
    row = cur.execute(
        f"SELECT {', '.join(fields)} FROM territory WHERE level = 'commune' AND code = ?", [code]
    ).fetchone()
    return dict(zip(fields, row)) if row else None


def commune_centres(cur) -> pd.DataFrame:
    """Every commune's code and centre (lat, lon)."""
    return cur.execute("SELECT code, lat, lon FROM territory WHERE level = 'commune'").df()


def coverage_communes(cur) -> pd.DataFrame:
    """Every commune with its population, centre, typology and EPCI (name included), for coverage."""
    return cur.execute(
        "SELECT t.code, t.name, t.population, t.lat, t.lon, t.typology, t.epci_siren, t.departement_code,"
        " e.name AS epci_name FROM territory t LEFT JOIN territory e ON e.id = ? || t.epci_siren"
        " WHERE t.level = 'commune'",
        [PREFIX["epci"]],
    ).df()


def territories_of(cur, levels: list[str]) -> pd.DataFrame:
    """Id, level, code, name, typology and population of every territory of some levels."""
    return cur.execute(
        "SELECT id, level, code, name, typology, population FROM territory WHERE list_contains(?, level)"
        " ORDER BY level, code",
        [levels],
    ).df()


def counts_by_level(cur) -> dict[str, int]:
    """How many territories each level holds."""
    return dict(cur.execute("SELECT level, count(*) FROM territory GROUP BY level").fetchall())


def typology_all_official(cur) -> bool:
    """Whether every commune's typology comes from the official INSEE classes."""
    return bool(cur.execute("SELECT bool_and(typology_official) FROM territory WHERE level = 'commune'").fetchone()[0])


def fingerprint(cur) -> tuple[int, float | None]:
    """Count and largest population of the territories: moves when the geography is replaced."""
    return cur.execute("SELECT count(*), max(population) FROM territory").fetchone()


def scope_keys(cur, ids: list[str]) -> list[dict]:
    """Id, level, région, département and EPCI of some territories: what a scope check compares."""
    return (
        cur.execute(
            "SELECT id, level, region_code, departement_code, epci_siren FROM territory WHERE list_contains(?, id)",
            [ids],
        )
        .df()
        .to_dict("records")
    )


def demo_communes(cur) -> pd.DataFrame:
    """Every commune with what the demo generator places lieux by (region, population, centre, classes)."""
    return cur.execute(
        "SELECT code, name, region_code, population, lat, lon, in_metropole, typology, dens7,"
        " postal_codes FROM territory WHERE level = 'commune' ORDER BY code"
    ).df()


def commune_points(cur) -> pd.DataFrame:
    """Code, population and centre of every commune whose centre is known."""
    return cur.execute(
        "SELECT code, population, lat, lon FROM territory WHERE level = 'commune' AND lat IS NOT NULL AND lon IS NOT NULL"
    ).df()
