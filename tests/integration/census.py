"""A census-like file in the CGET 2019 layout, written row by row for the figure tests."""

from __future__ import annotations

from lieux.import_formats import CGET_COLUMNS

NA = "#N/D"


def row(ident, name, cp, code, commune, lat=NA, lon=NA, typo="Tiers lieux à dominante coworking"):
    """One census line: the columns the mission filled, '#N/D' elsewhere, contact columns filled (never stored)."""
    values = dict.fromkeys(CGET_COLUMNS, NA)
    values.update(
        {
            "ID": str(ident),
            "NOM_TL": name,
            "ADRESSE": "",
            "CP": cp,
            "COMINIT": code,
            "INSEECOM": code,
            "NOMCOM": commune,
            "WEB": "",
            "TWITTER": "",
            "FACEBOOK": "",
            "TYPO": typo,
            "LAT": str(lat).replace(".", ","),
            "LONG": str(lon).replace(".", ","),
            "CONTACT": "Jeanne Martin",
            "MAIL": "jeanne@exemple.fr",
        }
    )
    return values


def census(rows) -> bytes:
    """The file as the mission shipped it: semicolons, cp1252."""
    lines = [";".join(CGET_COLUMNS)] + [";".join(r[c] for c in CGET_COLUMNS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def within_km_of_a_place(communes, km: float = 10.0):
    """Hand formula: which commune centres lie within km of the six ROWS places (haversine written out)."""
    import numpy as np

    at = communes.set_index("code")
    # A place without coordinates stands at its commune's centre.
    places = [
        (48.9586, 2.9663),
        tuple(at.loc["77284", ["lat", "lon"]]),
        (46.2052, 5.2255),
        tuple(at.loc["2A004", ["lat", "lon"]]),
        tuple(at.loc["48095", ["lat", "lon"]]),
        (48.8904, 2.3708),
    ]
    lat, lon = np.radians(communes["lat"].to_numpy()), np.radians(communes["lon"].to_numpy())
    near = np.zeros(len(communes), dtype=bool)
    for plat, plon in places:
        a = (
            np.sin((lat - np.radians(plat)) / 2) ** 2
            + np.cos(lat) * np.cos(np.radians(plat)) * np.sin((lon - np.radians(plon)) / 2) ** 2
        )
        near |= 2 * 6371.0 * np.arcsin(np.sqrt(a)) <= km
    return near
