"""The history of one value and the undoing of one change (through the one write path)."""

from __future__ import annotations

import json

from accounts.models import User
from indicators import repository, visibility
from indicators.models import ValueChange
from indicators.periods import parse_period
from indicators.writes import WriteResult, apply
from store.db import Database


def history(
    db: Database, indicator_code: str, territory_id: str, period: str, kind: str = "actual", user: User | None = None
) -> dict:
    """The current state of one value and every change made to it, oldest first (user None: the public).

    A draft the user may not read is withheld whole, its changes too: "withheld" is then True.
    """
    code = parse_period(period).code
    with db.read() as cur:
        entries = repository.history(cur, repository.entity_key(indicator_code, territory_id, code, kind))
        current = repository.value_row(cur, indicator_code, territory_id, code, kind)
        withheld = current is not None and not visibility.may_read(cur, user, territory_id, bool(current["published"]))
    if withheld:
        current, entries = None, entries.iloc[0:0]
    return {
        "indicator_code": indicator_code,
        "territory_id": territory_id,
        "period": code,
        "kind": kind,
        "current": current,
        "entries": entries,
        "withheld": withheld,
    }


def revert(db: Database, user: User, audit_id: int, read_version: int | None = None) -> WriteResult:
    """Put a value back as it was before one change (deleting it if the change created it)."""
    with db.read() as cur:
        entry = repository.audit_entry(cur, audit_id)
    if entry is None or entry["entity"] != "value" or not entry["entity_key"]:
        raise ValueError(f"La modification n° {audit_id} n'existe pas ou ne concerne pas une valeur.")
    if entry["action"] in ("publish", "return"):
        raise ValueError(
            f"La modification n° {audit_id} est une décision de validation, pas un changement de valeur :"
            " elle ne s'annule pas ici. Pour revenir sur une valeur publiée, saisissez la valeur juste."
        )
    indicator_code, territory_id, period, kind = entry["entity_key"].split("|")
    old = json.loads(entry["old_data"]) if entry["old_data"] else None
    if read_version is None:
        with db.read() as cur:
            now = repository.value_row(cur, indicator_code, territory_id, period, kind)
        read_version = int(now["version"]) if now else 0
    if old is None:
        change = ValueChange(
            indicator_code=indicator_code,
            territory_id=territory_id,
            period=period,
            kind=kind,
            delete=True,
            read_version=read_version,
        )
    else:
        change = ValueChange(
            indicator_code=indicator_code,
            territory_id=territory_id,
            period=period,
            kind=kind,
            value=old.get("value") if old.get("numerator") is None else None,
            numerator=old.get("numerator"),
            denominator=old.get("denominator"),
            source=old.get("source"),
            comment=old.get("comment") or "",
            read_version=read_version,
        )
    return apply(db, user, [change], how="annulation", note=f"annulation de la modification n° {audit_id}")
