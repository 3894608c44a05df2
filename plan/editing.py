"""Writes to the plan by the national team: status and météo of a measure, follow-up notes.

Every write validates its input, checks accounts.policy.can_edit_plan, runs in one transaction,
refuses a stale update (the measure changed since the user read it: measure.version) and appends to
the audit log; a status change is also kept in measure_status_history.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from accounts.models import User
from accounts.policy import AccessDenied, can_edit_plan
from plan import repository
from plan.models import Meteo, Status
from store import audit
from store.db import Database


class StaleUpdate(Exception):
    """Someone else changed the measure since it was read; explained in French."""


class UnknownMeasure(ValueError):
    """A measure code that does not exist."""


class StatusUpdate(BaseModel):
    """A new status and météo for a measure, with the version the user read."""

    model_config = ConfigDict(str_strip_whitespace=True)

    status: Status
    meteo: Meteo
    comment: str | None = Field(default=None, max_length=2000)
    expected_version: int = Field(ge=1)


class NoteIn(BaseModel):
    """A follow-up note on a measure."""

    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=3, max_length=5000)


def _require(user: User) -> None:
    if not can_edit_plan(user):
        raise AccessDenied("Seule l'équipe nationale (ministère / ANCT) peut modifier le suivi des mesures.")


def update_status(db: Database, user: User, code: str, update: StatusUpdate) -> int:
    """Set a measure's status and météo; returns the new version. Refuses a stale version."""
    _require(user)

    def work(cur) -> int:
        row = repository.measure_state(cur, code)
        if row is None:
            raise UnknownMeasure(f"La mesure {code} n'existe pas.")
        status, meteo, version, by, at = row
        if version != update.expected_version:
            raise StaleUpdate(
                f"La mesure {code} a été modifiée par {by} le {at:%d/%m/%Y à %H:%M} depuis que vous l'avez "
                "ouverte. Rechargez la page pour voir son état actuel, puis refaites votre modification."
            )
        repository.set_status(cur, code, update.status.value, update.meteo.value, user.email, update.comment)
        audit.append(
            cur,
            actor=user.email,
            entity="measure",
            key=code,
            action="update_status",
            how="saisie",
            old={"status": status, "meteo": meteo, "version": version},
            new={"status": update.status.value, "meteo": update.meteo.value, "version": version + 1},
            comment=update.comment,
        )
        return version + 1

    return db.write(work)


def add_note(db: Database, user: User, code: str, note: NoteIn) -> int:
    """Append a follow-up note to a measure; returns its id."""
    _require(user)

    def work(cur) -> int:
        if not repository.measure_exists(cur, code):
            raise UnknownMeasure(f"La mesure {code} n'existe pas.")
        note_id = repository.add_note(cur, code, user.email, note.text)
        audit.append(
            cur,
            actor=user.email,
            entity="measure_note",
            key=f"{code}#{note_id}",
            action="create",
            how="saisie",
            new={"text": note.text},
        )
        return note_id

    return db.write(work)
