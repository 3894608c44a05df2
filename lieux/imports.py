"""Imports of the registry: the CGET 2019 census (CGET_TiersLieux_2019.csv) and the registry's own CSV.

An import is all-or-nothing: every faulty line is reported and nothing is written while one remains.
Rows that cannot be placed on a commune are listed and left out. Re-importing the same file changes
nothing (rows are matched on their source and source id). CONTACT and MAIL are never read into memory
beyond parsing, never stored, never logged.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from pydantic import ValidationError

from accounts.models import User
from accounts.policy import AccessDenied
from lieux import computed, duplicates, repository
from lieux.models import LieuIn, clean_text
from lieux.placement import RULE_LABELS, Resolver, clean_code, parse_number
from lieux.service import can_edit, french_errors
from intake import FileRefused, workbook
from intake.text import decode
from store.db import Database

FORMATS = ("cget2019", "csv")
CGET_SOURCE = "CGET_TiersLieux_2019"
CGET_ATTESTED = date(2018, 9, 19)  # the mission's report: the census lists places open then
CGET_COLUMNS = ["ID", "NOM_TL", "ADRESSE", "CP", "COMINIT", "INSEECOM", "NOMCOM", "WEB", "TWITTER", "FACEBOOK",
                "TYPO", "LAT", "LONG", "GEOCOD", "PRECISION", "CONTACT", "MAIL", "METRO", "NOMMETRO", "INSEEREG",
                "NOMREG", "INSEEMETRO", "INSEEDEP", "NOMCOMMETRO", "POPCOM", "COMCLASS", "INSEE_ZE", "NOM_ZE",
                "CLASS_ZE", "POP_ZE"]
CGET_REQUIRED = ["ID", "NOM_TL", "CP", "INSEECOM", "NOMCOM", "TYPO", "LAT", "LONG"]
PERSONAL = {"CONTACT", "MAIL"}
CSV_COLUMNS = ["id", "name", "address", "postal_code", "commune_code", "lat", "lon", "types", "labels",
               "opened_on", "closed_on", "attested_on", "legal_form", "in_qpv", "website", "source", "source_id"]
CSV_SOURCE = "import CSV"
COMPARED = ("name", "address", "postal_code", "commune_code", "lat", "lon", "types", "opened_on", "closed_on",
            "attested_on", "legal_form", "in_qpv", "website", "placement_rule", "review_reason")
_MISSING = {"", "#N/D", "#N/A", "N/D", "NA", "NAN", "NULL"}
# France counts about 3,500 tiers-lieux: ten times more lines than that is not a registry file.
BOUNDS = workbook.Bounds(max_rows=50_000, max_columns=60, max_cells=50_000 * 40)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class ImportFileError(ValueError):
    """A file that cannot be read at all (encoding, columns), explained in French."""


@dataclass
class ImportReport:
    """What an import found and did: counts, placements, the lines left out and the faulty lines."""

    file_format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    placements: dict = field(default_factory=dict)     # rule -> count
    unplaced: list = field(default_factory=list)       # {line, name, reason}
    errors: list = field(default_factory=list)         # {line, message}
    placed: list = field(default_factory=list)         # {line, name, commune_code, rule}
    review: list = field(default_factory=list)         # {line, name, commune_code, reason}: placed, to check
    committed: bool = False
    dry_run: bool = False
    values_changed: int = 0
    refused: list = field(default_factory=list)        # territory ids outside the user's scope


    def as_dict(self) -> dict:
        """Plain data for JSON output."""
        return {k: v for k, v in self.__dict__.items()}


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
        raise ImportFileError("Le fichier CSV est mal formé (un guillemet n'est sans doute pas refermé) : ouvrez-le "
                              "dans votre tableur et enregistrez-le de nouveau en CSV.") from error
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
                raise ImportFileError(f"La colonne {position + 1} n'a pas d'en-tête mais contient des valeurs : "
                                      "donnez-lui un nom ou supprimez-la.")
            continue  # an empty column left by a spreadsheet
        if name in seen:
            raise ImportFileError(f"La colonne « {name[:40]} » apparaît deux fois (colonnes {seen[name] + 1} et "
                                  f"{position + 1}) : gardez-en une seule.")
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
        raise ImportFileError("Colonnes du recensement CGET 2019 manquantes : " + ", ".join(missing)
                           + ". Vérifiez que le fichier est bien CGET_TiersLieux_2019.csv (ou choisissez le format csv).")
    frame = frame.drop(columns=[c for c in PERSONAL if c in frame.columns])  # never stored, never logged
    rows = []
    for rec in _records(frame):
        code = _cell(rec.get("INSEECOM"))
        if clean_code(code)[0] is None and "COMINIT" in rec:
            code = _cell(rec.get("COMINIT"))
        source_id = _cell(rec.get("ID"))
        rows.append({
            "line": rec["__line"], "source_id": source_id, "name": _cell(rec.get("NOM_TL")),
            "address": _cell(rec.get("ADRESSE")), "raw_postal": rec.get("CP"), "raw_code": code,
            "raw_commune_name": rec.get("NOMCOM"), "raw_lat": rec.get("LAT"), "raw_lon": rec.get("LONG"),
            "types": _types_from_typo(_cell(rec.get("TYPO"))), "website": _cell(rec.get("WEB")),
            "attested_on": CGET_ATTESTED, "source": CGET_SOURCE, "labels": {},
        })
    return rows, []


def _date(text: str | None) -> date | None:
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"date « {text} » illisible (attendu JJ/MM/AAAA)")


def _bool(text: str | None) -> bool | None:
    if not text:
        return None
    low = text.strip().lower()
    if low in ("oui", "vrai", "true", "1", "o", "x"):
        return True
    if low in ("non", "faux", "false", "0", "n"):
        return False
    raise ValueError(f"QPV « {text} » illisible (oui, non ou vide)")


def _csv_rows(frame: pd.DataFrame) -> tuple[list[dict], list]:
    frame.columns = [c.lower() if c != "__line" else c for c in frame.columns]
    if "name" not in frame.columns:
        raise ImportFileError("Colonne « name » absente : le format csv attend les colonnes "
                           + ", ".join(CSV_COLUMNS) + " (celles de l'export du registre).")
    rows, errors = [], []
    for rec in _records(frame):
        try:
            labels = {}
            for part in (_cell(rec.get("labels")) or "").replace(",", "|").split("|"):
                if part.strip():
                    label, _, year = part.strip().partition(":")
                    labels[label.strip()] = int(year) if year.strip() else None
            rows.append({
                "line": rec["__line"], "id": _cell(rec.get("id")), "source_id": _cell(rec.get("source_id")),
                "name": _cell(rec.get("name")), "address": _cell(rec.get("address")),
                "raw_postal": rec.get("postal_code"), "raw_code": rec.get("commune_code"),
                "raw_commune_name": rec.get("commune_name"), "raw_lat": rec.get("lat"), "raw_lon": rec.get("lon"),
                "types": [t.strip() for t in (_cell(rec.get("types")) or "").replace(",", "|").split("|") if t.strip()],
                "labels": labels, "opened_on": _date(_cell(rec.get("opened_on"))),
                "closed_on": _date(_cell(rec.get("closed_on"))),
                "attested_on": _date(_cell(rec.get("attested_on"))), "legal_form": _cell(rec.get("legal_form")),
                "in_qpv": _bool(_cell(rec.get("in_qpv"))), "website": _cell(rec.get("website")),
                "source": _cell(rec.get("source")) or CSV_SOURCE,
            })
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


def prepare(db: Database, content: bytes, file_format: str, user: User) -> tuple[ImportReport, dict]:
    """Read, place and validate every row; returns the report and what to write (nothing written yet)."""
    if file_format not in FORMATS:
        raise ImportFileError(f"Format « {file_format} » inconnu : choisissez cget2019 ou csv.")
    if not can_edit(user):
        raise AccessDenied("Seuls l'équipe nationale et les coordinateurs régionaux importent des lieux.")
    frame = read_table(content)
    rows, errors = (_cget_rows if file_format == "cget2019" else _csv_rows)(frame)
    report = ImportReport(file_format=file_format, rows=len(frame), errors=list(errors))
    with db.read() as cur:
        communes = repository.communes(cur)
        sources = {r["source"] for r in rows}
        known = pd.concat([repository.by_source(cur, s) for s in sorted(sources)] or [pd.DataFrame()],
                          ignore_index=True)
        ids = [r["id"] for r in rows if r.get("id")]
        by_id = repository.existing_ids(cur, ids) if ids else pd.DataFrame()
        registry = repository.points(cur)
    resolver = Resolver(communes)
    fields = ["id", "level", "name", "region_code", "departement_code", "epci_siren"]
    scope_rows = {code: dict(zip(fields, values)) for code, *values in zip(
        *(communes[c].to_numpy(dtype=object) for c in ["code", *fields]))}
    placements = resolver.place([r["raw_code"] for r in rows], [r["raw_postal"] for r in rows],
                                [r["raw_commune_name"] for r in rows], [r["raw_lat"] for r in rows],
                                [r["raw_lon"] for r in rows])
    known_by_key = {(rec["source"], rec["source_id"]): rec for rec in _records(known)} if len(known) else {}
    known_by_id = {rec["id"]: rec for rec in _records(by_id)} if len(by_id) else {}
    doubles = duplicates.for_import(rows, placements, registry, known_by_key, known_by_id)
    seen: dict = {}
    seen_ids: dict = {}
    inserts, updates, labels, events = [], [], [], []
    from accounts.policy import can_write_values
    for row, place in zip(rows, placements):
        line = int(row["line"])
        if place.error:
            report.errors.append({"line": line, "message": place.error})
            continue
        if place.commune_code is None:
            report.unplaced.append({"line": line, "name": row["name"], "reason": place.problem})
            continue
        if row.get("id") and not _ID.match(row["id"]):
            report.errors.append({"line": line, "message": f"identifiant « {row['id'][:40]} » invalide : lettres, "
                                  "chiffres, tirets ou points, 64 caractères au plus (laissez vide pour un nouveau lieu)"})
            continue
        if row.get("id") and row["id"] in seen_ids:
            report.errors.append({"line": line, "message": f"identifiant {row['id']} déjà vu ligne {seen_ids[row['id']]} "
                                  ": gardez une seule ligne par lieu"})
            continue
        if row.get("id"):
            seen_ids[row["id"]] = line
        key = (row["source"], row["source_id"]) if row.get("source_id") else None
        if key and key in seen:
            report.errors.append({"line": line, "message": f"identifiant {row['source_id']} déjà vu ligne {seen[key]}"})
            continue
        if key:
            seen[key] = line
        lat, lon = parse_number(row["raw_lat"]), parse_number(row["raw_lon"])
        if lat == 0 and lon == 0:
            lat = lon = None
        postal, _ = clean_code(row["raw_postal"])
        try:
            lieu = LieuIn(
                name=row["name"] or "", address=row.get("address"), postal_code=postal,
                commune_code=place.commune_code, lat=lat, lon=lon, types=row["types"], labels=row["labels"],
                opened_on=row.get("opened_on"), closed_on=row.get("closed_on"),
                attested_on=row.get("attested_on"), legal_form=row.get("legal_form"), in_qpv=row.get("in_qpv"),
                website=row.get("website"), source=row["source"], source_id=row.get("source_id"),
                placement_rule=place.rule,
                review_reason="; ".join(r for r in (place.review, doubles.get(line)) if r) or None)
        except ValidationError as error:
            report.errors.append({"line": line, "message": french_errors(error)})
            continue
        commune = {"id": f"COM-{place.commune_code}", "code": place.commune_code, **scope_rows[place.commune_code]}
        old = known_by_id.get(row.get("id")) or (known_by_key.get(key) if key else None)
        old_commune = scope_rows.get(old["commune_code"]) if old is not None and old.get("commune_code") else None
        if not can_write_values(user, commune):
            report.errors.append({"line": line, "message": (
                f"{commune['name']} ({place.commune_code}) est hors de votre périmètre : retirez cette ligne "
                "ou demandez à l'équipe nationale de l'importer")})
            report.refused.append(commune["id"])
            continue
        if old_commune and not can_write_values(
                user, {"code": old["commune_code"], "id": f"COM-{old['commune_code']}", **old_commune}):
            report.errors.append({"line": line, "message": (
                f"ce lieu est aujourd'hui à {old_commune['name']} ({old['commune_code']}), hors de votre périmètre : "
                "vous ne pouvez pas le déplacer — retirez cette ligne ou demandez à l'équipe nationale")})
            report.refused.append(f"COM-{old['commune_code']}")
            continue
        data = lieu.model_dump(mode="python", exclude={"labels"})
        data["types"] = [str(t) for t in lieu.types]
        label_years = sorted(f"{k}:{v}" for k, v in lieu.labels.items())
        report.placements[place.rule] = report.placements.get(place.rule, 0) + 1
        report.placed.append({"line": line, "name": lieu.name, "commune_code": place.commune_code,
                              "rule": place.rule, "note": place.note})
        if lieu.review_reason:
            report.review.append({"line": line, "name": lieu.name, "commune_code": place.commune_code,
                                  "reason": lieu.review_reason})
        if old is None:
            data["id"] = row.get("id") or f"TL-{uuid.uuid4().hex[:12]}"
            inserts.append(data)
            action, old_json = "create", None
        else:
            data["id"] = old["id"]
            if old["commune_code"] == data["commune_code"] and old.get("placement_rule"):
                data["placement_rule"] = old["placement_rule"]  # same commune: how it was first placed still holds
            same = _comparable(data) == _comparable(old) and label_years == sorted(_as_list(old["label_years"]))
            if same:
                report.unchanged += 1
                continue
            updates.append(data)
            action, old_json = "update", json.dumps({k: old[k] for k in COMPARED}, default=str, ensure_ascii=False)
        labels += [{"lieu_id": data["id"], "label": str(k), "year": int(v)} for k, v in lieu.labels.items()]
        events.append({"actor": user.email, "entity_key": data["id"], "action": action, "how": "import",
                       "old_data": old_json, "new_data": json.dumps({k: data[k] for k in COMPARED}, default=str,
                                                                    ensure_ascii=False),
                       "source": row["source"], "comment": f"ligne {line}",
                       "old_commune": old["commune_code"] if old is not None else None,
                       "old_lat": old["lat"] if old is not None else None,
                       "old_lon": old["lon"] if old is not None else None})
    report.created, report.updated = len(inserts), len(updates)
    report.errors.sort(key=lambda e: e["line"])
    return report, {"inserts": inserts, "updates": updates, "labels": labels, "events": events}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", *repository.WRITE_COLUMNS])
    for column in ("lat", "lon"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("opened_on", "closed_on", "attested_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date if len(frame) else frame[column]
    frame["in_qpv"] = frame["in_qpv"].astype("boolean")
    return frame


def run(db: Database, content: bytes, file_format: str, user: User, dry_run: bool = False,
        file_name: str | None = None) -> ImportReport:
    """Import a file: all or nothing; with dry_run, only say what would happen."""
    try:
        report, todo = prepare(db, content, file_format, user)
    except AccessDenied as error:
        if not dry_run:
            from store import audit
            db.write(lambda cur: audit.append(cur, actor=user.email, entity="lieu", action="refused", how="import",
                                              source=file_format, comment=str(error)))
        raise
    report.dry_run = dry_run
    if report.refused and not dry_run:
        # The attempt itself is traced, like every refused access (nothing else is written).
        from store import audit
        db.write(lambda cur: audit.append(
            cur, actor=user.email, entity="lieu", action="refused", key=report.refused[0], how="import",
            new={"territories": sorted(set(report.refused))[:200]}, source=file_format,
            comment=f"{file_name or 'fichier'} : {len(report.refused)} ligne(s) hors du périmètre"))
    if report.errors or dry_run or not (todo["inserts"] or todo["updates"]):
        return report

    def work(cur):
        repository.bulk_write(cur, _frame(todo["inserts"]), _frame(todo["updates"]),
                              pd.DataFrame(todo["labels"], columns=["lieu_id", "label", "year"]), user.email)
        events = pd.DataFrame(todo["events"])
        repository.bulk_audit(cur, events[["actor", "entity_key", "action", "how", "old_data", "new_data",
                                           "source", "comment"]])
        from store import audit
        audit.append(cur, actor=user.email, entity="lieu", action="import", how="import", source=file_format,
                     comment=f"{file_name or 'fichier'} : {report.created} créés, {report.updated} modifiés, "
                             f"{report.unchanged} inchangés, {len(report.unplaced)} non placés")
        # Only communes a changed place can affect are recomputed.
        from lieux.service import affected_communes
        changed = [*todo["inserts"], *todo["updates"]]
        olds = [{"commune_code": e["old_commune"], "lat": e["old_lat"], "lon": e["old_lon"]}
                for e in todo["events"] if e["old_commune"]]
        points = [{"commune_code": r["commune_code"], "lat": _num(r["lat"]), "lon": _num(r["lon"])}
                  for r in [*changed, *olds]]
        codes, near = affected_communes(cur, *points)
        return computed.recompute(cur, actor=user.email, communes=codes, near=near)

    report.values_changed = db.write(work, retries=2)
    report.committed = True
    return report


def _num(value) -> float | None:
    return None if value is None or value != value else float(value)


def rule_label(rule: str) -> str:
    """French label of a placement rule."""
    return RULE_LABELS.get(rule, rule)


def export_frame(lieux: pd.DataFrame) -> pd.DataFrame:
    """The registry's own CSV columns (re-importable with --format csv) from a search result."""
    out = pd.DataFrame({
        "id": lieux["id"], "name": lieux["name"], "address": lieux["address"], "postal_code": lieux["postal_code"],
        "commune_code": lieux["commune_code"], "commune_name": lieux["commune_name"],
        "lat": lieux["lat"], "lon": lieux["lon"],
        "types": lieux["types"].map(lambda t: "|".join(t) if t is not None else ""),
        "labels": lieux["label_years"].map(lambda t: "|".join(t) if t is not None else ""),
        "opened_on": lieux["opened_on"].map(_fr_date), "closed_on": lieux["closed_on"].map(_fr_date),
        "attested_on": lieux["attested_on"].map(_fr_date),
        "legal_form": lieux["legal_form"],
        "in_qpv": lieux["in_qpv"].map(lambda v: "" if v is None or v is pd.NA else ("oui" if v else "non")),
        "website": lieux["website"], "source": lieux["source"], "source_id": lieux["source_id"],
        "placement_rule": lieux["placement_rule"], "is_demo": lieux["is_demo"].map(lambda v: "oui" if v else "non"),
    })
    return out


def _fr_date(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%d/%m/%Y")
