"""The registry's import service: place, validate and scope-check every row, then write through lieux.writes.

An import is all-or-nothing: every faulty line is reported and nothing is written while one remains.
Rows that cannot be placed on a commune are listed and left out. Re-importing the same file changes
nothing (rows are matched on their source and source id). Reading the file formats is lieux.import_formats.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from accounts.models import User
from accounts.policy import AccessDenied
from lieux import duplicates, repository, writes
from lieux.import_formats import (
    _ID,
    FORMATS,
    ImportFileError,
    _as_list,
    _cget_rows,
    _comparable,
    _csv_rows,
    _records,
    read_table,
)
from lieux.models import LieuIn
from lieux.placement import Resolver, clean_code, parse_number
from lieux.writes import french_errors
from store import audit
from store.db import Database
from territories import repository as territory_repo
from territories.levels import territory_id


@dataclass
class ImportReport:
    """What an import found and did: counts, placements, the lines left out and the faulty lines."""

    file_format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    placements: dict = field(default_factory=dict)  # rule -> count
    unplaced: list = field(default_factory=list)  # {line, name, reason}
    errors: list = field(default_factory=list)  # {line, message}
    placed: list = field(default_factory=list)  # {line, name, commune_code, rule}
    review: list = field(default_factory=list)  # {line, name, commune_code, reason}: placed, to check
    committed: bool = False
    dry_run: bool = False
    values_changed: int = 0
    refused: list = field(default_factory=list)  # territory ids outside the user's scope

    def as_dict(self) -> dict:
        """Plain data for JSON output."""
        return dict(self.__dict__)


def prepare(db: Database, content: bytes, file_format: str, user: User) -> tuple[ImportReport, dict]:
    """Read, place and validate every row; returns the report and what to write (nothing written yet)."""
    if file_format not in FORMATS:
        raise ImportFileError(f"Format « {file_format} » inconnu : choisissez cget2019 ou csv.")
    if not writes.can_edit(user):
        raise AccessDenied("Seuls l'équipe nationale et les coordinateurs régionaux importent des lieux.")
    frame = read_table(content)
    rows, errors = (_cget_rows if file_format == "cget2019" else _csv_rows)(frame)
    report = ImportReport(file_format=file_format, rows=len(frame), errors=list(errors))
    with db.read() as cur:
        communes = territory_repo.communes(cur)
        sources = {r["source"] for r in rows}
        known = pd.concat(
            [repository.by_source(cur, s) for s in sorted(sources)] or [pd.DataFrame()], ignore_index=True
        )
        ids = [r["id"] for r in rows if r.get("id")]
        by_id = repository.existing_ids(cur, ids) if ids else pd.DataFrame()
        registry = repository.points(cur)
    resolver = Resolver(communes)
    fields = ["id", "level", "name", "region_code", "departement_code", "epci_siren"]
    scope_rows = {
        code: dict(zip(fields, values))
        for code, *values in zip(*(communes[c].to_numpy(dtype=object) for c in ["code", *fields]))
    }
    placements = resolver.place(
        [r["raw_code"] for r in rows],
        [r["raw_postal"] for r in rows],
        [r["raw_commune_name"] for r in rows],
        [r["raw_lat"] for r in rows],
        [r["raw_lon"] for r in rows],
    )
    known_by_key = {(rec["source"], rec["source_id"]): rec for rec in _records(known)} if len(known) else {}
    known_by_id = {rec["id"]: rec for rec in _records(by_id)} if len(by_id) else {}
    doubles = duplicates.for_import(rows, placements, registry, known_by_key, known_by_id)
    seen: dict = {}
    seen_ids: dict = {}
    inserts, updates, labels, comments = [], [], [], {}
    for row, place in zip(rows, placements):
        line = int(row["line"])
        if place.error:
            report.errors.append({"line": line, "message": place.error})
            continue
        if place.commune_code is None:
            report.unplaced.append({"line": line, "name": row["name"], "reason": place.problem})
            continue
        if row.get("id") and not _ID.match(row["id"]):
            report.errors.append(
                {
                    "line": line,
                    "message": f"identifiant « {row['id'][:40]} » invalide : lettres, "
                    "chiffres, tirets ou points, 64 caractères au plus (laissez vide pour un nouveau lieu)",
                }
            )
            continue
        if row.get("id") and row["id"] in seen_ids:
            report.errors.append(
                {
                    "line": line,
                    "message": f"identifiant {row['id']} déjà vu ligne {seen_ids[row['id']]} "
                    ": gardez une seule ligne par lieu",
                }
            )
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
                name=row["name"] or "",
                address=row.get("address"),
                postal_code=postal,
                commune_code=place.commune_code,
                lat=lat,
                lon=lon,
                types=row["types"],
                labels=row["labels"],
                opened_on=row.get("opened_on"),
                closed_on=row.get("closed_on"),
                attested_on=row.get("attested_on"),
                legal_form=row.get("legal_form"),
                in_qpv=row.get("in_qpv"),
                website=row.get("website"),
                source=row["source"],
                source_id=row.get("source_id"),
                placement_rule=place.rule,
                review_reason="; ".join(r for r in (place.review, doubles.get(line)) if r) or None,
            )
        except ValidationError as error:
            report.errors.append({"line": line, "message": french_errors(error)})
            continue
        commune = {"code": place.commune_code, **scope_rows[place.commune_code]}
        old = known_by_id.get(row.get("id")) or (known_by_key.get(key) if key else None)
        old_commune = scope_rows.get(old["commune_code"]) if old is not None and old.get("commune_code") else None
        if not writes.may_write(user, commune):
            report.errors.append(
                {
                    "line": line,
                    "message": (
                        f"{commune['name']} ({place.commune_code}) est hors de votre périmètre : retirez cette ligne "
                        "ou demandez à l'équipe nationale de l'importer"
                    ),
                }
            )
            report.refused.append(commune["id"])
            continue
        if old_commune and not writes.may_write(user, {"code": old["commune_code"], **old_commune}):
            report.errors.append(
                {
                    "line": line,
                    "message": (
                        f"ce lieu est aujourd'hui à {old_commune['name']} ({old['commune_code']}), hors de votre périmètre : "
                        "vous ne pouvez pas le déplacer — retirez cette ligne ou demandez à l'équipe nationale"
                    ),
                }
            )
            report.refused.append(territory_id("commune", old["commune_code"]))
            continue
        data = lieu.model_dump(mode="python", exclude={"labels"})
        data["types"] = [str(t) for t in lieu.types]
        label_years = sorted(f"{k}:{v}" for k, v in lieu.labels.items())
        report.placements[place.rule] = report.placements.get(place.rule, 0) + 1
        report.placed.append(
            {
                "line": line,
                "name": lieu.name,
                "commune_code": place.commune_code,
                "rule": place.rule,
                "note": place.note,
            }
        )
        if lieu.review_reason:
            report.review.append(
                {"line": line, "name": lieu.name, "commune_code": place.commune_code, "reason": lieu.review_reason}
            )
        if old is None:
            data["id"] = row.get("id") or f"TL-{uuid.uuid4().hex[:12]}"
            inserts.append(data)
        else:
            data["id"] = old["id"]
            if old["commune_code"] == data["commune_code"] and old.get("placement_rule"):
                data["placement_rule"] = old["placement_rule"]  # same commune: how it was first placed still holds
            same = _comparable(data) == _comparable(old) and label_years == sorted(_as_list(old["label_years"]))
            if same:
                report.unchanged += 1
                continue
            updates.append(data)
        labels += [{"lieu_id": data["id"], "label": str(k), "year": int(v)} for k, v in lieu.labels.items()]
        comments[data["id"]] = f"ligne {line}"
    report.created, report.updated = len(inserts), len(updates)
    report.errors.sort(key=lambda e: e["line"])
    return report, {"inserts": inserts, "updates": updates, "labels": labels, "comments": comments}


def run(
    db: Database, content: bytes, file_format: str, user: User, dry_run: bool = False, file_name: str | None = None
) -> ImportReport:
    """Import a file: all or nothing; with dry_run, only say what would happen."""
    try:
        report, todo = prepare(db, content, file_format, user)
    except AccessDenied as error:
        if not dry_run:
            _trace_refusal(db, user, file_format, comment=str(error))
        raise
    report.dry_run = dry_run
    if report.refused and not dry_run:
        # The attempt itself is traced, like every refused access (nothing else is written).
        _trace_refusal(
            db,
            user,
            file_format,
            key=report.refused[0],
            territories=sorted(set(report.refused))[:200],
            comment=f"{file_name or 'fichier'} : {len(report.refused)} ligne(s) hors du périmètre",
        )
    if report.errors or dry_run or not (todo["inserts"] or todo["updates"]):
        return report
    summary = (
        f"{file_name or 'fichier'} : {report.created} créés, {report.updated} modifiés, "
        f"{report.unchanged} inchangés, {len(report.unplaced)} non placés"
    )
    report.values_changed = writes.write_many(
        db,
        user,
        todo["inserts"],
        todo["updates"],
        todo["labels"],
        todo["comments"],
        how="import",
        summary=summary,
        source=file_format,
    )
    report.committed = True
    return report


def _trace_refusal(
    db: Database,
    user: User,
    file_format: str,
    *,
    comment: str,
    key: str | None = None,
    territories: list[str] | None = None,
) -> None:
    """The one audit call of a refused import (nothing else is written)."""
    db.write(
        lambda cur: audit.append(
            cur,
            actor=user.email,
            entity="lieu",
            action="refused",
            key=key,
            how="import",
            new={"territories": territories} if territories is not None else None,
            source=file_format,
            comment=comment,
        )
    )
