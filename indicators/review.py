"""Review before publication: coordinators' values wait "soumis" until the national team validates them
("publié", in bulk per région and period) or returns one with a reason ("à corriger")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from accounts.policy import AccessDenied
from indicators import outliers, repository, review_repository
from store.db import Database
from territories import repository as territory_repo

STATE_LABELS = {"soumis": "Soumis", "a_corriger": "À corriger"}
MAX_REASON = 500
COLUMNS = [
    *review_repository.KEY,
    "indicator_name",
    "territory_name",
    "region_code",
    "state",
    "reason",
    "previous_value",
    "was_published",
    "value",
    "version",
    "comment",
    "updated_by",
    "updated_at",
    "changed_by",
    "changed_at",
    "to_check",
]


def submitted_text(submitted: int) -> str:
    """What a coordinator is told after a save or an import that submitted values (empty if none)."""
    if not submitted:
        return ""
    return (
        f" {submitted} en attente de validation par l'équipe nationale : le public les verra une fois publiées"
        " (onglet « Validation »)."
    )


def state_text(value, published, state, reason) -> str:
    """The review state of one grid cell in French: empty without a value, the reason when returned."""
    if pd.isna(value) and not isinstance(state, str):
        return ""
    if state == "a_corriger":
        return f"À corriger : {reason}" if isinstance(reason, str) and reason else "À corriger"
    if state == "soumis":
        return "Soumise"
    return "Non publiée" if pd.notna(published) and not bool(published) else "Publiée"


def transition_text(action: str, published) -> str:
    """What one history entry did to the value's publication, in French."""
    if action == "publish":
        return "publiée (validée)"
    if action == "return":
        return "renvoyée à corriger"
    if action == "delete":
        return "supprimée"
    if pd.notna(published) and not bool(published):
        return "soumise"
    return "publiée" if action in ("insert", "update") else ""


class ReviewError(ValueError):
    """A review action that cannot be done, explained in French."""


@dataclass(frozen=True)
class Validation:
    """What a bulk validation did: values published, and values changed since they were listed."""

    published: int
    changed: int


def in_review(
    db: Database,
    user: User | None,
    *,
    region_code: str | None = None,
    period: str | None = None,
    state: str | None = None,
) -> pd.DataFrame:
    """Values awaiting validation or returned, that the user may act on: every one for the national team,
    those of their scope for a coordinator, none for anyone else; outliers carry their reason in to_check."""
    if user is None or not policy.can_enter_values(user):
        return pd.DataFrame(columns=COLUMNS)
    with db.read() as cur:
        found = review_repository.states(cur, state=state, period=period)
        if found.empty:
            return pd.DataFrame(columns=COLUMNS)
        places = territory_repo.rows_for(cur, found[["territory_id"]].drop_duplicates())
        names = repository.indicators(cur).set_index("code")["name"]
        found = found.merge(
            places.rename(columns={"id": "territory_id", "name": "territory_name"}), on="territory_id", how="inner"
        )
        if region_code is not None:
            found = found[found["region_code"] == region_code]
        allowed = [
            policy.can_write_values(user, r) for r in found.rename(columns={"territory_id": "id"}).to_dict("records")
        ]
        found = found[np.asarray(allowed, dtype=bool)]
        found = found.assign(indicator_name=found["indicator_code"].map(names), to_check=None)
        for code in found["period"].unique() if region_code is not None else []:
            flagged = outliers.flagged(cur, period=code, regions=[region_code])
            reasons = flagged.set_index([*review_repository.KEY])["reason"]
            rows = found["period"] == code
            keys = pd.MultiIndex.from_frame(found.loc[rows, list(review_repository.KEY)])
            found.loc[rows, "to_check"] = reasons.reindex(keys).to_numpy()
    return found[COLUMNS].reset_index(drop=True)


def region_names(db: Database) -> dict[str, str]:
    """Région names by code, for the lists of what awaits validation."""
    with db.read() as cur:
        regions = territory_repo.regions(cur)
    return dict(zip(regions["code"], regions["name"]))


def validate(db: Database, user: User, listed: pd.DataFrame, comment: str | None = None) -> Validation:
    """Publish the listed values (as listed: a value changed since stays in review); audited."""
    _require_reviewer(user)
    if listed.empty:
        raise ReviewError("Aucune valeur à valider : choisissez une région et une période qui en ont.")
    published = db.write(
        lambda cur: review_repository.publish(cur, listed, actor=user.email, comment=_clean(comment) or None)
    )
    return Validation(published=len(published), changed=len(listed) - len(published))


def send_back(db: Database, user: User, row: dict, reason: str) -> None:
    """Return one submitted value to its coordinator with a reason; audited; the value stays unpublished."""
    _require_reviewer(user)
    reason = _clean(reason)
    if not reason:
        raise ReviewError("Indiquez pourquoi la valeur est renvoyée : le coordinateur verra ce motif.")
    if len(reason) > MAX_REASON:
        raise ReviewError(f"Le motif compte {len(reason)} caractères : {MAX_REASON} au plus.")
    key = {k: row[k] for k in review_repository.KEY}
    done = db.write(lambda cur: review_repository.send_back(cur, key, int(row["version"]), reason, actor=user.email))
    if not done:
        raise ReviewError(
            "Cette valeur a changé depuis que la liste a été affichée (corrigée, validée ou déjà renvoyée) :"
            " rechargez la liste avant de décider."
        )


def _require_reviewer(user: User) -> None:
    if not policy.can_review_values(user):
        raise AccessDenied("La validation des valeurs soumises est réservée à l'équipe nationale.")


def _clean(text: str | None) -> str:
    """A comment or reason without surrounding blanks or control characters."""
    return "".join(ch for ch in (text or "") if ch.isprintable() or ch == "\n").strip()
