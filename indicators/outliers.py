"""Values "à vérifier": far from their peers of the same level, or from their own history (modified z-score).

Computed on read from the stored values (they change with every write, and a stored flag would have to be
recomputed for every peer of a changed value); only the "vérifié" marks are stored (table value_review),
per value and version, so a value changed after its check is flagged again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import Role, User
from accounts.policy import AccessDenied
from indicators import outlier_repository, periods, repository, rules
from intake.text import check_text
from store import audit
from store.db import Database
from territories import repository as territory_repo
from territories.levels import FRANCE, code_of, level_of

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


def _reason(row: dict) -> str:
    """Why a value is flagged, in French, with the figures of the modified z-score."""
    parts = []
    if row["peer_score"] == row["peer_score"] and abs(row["peer_score"]) > rules.OUTLIER_THRESHOLD:
        parts.append(
            f"loin de ses pairs : M = {rules.shown(round(row['peer_score'], 1))} (médiane des "
            f"{rules.shown(row['peer_n'])} {LEVEL_LABELS.get(row['level'], 'territoires')} : "
            f"{rules.shown(row['peer_median'])}, MAD {rules.shown(row['peer_mad'])})"
        )
    if row["own_score"] == row["own_score"] and abs(row["own_score"]) > rules.OUTLIER_THRESHOLD:
        parts.append(
            f"loin de son historique : M = {rules.shown(round(row['own_score'], 1))} (médiane de ses "
            f"{rules.shown(row['own_n'])} périodes : {rules.shown(row['own_median'])}, "
            f"MAD {rules.shown(row['own_mad'])})"
        )
    return " ; ".join(parts)


def history_start(period: str):
    """The first day of a value's history window: HISTORY_PERIODS periods of its length, itself included."""
    code = period
    for _ in range(rules.HISTORY_PERIODS - 1):
        try:
            periods.parse_period(earlier := periods.previous(code))
        except periods.PeriodError:  # the calendar of the app starts in 1990: the window stops there
            break
        code = earlier
    return periods.parse_period(code).start


def flagged(
    cur, *, period: str, regions: list[str] | None = None, source: str = outlier_repository.TYPED_VALUES_SQL
) -> pd.DataFrame:
    """Values of one period far from their peers (same indicator and level) or from their own history, each
    with its reason in French and its strongest score (`source`: the values to check, see outlier_rows)."""
    parsed = periods.parse_period(period)
    found = outlier_repository.outlier_rows(
        cur,
        period=parsed.code,
        period_start=parsed.start,
        since=history_start(parsed.code),
        until=parsed.end,
        regions=regions,
        factor=rules.OUTLIER_FACTOR,
        threshold=rules.OUTLIER_THRESHOLD,
        min_peers=rules.MIN_PEERS,
        min_history=rules.MIN_HISTORY,
        source=source,
    )
    for column in ("peer_score", "own_score"):
        found[column] = found[column].astype("float64")
    peer, own = found["peer_score"].abs().fillna(0), found["own_score"].abs().fillna(0)
    return found.assign(
        reason=[_reason(r) for r in found.to_dict("records")],
        score=np.where(peer >= own, found["peer_score"], found["own_score"]),
    )


def to_check(db: Database, user: User, *, period: str | None = None, include_reviewed: bool = False) -> pd.DataFrame:
    """The values "à vérifier" of one period (by default the latest) the user may correct: all for the national
    team, their région's for a coordinator; the peers are every territory of the level (the median shown
    reveals no one value)."""
    if not policy.can_enter_values(user):
        return pd.DataFrame(columns=COLUMNS)
    regions = None
    held = user.territories(Role.coordinateur)
    if Role.ministere not in user.roles and FRANCE not in held:
        # The régions the coordinator works in bound the histories read (the scope itself is checked below).
        with db.read() as cur:
            rows = territory_repo.rows_for(cur, pd.DataFrame({"territory_id": held}))
        regions = sorted({code_of(t) for t in held if level_of(t) == "region"} | set(rows["region_code"].dropna()))
    with db.read() as cur:
        period = period or outlier_repository.latest_typed_period(cur)
        if period is None:
            return pd.DataFrame(columns=COLUMNS)
        found = flagged(cur, period=period, regions=regions)
        reviews = outlier_repository.value_reviews(cur)
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
        outlier_repository.save_review(
            cur, [indicator_code, territory_id, period, kind, int(version), user.email, text]
        )
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
