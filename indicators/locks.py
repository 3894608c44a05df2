"""Period locks: the national team closes a period for a région; changes there are then refused."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from accounts.policy import AccessDenied
from indicators import repository
from indicators.periods import parse_period
from indicators.validation import Errors, text
from store import audit
from store.db import Database
from territories import repository as territory_repo

# Called in the unlocking transaction with (cursor, actor, communes of the région): values computed
# elsewhere (the registry of tiers-lieux) were frozen while the period was closed and catch up then.
Reopened = Callable[[object, str, list[str]], None]
_reopened: list[Reopened] = []


def when_reopened(callback: Reopened) -> Reopened:
    """Register what must follow the reopening of a period (a layer above indicators registers itself)."""
    if callback not in _reopened:
        _reopened.append(callback)
    return callback


def check_locks(cur, frame: pd.DataFrame, user: User, errors: Errors) -> None:
    """Locked periods refuse changes, except from the national team (checked per distinct period)."""
    if policy.can_lock_periods(user):
        return
    locks_ = repository.lock_rows(cur)
    if locks_.empty:
        return
    periods = frame[["period", "period_start", "period_end"]].dropna().drop_duplicates("period")
    locked = np.full(len(frame), None, dtype=object)
    for lock in locks_.itertuples():
        inside = periods.loc[
            (periods["period_start"] >= lock.period_start) & (periods["period_end"] <= lock.period_end), "period"
        ]
        hit = (frame["region_code"] == lock.region).to_numpy() & frame["period"].isin(inside).to_numpy()
        locked[hit & pd.isna(locked)] = lock.period
    frame["locked_period"] = locked
    errors.flag(
        frame,
        pd.notna(locked),
        "periode",
        lambda rows: (
            "la période " + text(rows["locked_period"]) + " est verrouillée pour cette région par l'équipe "
            "nationale : demandez-lui de la rouvrir"
        ).to_numpy(),
    )


def _region_and_period(db: Database, region: str, period: str):
    code = region.strip().upper().removeprefix("REG-")
    with db.read() as cur:
        name = territory_repo.region_name(cur, code)
    if name is None:
        raise ValueError(f"Région inconnue : {region}.")
    return code, name, parse_period(period)


def _audit_lock(cur, user: User, action: str, code: str, name: str, parsed) -> None:
    """The audit row of a lock or unlock (the one place this module writes the trail)."""
    state = {"region": code, "period": parsed.code}
    audit.append(
        cur,
        actor=user.email,
        entity="period_lock",
        action=action,
        key=f"{code}|{parsed.code}",
        old=state if action == "unlock" else None,
        new=state if action == "lock" else None,
        comment=f"{name} {parsed.label}",
    )


def lock_period(db: Database, user: User, region: str, period: str) -> None:
    """Close a period for a region (national team only); later changes there are refused."""
    if not policy.can_lock_periods(user):
        raise AccessDenied("Seule l'équipe nationale peut verrouiller une période.")
    code, name, parsed = _region_and_period(db, region, period)

    def work(cur):
        if repository.has_lock(cur, code, parsed.code):
            return
        repository.add_lock(cur, code, parsed.code, parsed.start, parsed.end, user.email)
        _audit_lock(cur, user, "lock", code, name, parsed)

    db.write(work)


def unlock_period(
    db: Database, user: User, region: str, period: str, *, catch_up: list[Reopened] | None = None
) -> None:
    """Reopen a period for a region (national team only); `catch_up` defaults to what registered itself."""
    if not policy.can_lock_periods(user):
        raise AccessDenied("Seule l'équipe nationale peut rouvrir une période.")
    code, name, parsed = _region_and_period(db, region, period)
    followers = list(_reopened if catch_up is None else catch_up)

    def work(cur):
        if repository.remove_lock(cur, code, parsed.code):
            _audit_lock(cur, user, "unlock", code, name, parsed)
            if followers:
                communes = sorted(territory_repo.commune_codes(cur, code))
                for follow in followers:
                    follow(cur, user.email, communes)

    db.write(work)


def locks(db: Database) -> pd.DataFrame:
    """Every locked period."""
    with db.read() as cur:
        return repository.locks(cur)
