"""A census-like file in the CGET 2019 layout, written row by row for the figure tests."""

from __future__ import annotations

from lieux.imports import CGET_COLUMNS

NA = "#N/D"


def row(ident, name, cp, code, commune, lat=NA, lon=NA, typo="Tiers lieux à dominante coworking"):
    """One census line: the columns the mission filled, '#N/D' elsewhere, contact columns filled (never stored)."""
    values = {c: NA for c in CGET_COLUMNS}
    values.update({"ID": str(ident), "NOM_TL": name, "ADRESSE": "", "CP": cp, "COMINIT": code, "INSEECOM": code,
                   "NOMCOM": commune, "WEB": "", "TWITTER": "", "FACEBOOK": "", "TYPO": typo,
                   "LAT": str(lat).replace(".", ","), "LONG": str(lon).replace(".", ","),
                   "CONTACT": "Jeanne Martin", "MAIL": "jeanne@exemple.fr"})
    return values


def census(rows) -> bytes:
    """The file as the mission shipped it: semicolons, cp1252."""
    lines = [";".join(CGET_COLUMNS)] + [";".join(r[c] for c in CGET_COLUMNS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")
