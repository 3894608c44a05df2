"""SQL reads of the reference geography."""

from __future__ import annotations

import pandas as pd

COLUMNS = ("id, level, code, name, region_code, departement_code, epci_siren, population, area_km2,"
           " lat, lon, epci_nature, in_metropole, dens7, dens7_official, cateaav, cateaav_official,"
           " typology, typology_official, rural_population_share, postal_codes")


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
        [code, code, words, words, code, words, words, limit]).df()


def by_level(cur, level: str) -> pd.DataFrame:
    """All territories of one level, by code."""
    return cur.execute(f"SELECT {COLUMNS} FROM territory WHERE level = ? ORDER BY code", [level]).df()
