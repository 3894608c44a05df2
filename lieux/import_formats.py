"""Reading registry files: the CGET 2019 census (CGET_TiersLieux_2019.csv) and the registry's own CSV.

Every cell is bounded and trimmed, lines keep their file numbers, CONTACT and MAIL are dropped at once
(never stored, never logged). The registry's CSV export (export_frame) is re-importable as format csv.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from intake import FileRefused, workbook
from intake.text import decode
from lieux.models import clean_text
from lieux.placement import clean_code
from lieux.repository import WRITE_COLUMNS

FORMATS = ("cget2019", "csv")
CGET_SOURCE = "CGET_TiersLieux_2019"
CGET_ATTESTED = date(2018, 9, 19)  # the mission's report: the census lists places open then
CGET_COLUMNS = [
    "ID",
    "NOM_TL",
    "ADRESSE",
    "CP",
    "COMINIT",
    "INSEECOM",
    "NOMCOM",
    "WEB",
    "TWITTER",
    "FACEBOOK",
    "TYPO",
    "LAT",
    "LONG",
    "GEOCOD",
    "PRECISION",
    "CONTACT",
    "MAIL",
    "METRO",
    "NOMMETRO",
    "INSEEREG",
    "NOMREG",
    "INSEEMETRO",
    "INSEEDEP",
    "NOMCOMMETRO",
    "POPCOM",
    "COMCLASS",
    "INSEE_ZE",
    "NOM_ZE",
    "CLASS_ZE",
    "POP_ZE",
]
CGET_REQUIRED = ["ID", "NOM_TL", "CP", "INSEECOM", "NOMCOM", "TYPO", "LAT", "LONG"]
PERSONAL = {"CONTACT", "MAIL"}
CSV_COLUMNS = [
    "id",
    "name",
    "address",
    "postal_code",
    "commune_code",
    "lat",
    "lon",
    "types",
    "labels",
    "opened_on",
    "closed_on",
    "attested_on",
    "legal_form",
    "in_qpv",
    "website",
    "source",
    "source_id",
]
CSV_SOURCE = "import CSV"
# What an import compares with the stored lieu: what a write sets, but where it came from.
COMPARED = tuple(c for c in WRITE_COLUMNS if c not in ("source", "source_id"))
_MISSING = {"", "#N/D", "#N/A", "N/D", "NA", "NAN", "NULL"}
# France counts about 3,500 tiers-lieux: ten times more lines than that is not a registry file.
BOUNDS = workbook.Bounds(max_rows=50_000, max_columns=60, max_cells=50_000 * 40)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
# How a date or an in_qpv cell may be written (the export writes the first date form and oui/non).
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")
TRUE_WORDS = ("oui", "vrai", "true", "1", "o", "x")
FALSE_WORDS = ("non", "faux", "false", "0", "n")


class ImportFileError(ValueError):
    """A file that cannot be read at all (encoding, columns), explained in French."""


def read_table(content: bytes) -> pd.DataFrame:
    """Any CSV (separator ';', ',' or tab) as a frame of trimmed text cells; lines numbered as in the file.

    The file's cost is bounded before it is parsed (size, lines, header width).
    """
    try:
        workbook.check_text_shape(content, BOUNDS)
        text = decode(content)
    except FileRefused as error:
        raise ImportFileError(f"Fichier refusé : {error}.") from error
    first = text.split("\n", 1)[0]
    sep = max((";", ",", "\t"), key=first.count)
    try:
        with workbook.parse_slot():
            rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    except csv.Error as error:
        raise ImportFileError(
            "Le fichier CSV est mal formé (un guillemet n'est sans doute pas refermé) : ouvrez-le "
            "dans votre tableur et enregistrez-le de nouveau en CSV."
        ) from error
    except FileRefused as error:
        raise ImportFileError(f"Fichier refusé : {error}.") from error
    rows = [r for r in rows if any(cell.strip() for cell in r)] if rows else []
    if not rows:
        raise ImportFileError("Le fichier est vide : il faut une ligne d'en-tête puis une ligne par lieu.")
    header = [h.strip().strip('"').upper() for h in rows[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype="str")
    keep, seen = [], {}
    for position, name in enumerate(header):
        if name == "":
            if (frame[position].str.strip() != "").any():
                raise ImportFileError(
                    f"La colonne {position + 1} n'a pas d'en-tête mais contient des valeurs : "
                    "donnez-lui un nom ou supprimez-la."
                )
            continue  # an empty column left by a spreadsheet
        if name in seen:
            raise ImportFileError(
                f"La colonne « {name[:40]} » apparaît deux fois (colonnes {seen[name] + 1} et "
                f"{position + 1}) : gardez-en une seule."
            )
        seen[name] = position
        keep.append(position)
    frame = frame[keep]
    frame.columns = [header[p] for p in keep]
    frame["__line"] = np.arange(2, len(frame) + 2)
    return frame


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts; much faster than DataFrame.to_dict on Arrow-backed text columns."""
    columns = list(frame.columns)
    arrays = [frame[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, values)) for values in zip(*arrays)]


def _cell(value) -> str | None:
    if value is None:
        return None
    text = clean_text(str(value))
    return None if text is None or text.upper() in _MISSING else text


def _types_from_typo(typo: str | None) -> list[str]:
    text = (typo or "").lower()
    found = [t for key, t in (("cowork", "coworking"), ("fab", "fablab")) if key in text]
    return found or (["autre"] if text else [])


def _cget_rows(frame: pd.DataFrame) -> tuple[list[dict], list]:
    missing = [c for c in CGET_REQUIRED if c not in frame.columns]
    if missing:
        raise ImportFileError(
            "Colonnes du recensement CGET 2019 manquantes : "
            + ", ".join(missing)
            + ". Vérifiez que le fichier est bien CGET_TiersLieux_2019.csv (ou choisissez le format csv)."
        )
    frame = frame.drop(columns=[c for c in PERSONAL if c in frame.columns])  # never stored, never logged
    rows = []
    for rec in _records(frame):
        code = _cell(rec.get("INSEECOM"))
        if clean_code(code)[0] is None and "COMINIT" in rec:
            code = _cell(rec.get("COMINIT"))
        source_id = _cell(rec.get("ID"))
        rows.append(
            {
                "line": rec["__line"],
                "source_id": source_id,
                "name": _cell(rec.get("NOM_TL")),
                "address": _cell(rec.get("ADRESSE")),
                "raw_postal": rec.get("CP"),
                "raw_code": code,
                "raw_commune_name": rec.get("NOMCOM"),
                "raw_lat": rec.get("LAT"),
                "raw_lon": rec.get("LONG"),
                "types": _types_from_typo(_cell(rec.get("TYPO"))),
                "website": _cell(rec.get("WEB")),
                "attested_on": CGET_ATTESTED,
                "source": CGET_SOURCE,
                "labels": {},
            }
        )
    return rows, []


def _date(text: str | None) -> date | None:
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"date « {text} » illisible (attendu JJ/MM/AAAA)")


def _bool(text: str | None) -> bool | None:
    if not text:
        return None
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise ValueError(f"QPV « {text} » illisible (oui, non ou vide)")


def _csv_rows(frame: pd.DataFrame) -> tuple[list[dict], list]:
    frame.columns = [c.lower() if c != "__line" else c for c in frame.columns]
    if "name" not in frame.columns:
        raise ImportFileError(
            "Colonne « name » absente : le format csv attend les colonnes "
            + ", ".join(CSV_COLUMNS)
            + " (celles de l'export du registre)."
        )
    rows, errors = [], []
    for rec in _records(frame):
        try:
            labels = {}
            for part in (_cell(rec.get("labels")) or "").replace(",", "|").split("|"):
                if part.strip():
                    label, _, year = part.strip().partition(":")
                    labels[label.strip()] = int(year) if year.strip() else None
            rows.append(
                {
                    "line": rec["__line"],
                    "id": _cell(rec.get("id")),
                    "source_id": _cell(rec.get("source_id")),
                    "name": _cell(rec.get("name")),
                    "address": _cell(rec.get("address")),
                    "raw_postal": rec.get("postal_code"),
                    "raw_code": rec.get("commune_code"),
                    "raw_commune_name": rec.get("commune_name"),
                    "raw_lat": rec.get("lat"),
                    "raw_lon": rec.get("lon"),
                    "types": [
                        t.strip() for t in (_cell(rec.get("types")) or "").replace(",", "|").split("|") if t.strip()
                    ],
                    "labels": labels,
                    "opened_on": _date(_cell(rec.get("opened_on"))),
                    "closed_on": _date(_cell(rec.get("closed_on"))),
                    "attested_on": _date(_cell(rec.get("attested_on"))),
                    "legal_form": _cell(rec.get("legal_form")),
                    "in_qpv": _bool(_cell(rec.get("in_qpv"))),
                    "website": _cell(rec.get("website")),
                    "source": _cell(rec.get("source")) or CSV_SOURCE,
                }
            )
        except ValueError as error:
            errors.append({"line": int(rec["__line"]), "message": str(error)})
    return rows, errors


def _as_list(value) -> list:
    return [] if value is None or (isinstance(value, float) and np.isnan(value)) else list(value)


def _comparable(row: dict) -> tuple:
    out = []
    for key in COMPARED:
        value = row.get(key)
        if isinstance(value, float) and np.isnan(value):
            value = None
        if isinstance(value, (pd.Timestamp, datetime)):
            value = value.date()
        if value is pd.NaT or value is pd.NA:
            value = None
        if isinstance(value, (list, np.ndarray)):
            value = tuple(str(v) for v in value)
        if isinstance(value, float):
            value = round(value, 6)
        out.append(value)
    return tuple(out)


def export_frame(lieux: pd.DataFrame) -> pd.DataFrame:
    """The registry's own CSV columns (re-importable with --format csv) from a search result."""
    out = pd.DataFrame(
        {
            "id": lieux["id"],
            "name": lieux["name"],
            "address": lieux["address"],
            "postal_code": lieux["postal_code"],
            "commune_code": lieux["commune_code"],
            "commune_name": lieux["commune_name"],
            "lat": lieux["lat"],
            "lon": lieux["lon"],
            "types": lieux["types"].map(lambda t: "|".join(t) if t is not None else ""),
            "labels": lieux["label_years"].map(lambda t: "|".join(t) if t is not None else ""),
            "opened_on": lieux["opened_on"].map(_fr_date),
            "closed_on": lieux["closed_on"].map(_fr_date),
            "attested_on": lieux["attested_on"].map(_fr_date),
            "legal_form": lieux["legal_form"],
            "in_qpv": lieux["in_qpv"].map(lambda v: "" if v is None or v is pd.NA else ("oui" if v else "non")),
            "website": lieux["website"],
            "source": lieux["source"],
            "source_id": lieux["source_id"],
            "placement_rule": lieux["placement_rule"],
            "is_demo": lieux["is_demo"].map(lambda v: "oui" if v else "non"),
        }
    )
    return out


def _fr_date(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%d/%m/%Y")
