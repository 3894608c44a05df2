"""Values "à vérifier": far from their peers of the same level, or from their own history (modified z-score).

Computed on read from the stored values (they change with every write, and a stored flag would have to be
recomputed for every peer of a changed value); only the "vérifié" marks are stored (table value_review),
per value and version, so a value changed after its check is flagged again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from accounts.policy import AccessDenied
from indicators import repository, rules
from intake.text import check_text
from store import audit
from store.db import Database
from territories import repository as territory_repo

COLUMNS = [
    "indicator_code",
    "indicator_name",
    "territory_id",
    "name",
    "level",
    "period",
    "kind",
    "value",
    "version",
    "reason",
    "score",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
]
LEVEL_LABELS = {"region": "régions", "departement": "départements", "epci": "EPCI", "commune": "communes"}


def scores(frame: pd.DataFrame, by: list[str], minimum: int) -> pd.DataFrame:
    """Median, MAD, group size and modified z-score M = 0.6745·(x − median)/MAD of each row within its group.

    M is NaN where the MAD is 0 (half the group or more share one value) or the group has fewer than
    `minimum` values: no outlier can be told there.
    """
    groups = frame.groupby(by, dropna=False)["value"]
    median = groups.transform("median")
    deviation = (frame["value"] - median).abs()
    mad = deviation.groupby([frame[c] for c in by], dropna=False).transform("median")
    size = groups.transform("size")
    usable = (mad > 0) & (size >= minimum)
    score = (rules.OUTLIER_FACTOR * (frame["value"] - median) / mad.where(usable)).astype("float64")
    return pd.DataFrame({"median": median, "mad": mad, "n": size, "score": score}, index=frame.index)


def flagged(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a value frame (indicator_code, territory_id, level, period, value) far from their peers
    (same indicator, period and level) or from their own history, with the reason in French."""
    if frame.empty:
        return frame.assign(reason=pd.Series(dtype=object), score=pd.Series(dtype="float64"))
    peers = scores(frame, ["indicator_code", "period", "level", "kind"], rules.MIN_PEERS)
    history = scores(frame, ["indicator_code", "territory_id", "kind"], rules.MIN_HISTORY)
    far_peers = peers["score"].abs() > rules.OUTLIER_THRESHOLD
    far_history = history["score"].abs() > rules.OUTLIER_THRESHOLD
    reasons = []
    for i in np.flatnonzero((far_peers | far_history).to_numpy()):
        parts = []
        if far_peers.iat[i]:
            parts.append(
                f"loin de ses pairs : M = {rules.shown(round(peers['score'].iat[i], 1))} (médiane des "
                f"{rules.shown(peers['n'].iat[i])} {LEVEL_LABELS.get(frame['level'].iat[i], 'territoires')} : "
                f"{rules.shown(peers['median'].iat[i])}, MAD {rules.shown(peers['mad'].iat[i])})"
            )
        if far_history.iat[i]:
            parts.append(
                f"loin de son historique : M = {rules.shown(round(history['score'].iat[i], 1))} (médiane de ses "
                f"{rules.shown(history['n'].iat[i])} périodes : {rules.shown(history['median'].iat[i])}, "
                f"MAD {rules.shown(history['mad'].iat[i])})"
            )
        reasons.append(" ; ".join(parts))
    mask = (far_peers | far_history).to_numpy()
    strongest = np.where(
        peers["score"].abs().fillna(0) >= history["score"].abs().fillna(0), peers["score"], history["score"]
    )
    return frame[mask].assign(reason=reasons, score=strongest[mask])


def to_check(db: Database, user: User, *, period: str | None = None, include_reviewed: bool = False) -> pd.DataFrame:
    """The values "à vérifier" the user may correct: all for the national team, their région's for a
    coordinator; the peers are every territory of the level (the median shown reveals no one value)."""
    if not policy.can_enter_values(user):
        return pd.DataFrame(columns=COLUMNS)
    with db.read() as cur:
        values = repository.typed_values_for_review(cur)
        reviews = repository.value_reviews(cur)
    found = flagged(values)
    if period:
        found = found[found["period"] == period]
    if found.empty:
        return pd.DataFrame(columns=COLUMNS)
    allowed = [
        policy.can_write_values(user, row) for row in found.rename(columns={"territory_id": "id"}).to_dict("records")
    ]
    found = found[np.asarray(allowed, dtype=bool)]
    found = found.merge(reviews, on=["indicator_code", "territory_id", "period", "kind"], how="left")
    # A check counts for the version it saw: a value changed since is flagged again.
    current = found["reviewed_version"] == found["version"]
    found.loc[~current, ["reviewed_by", "reviewed_at", "review_comment"]] = None
    if not include_reviewed:
        found = found[~current]
    ordered = found.assign(strength=found["score"].abs()).sort_values(
        ["indicator_code", "period", "strength"], ascending=[True, False, False]
    )
    return ordered[COLUMNS].reset_index(drop=True)


def mark_verified(
    db: Database,
    user: User,
    *,
    indicator_code: str,
    territory_id: str,
    period: str,
    kind: str,
    version: int,
    comment: str,
) -> None:
    """Record that someone checked a flagged value and found it right, with why; audited.

    Raises ValueError (French) without a comment or when the value changed since it was shown, and
    AccessDenied outside the user's scope.
    """
    text = check_text((comment or "").strip())
    if not text:
        raise ValueError("Indiquez en commentaire ce que vous avez vérifié (la source, l'explication de l'écart).")
    if len(text) > rules.MAX_COMMENT:
        raise ValueError(f"Commentaire trop long ({rules.MAX_COMMENT} caractères au plus).")

    def work(cur) -> None:
        found = territory_repo.rows_for(cur, pd.DataFrame({"territory_id": [territory_id]}))
        territory = found.iloc[0].to_dict() if not found.empty else None
        if territory is None:
            raise ValueError(f"Territoire inconnu : {territory_id}.")
        if not policy.can_write_values(user, territory):
            raise AccessDenied(
                f"{territory['name']} ({territory_id}) est hors de votre périmètre : vous ne pouvez pas "
                "vérifier ses valeurs."
            )
        stored = repository.value_row(cur, indicator_code, territory_id, period, kind)
        if stored is None or int(stored["version"]) != int(version):
            raise ValueError(
                "Cette valeur a changé (ou a été supprimée) depuis son affichage : rechargez la liste "
                "et vérifiez-la de nouveau."
            )
        repository.save_review(cur, [indicator_code, territory_id, period, kind, int(version), user.email, text])
        audit.append(
            cur,
            actor=user.email,
            entity="value",
            action="verified",
            key=repository.entity_key(indicator_code, territory_id, period, kind),
            how="controle",
            new={"value": stored["value"], "version": int(version)},
            comment=text,
        )

    db.write(work)
