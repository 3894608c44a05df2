"""The registry's one write path: validate, check scope, refuse stale changes, audit, recompute.

Single changes (the Registre page, commands) go through write(); imports through write_many(), which
writes in bulk but audits each lieu in the same shape and recomputes the same affected communes.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import ValidationError

from accounts.models import Role, User
from accounts.policy import AccessDenied, can_write_values
from lieux import computed, coverage, repository
from lieux.models import Label, Lieu, LieuIn, LieuType
from lieux.placement import Resolver
from store import audit
from store.db import Database
from territories import repository as territory_repo
from territories.codes import read_commune_code
from territories.levels import FRANCE

Action = Literal["create", "update", "close", "reopen", "delete"]
ACTION_LABELS = {
    "create": "création",
    "update": "modification",
    "close": "fermeture",
    "reopen": "réouverture",
    "delete": "suppression",
}
FIELD_LABELS = {
    "name": "nom",
    "address": "adresse",
    "postal_code": "code postal",
    "commune_code": "commune",
    "lat": "latitude",
    "lon": "longitude",
    "types": "types",
    "labels": "labels",
    "opened_on": "date d'ouverture",
    "closed_on": "date de fermeture",
    "legal_form": "forme juridique",
    "in_qpv": "QPV",
    "website": "site web",
    "source": "source",
    "source_id": "identifiant source",
}


class LieuError(ValueError):
    """A registry change refused, explained in French (what is wrong, what to do)."""


class StaleLieu(LieuError):
    """Someone else changed the lieu since it was read."""


def french_errors(error: ValidationError) -> str:
    """A Pydantic error list as one French sentence per field."""
    parts = []
    for item in error.errors():
        field = FIELD_LABELS.get(str(item["loc"][0]), str(item["loc"][0])) if item["loc"] else "fiche"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] in ("string_too_short", "missing"):
            message = "obligatoire (trop court ou absent)"
        elif item["type"] == "enum":
            message = f"valeur « {item.get('input')} » inconnue"
        elif item["type"] == "string_too_long":
            message = f"trop long ({item.get('ctx', {}).get('max_length')} caractères au plus)"
        elif item["type"].startswith(("greater_than", "less_than")):
            message = f"valeur « {item.get('input')} » hors des bornes"
        elif item["type"].endswith(("_parsing", "_type")):
            message = f"valeur « {item.get('input')} » illisible"
        parts.append(f"{field} : {message}")
    return "Fiche invalide — " + " ; ".join(parts) + "."


def validate(data: LieuIn | dict) -> LieuIn:
    """A LieuIn from a form or a command, or a French LieuError."""
    if isinstance(data, LieuIn):
        return data
    try:
        return LieuIn.model_validate(data)
    except ValidationError as error:
        raise LieuError(french_errors(error)) from error


def require_write_lieu(user: User, commune: dict) -> None:
    """Raise AccessDenied unless the user may change lieux of this commune (national team, or its coordinator)."""
    if not can_write_values(user, commune):
        raise AccessDenied(
            f"Vous ne pouvez pas modifier les lieux de {commune['name']} ({commune['code']}) : "
            "cette commune est hors de votre périmètre. Demandez à l'équipe nationale."
        )


def can_edit(user: User) -> bool:
    """Whether the user may edit the registry somewhere (the page shows the form only then)."""
    return bool(user.roles & {Role.ministere, Role.coordinateur})


def _place(cur, lieu: LieuIn) -> LieuIn:
    """Fill the commune from the postal code and name or the coordinates when it was not given."""
    if lieu.opened_on is None and lieu.attested_on is None:
        # Entered without an opening date: open today at least, which is what the indicators can know.
        lieu = lieu.model_copy(update={"attested_on": date.today()})
    if lieu.commune_code:
        reading = read_commune_code(lieu.commune_code, frozenset(territory_repo.commune_codes(cur)))
        if reading.code and reading.code != lieu.commune_code:  # an arrondissement or a merged commune
            lieu = lieu.model_copy(update={"commune_code": reading.code})
        if territory_repo.commune(cur, lieu.commune_code) is None:
            raise LieuError(
                f"La commune {lieu.commune_code} n'existe pas dans le code officiel géographique. "
                "Vérifiez le code INSEE (5 caractères, ex. 01053 ou 2A004)."
            )
        if lieu.lat is None and lieu.lon is None and not lieu.postal_code:
            return lieu.model_copy(update={"placement_rule": lieu.placement_rule or "saisie"})
        # A typed code is weighed against the coordinates and postal code, with the import's evidence rule.
        found = Resolver(territory_repo.communes(cur)).place(
            [lieu.commune_code], [lieu.postal_code], [None], [lieu.lat], [lieu.lon]
        )[0]
        if found.error:
            raise LieuError(f"Le lieu ne peut pas être placé : {found.error}.")
        by_code = found.commune_code == lieu.commune_code
        return lieu.model_copy(
            update={
                "commune_code": found.commune_code,
                "placement_rule": (lieu.placement_rule or "saisie") if by_code else found.rule,
                "review_reason": found.review or lieu.review_reason,
            }
        )
    resolver = Resolver(territory_repo.communes(cur))
    found = resolver.place([None], [lieu.postal_code], [lieu.address], [lieu.lat], [lieu.lon])[0]
    if found.error:
        raise LieuError(f"Le lieu ne peut pas être placé : {found.error}.")
    if found.commune_code is None:
        raise LieuError("Le lieu ne peut pas être placé : renseignez la commune (code INSEE) ou des coordonnées.")
    return lieu.model_copy(
        update={"commune_code": found.commune_code, "placement_rule": found.rule, "review_reason": found.review}
    )


def _row(lieu: LieuIn) -> dict:
    data = lieu.model_dump(mode="python", exclude={"labels"})
    data["types"] = [str(t) for t in lieu.types]
    return data


def _snapshot(lieu: dict | None) -> dict | None:
    if lieu is None:
        return None
    return {k: (str(v) if isinstance(v, date) else v) for k, v in lieu.items() if k not in ("updated_by",)}


def audit_change(
    cur,
    actor: str,
    action: str,
    lieu_id: str,
    old: dict | None,
    new: dict | None,
    *,
    how: str,
    comment: str | None = None,
) -> None:
    """The one audit shape of a registry change: the lieu as stored before and after, whoever wrote it."""
    audit.append(
        cur,
        actor=actor,
        entity="lieu",
        key=lieu_id,
        action=action,
        how=how,
        old=_snapshot(old),
        new=_snapshot(new),
        source=(new or old or {}).get("source"),
        comment=comment,
    )


def affected_communes(cur, *points: dict | None) -> tuple[list[str], list[str]]:
    """Communes whose registry values a change can alter: the lieu's communes, and for the proximity
    indicator those within reach of its old and new positions."""
    codes = {p["commune_code"] for p in points if p and p.get("commune_code")}
    located = [p for p in points if p and p.get("lat") is not None and p.get("lon") is not None]
    near: set[str] = set()
    communes = territory_repo.commune_centres(cur)
    if located:
        near.update(
            coverage.communes_near(
                communes, [p["lat"] for p in located], [p["lon"] for p in located], computed.PROXIMITY_KM
            )
        )
    # A place without coordinates stands at its commune's centre.
    centres = communes[communes["code"].isin(codes)]
    near.update(
        coverage.communes_near(communes, centres["lat"].tolist(), centres["lon"].tolist(), computed.PROXIMITY_KM)
    )
    return sorted(codes), sorted(near)


def write(
    db: Database,
    user: User,
    action: Action,
    *,
    lieu_id: str | None = None,
    data: LieuIn | dict | None = None,
    expected_version: int | None = None,
    closed_on: date | None = None,
    comment: str | None = None,
) -> Lieu | None:
    """The one way to change the registry: validate, check scope, refuse stale changes, audit, recompute."""
    if not can_edit(user):
        raise AccessDenied("Seuls l'équipe nationale et les coordinateurs régionaux modifient le registre.")
    lieu_in = validate(data) if data is not None else None
    if action in ("create", "update") and lieu_in is None:
        raise LieuError("Fiche absente : renseignez au moins le nom et la commune du lieu.")
    if action != "create" and (not lieu_id or expected_version is None):
        raise LieuError("Lieu ou version manquant : rechargez la fiche avant de la modifier.")

    def work(cur):
        old = repository.get(cur, lieu_id) if lieu_id else None
        if action != "create":
            if old is None:
                raise LieuError(f"Le lieu {lieu_id} n'existe plus (supprimé entre-temps ?). Rechargez la page.")
            if old["version"] != expected_version:
                raise StaleLieu(
                    f"« {old['name']} » a été modifié par {old['updated_by']} depuis que vous l'avez "
                    "ouvert. Rechargez la fiche, vérifiez ses valeurs, puis refaites votre modification."
                )
            require_write_lieu(
                user,
                territory_repo.commune(cur, old["commune_code"])
                or {"id": FRANCE, "level": "pays", "code": FRANCE, "name": "une commune inconnue"},
            )
        if action in ("create", "update"):
            new_in = _place(cur, lieu_in)
        elif action in ("close", "reopen"):
            base = {k: v for k, v in old.items() if k in LieuIn.model_fields}
            base["closed_on"] = (closed_on or date.today()) if action == "close" else None
            if action == "close" and old["closed_on"] is not None:
                raise LieuError(f"« {old['name']} » est déjà fermé depuis le {old['closed_on']:%d/%m/%Y}.")
            new_in = validate(base)
        else:
            new_in = None
        if new_in is not None:
            require_write_lieu(user, territory_repo.commune(cur, new_in.commune_code))
        target_id = lieu_id or f"TL-{uuid.uuid4().hex[:12]}"
        if action == "create":
            repository.insert(cur, target_id, _row(new_in), user.email)
            repository.set_labels(cur, target_id, new_in.labels)
        elif action == "delete":
            if not repository.delete(cur, target_id, expected_version):
                raise StaleLieu("Le lieu a changé pendant la suppression. Rechargez la fiche.")
        else:
            if not repository.update(cur, target_id, _row(new_in), user.email, expected_version):
                raise StaleLieu("Le lieu a changé pendant l'enregistrement. Rechargez la fiche.")
            repository.set_labels(cur, target_id, new_in.labels)
        stored = repository.get(cur, target_id)
        audit_change(cur, user.email, action, target_id, old, stored, how="saisie", comment=comment)
        codes, near = affected_communes(cur, old, stored)
        computed.recompute(cur, actor=user.email, communes=codes, near=near)
        return stored

    stored = db.write(work, retries=2)
    return _to_model(stored) if stored else None


def _to_model(row: dict) -> Lieu:
    data = dict(row)
    data["labels"] = {Label(k): v for k, v in row["labels"].items()}
    data["types"] = [LieuType(t) for t in row["types"] or []]
    return Lieu.model_construct(**data)


def create(db: Database, user: User, data: LieuIn | dict, comment: str | None = None) -> Lieu:
    """Add a lieu to the registry."""
    return write(db, user, "create", data=data, comment=comment)


def update(
    db: Database, user: User, lieu_id: str, data: LieuIn | dict, expected_version: int, comment: str | None = None
) -> Lieu:
    """Change a lieu read at expected_version."""
    return write(db, user, "update", lieu_id=lieu_id, data=data, expected_version=expected_version, comment=comment)


def close(
    db: Database,
    user: User,
    lieu_id: str,
    expected_version: int,
    closed_on: date | None = None,
    comment: str | None = None,
) -> Lieu:
    """Record that a lieu closed (today unless a date is given)."""
    return write(
        db, user, "close", lieu_id=lieu_id, expected_version=expected_version, closed_on=closed_on, comment=comment
    )


def delete(db: Database, user: User, lieu_id: str, expected_version: int, comment: str | None = None) -> None:
    """Remove a lieu entered by mistake (a closed place is closed, not deleted)."""
    write(db, user, "delete", lieu_id=lieu_id, expected_version=expected_version, comment=comment)


def write_many(
    db: Database,
    user: User,
    inserts: list[dict],
    updates: list[dict],
    labels: list[dict],
    comments: dict[str, str],
    *,
    how: str,
    summary: str,
    source: str | None,
) -> int:
    """Write checked lieux in bulk (one transaction), audit each like write() does, recompute; values changed.

    The caller (an import) has validated every row and checked its scope with may_write(); comments say,
    per lieu id, where the row came from (« ligne 12 »).
    """
    if not can_edit(user):
        raise AccessDenied("Seuls l'équipe nationale et les coordinateurs régionaux modifient le registre.")

    def work(cur):
        ids = [r["id"] for r in [*inserts, *updates]]
        before = repository.get_many(cur, [r["id"] for r in updates])
        repository.bulk_write(
            cur,
            _frame(inserts),
            _frame(updates),
            pd.DataFrame(labels, columns=["lieu_id", "label", "year"]),
            user.email,
        )
        after = repository.get_many(cur, ids)
        audit.append_frame(cur, _change_events(user.email, ids, before, after, how=how, comments=comments))
        audit.append(cur, actor=user.email, entity="lieu", action="import", how=how, source=source, comment=summary)
        # Only communes a changed place can affect are recomputed.
        codes, near = affected_communes(cur, *before.values(), *after.values())
        return computed.recompute(cur, actor=user.email, communes=codes, near=near)

    return db.write(work, retries=2)


def _change_events(
    actor: str, ids: list[str], before: dict[str, dict], after: dict[str, dict], *, how: str, comments: dict[str, str]
) -> pd.DataFrame:
    """audit_change's rows for many lieux at once, as one frame for audit.append_frame (one insert)."""
    olds = [before.get(i) for i in ids]
    news = [after.get(i) for i in ids]
    return pd.DataFrame(
        {
            "actor": actor,
            "entity": "lieu",
            "entity_key": ids,
            "action": ["update" if i in before else "create" for i in ids],
            "how": how,
            "old_data": [audit.to_json(_snapshot(o)) for o in olds],
            "new_data": [audit.to_json(_snapshot(n)) for n in news],
            "source": [(n or o or {}).get("source") for o, n in zip(olds, news)],
            "comment": [comments.get(i) for i in ids],
        },
        columns=list(audit.COLUMNS),
    )


def may_write(user: User, commune: dict) -> bool:
    """Whether the user may change lieux of this commune row (what require_write_lieu enforces)."""
    return can_write_values(user, commune)


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", *repository.WRITE_COLUMNS])
    for column in ("lat", "lon"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("opened_on", "closed_on", "attested_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date if len(frame) else frame[column]
    frame["in_qpv"] = frame["in_qpv"].astype("boolean")
    return frame
