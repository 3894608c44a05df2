"""The one write path of indicator values: plan the changes against the stored state, then apply them.

Every change — typed, imported, corrected, deleted, reverted — goes through `apply`: it validates
(indicators.validation), checks the signed-in user's scope with accounts.policy, refuses locked periods
(indicators.locks) and stale updates, writes in one transaction and appends one audit row per changed value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from accounts.policy import AccessDenied
from indicators import repository, review_repository, rules
from indicators.locks import check_locks
from indicators.models import ValueChange
from indicators.soft_rules import check_warnings
from indicators.validation import (
    ERROR_COLUMNS,
    Errors,
    check_duplicates,
    check_shape,
    check_territories,
    parse_periods,
    to_frame,
)
from store import audit
from store.db import Database

How = Literal["saisie", "import", "correction", "annulation", "suppression"]
HOW_LABELS = {
    "saisie": "saisie",
    "import": "import",
    "correction": "correction",
    "annulation": "annulation",
    "suppression": "suppression",
}
Progress = Callable[[float, str], None]
# Writes whose values are the writer's own figures get the soft checks; an undo restores a figure that was
# already accepted once, and a deletion has no figure.
SOFT_CHECKED = {"saisie", "import", "correction"}


@dataclass
class WriteResult:
    """What a write did, or why it did nothing: errors (line, column, message) and stale conflicts."""

    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    written: bool = False
    rows: int = 0
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)  # the changes, old and new figures
    versions: dict = field(default_factory=dict)  # row position → version read (0: absent)
    # Soft rules broken (line, column, message, pos): a real write needs confirm=True and a comment.
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    unconfirmed: str | None = None  # why a write with warnings wrote nothing (French), else None
    submitted: int = 0  # values written that wait for the national team's validation (indicators.review)

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return self.errors.empty and self.conflicts.empty and self.unconfirmed is None

    @property
    def changed(self) -> int:
        """How many values were (or would be) changed."""
        return self.inserted + self.updated + self.deleted


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal numbers, or both missing."""
    return (a.isna() & b.isna()) | ((a - b).abs() <= 1e-9 * np.maximum(1.0, b.abs()))


def _plan(cur, frame: pd.DataFrame, how: str, note: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare incoming rows with the stored state: the operations to run, and the stale conflicts."""
    keys = frame[["pos", *repository.KEY]]
    stored = repository.current(cur, keys).set_index("pos")
    old = stored.reindex(frame["pos"].to_numpy())
    old.index = frame.index
    exists = old["version"].notna()
    new_source = frame["source"].where(frame["source"].notna(), None)
    same = (
        _same(frame["value"], old["value"])
        & _same(frame["numerator"], old["numerator"])
        & _same(frame["denominator"], old["denominator"])
        & (frame["comment"].isna() | (frame["comment"].replace("", None).fillna("\0") == old["comment"].fillna("\0")))
        & (new_source.isna() | (new_source == old["source"]))
    )
    op = np.select(
        [frame["delete"] & ~exists, frame["delete"], exists & same, exists],
        ["unchanged", "delete", "unchanged", "update"],
        default="insert",
    )
    plan = frame.assign(op=op)
    current_version = old["version"].fillna(0).astype("int64")
    stale = (
        (plan["op"] != "unchanged")
        & plan["read_version"].notna()
        & (plan["read_version"].fillna(-1).astype("int64") != current_version)
    )
    conflicts = pd.DataFrame(
        {
            "line": plan["line"],
            "indicator_code": plan["indicator_code"],
            "territory_id": plan["territory_id"],
            "territory_name": plan["territory_name"],
            "period": plan["period"],
            "kind": plan["kind"],
            "your_value": plan["value"].where(~plan["delete"]),
            "your_comment": plan["comment"],
            "read_version": plan["read_version"],
            "their_value": old["value"],
            "their_comment": old["comment"],
            "their_version": current_version,
            "their_updated_by": old["updated_by"],
            "their_updated_at": old["updated_at"],
            "delete": plan["delete"],
        }
    )[stale].reset_index(drop=True)
    plan = plan[~stale]
    old = old[~stale]
    plan = plan.assign(
        old_value=old["value"],
        old_numerator=old["numerator"],
        old_denominator=old["denominator"],
        old_source=old["source"],
        old_comment=old["comment"],
        old_version=old["version"].astype("Int64"),
        old_published=old["published"].astype("boolean"),
        # an empty comment clears it; a missing one keeps what was there
        comment=np.where(plan["comment"].isna(), old["comment"], plan["comment"].replace("", None)),
        source=plan["source"].where(plan["source"].notna(), HOW_LABELS[how]),
        audit_comment=note if note else plan["comment"],
    )
    plan["comment"] = plan["comment"].astype(object).where(pd.notna(plan["comment"]), None)
    plan["figure_changed"] = (plan["op"] == "insert") | (
        (plan["op"] == "update")
        & ~(
            _same(plan["value"], plan["old_value"])
            & _same(plan["numerator"], plan["old_numerator"])
            & _same(plan["denominator"], plan["old_denominator"])
        )
    )
    plan["new_version"] = plan["old_version"].fillna(0).astype("int64") + 1
    inserts = plan["op"] == "insert"
    if inserts.any():
        # A value deleted then created again continues its version count: an old read stays stale.
        last = repository.last_versions(cur, plan.loc[inserts, ["pos", *repository.KEY]])
        if not last.empty:
            bump = plan["pos"].map(dict(zip(last["pos"], last["last_version"])))
            has = bump.notna()
            plan.loc[has, "new_version"] = bump[has].astype("int64") + 1
    return plan, conflicts


def apply(
    db: Database,
    user: User,
    changes: Sequence[ValueChange] | pd.DataFrame,
    *,
    how: How,
    dry_run: bool = False,
    on_conflict: Literal["refuse_all", "skip"] = "refuse_all",
    note: str | None = None,
    progress: Progress | None = None,
    trace_refusals: bool | None = None,
    confirm: bool = False,
) -> WriteResult:
    """THE write path: validate, check scope and locks, refuse stale rows, write all-or-nothing, audit.

    `changes` is a list of ValueChange (pages) or a frame with FRAME_COLUMNS (imports; `line` numbers
    the rows in messages). Nothing is written when any row has an error, when `dry_run` is set, or
    when a row is stale and on_conflict is "refuse_all"; with "skip", stale rows are refused and
    returned while the others are written. An attempt on territories outside the user's scope is
    traced in the audit log (action "refused"), except for a dry run unless trace_refusals is set.
    Values breaking a soft rule (indicators.soft_rules.check_warnings) come back as `warnings`; a real
    write holding any is done only with confirm=True and a comment on each such value (or a `note`),
    else nothing is written and `unconfirmed` says what to do.
    """
    if how not in HOW_LABELS:
        raise ValueError(f"unknown how: {how}")
    if not policy.can_enter_values(user):
        message = (
            "La saisie des valeurs est réservée aux coordinateurs régionaux et à l'équipe nationale. "
            "Connectez-vous avec un compte autorisé."
        )
        if not dry_run or trace_refusals:
            _audit_refusal(db, user, how, comment=message)
        raise AccessDenied(message)
    progress = progress or (lambda fraction, text: None)
    frame = to_frame(changes)
    result = WriteResult(rows=len(frame))
    if frame.empty:
        return result
    errors = Errors()
    frame = parse_periods(frame, errors)

    def work(cur) -> WriteResult:
        local = Errors()
        local.parts = list(errors.parts)
        progress(0.35, "Vérification des indicateurs et des valeurs…")
        checked = check_shape(frame.copy(), repository.indicators(cur), local)
        progress(0.5, "Vérification des territoires et de vos droits…")
        checked = check_territories(cur, checked, user, local)
        check_locks(cur, checked, user, local)
        checked = check_duplicates(checked, local)
        outcome = WriteResult(rows=len(frame), errors=local.frame())
        refused[:] = local.refused
        bad_lines = set(outcome.errors["line"])
        progress(0.65, "Comparaison avec les valeurs enregistrées…")
        plan, conflicts = _plan(cur, checked[~checked["line"].isin(bad_lines)], how, note)
        outcome.conflicts = conflicts
        outcome.versions = dict(zip(plan["pos"].tolist(), plan["old_version"].fillna(0).astype("int64").tolist()))
        outcome.preview = plan.loc[
            plan["op"] != "unchanged",
            [
                "line",
                "indicator_code",
                "territory_id",
                "territory_name",
                "period",
                "kind",
                "op",
                "old_value",
                "value",
                "old_version",
            ],
        ].reset_index(drop=True)
        counts = plan["op"].value_counts()
        outcome.inserted, outcome.updated = int(counts.get("insert", 0)), int(counts.get("update", 0))
        outcome.deleted, outcome.unchanged = int(counts.get("delete", 0)), int(counts.get("unchanged", 0))
        blocked = not outcome.errors.empty or (not conflicts.empty and on_conflict == "refuse_all")
        if how in SOFT_CHECKED and outcome.errors.empty:
            found = Errors()
            check_warnings(cur, plan, found)
            outcome.warnings = found.frame()
        if dry_run or blocked:
            return outcome
        if not outcome.warnings.empty:
            warned = plan["pos"].isin(outcome.warnings["pos"])
            said = checked.set_index("pos")["comment"].reindex(plan["pos"]).fillna("").str.strip().to_numpy() != ""
            if not confirm:
                outcome.unconfirmed = rules.confirm_needed(int(warned.sum()))
                return outcome
            if not (note and note.strip()) and not bool(said[warned.to_numpy()].all()):
                outcome.unconfirmed = rules.COMMENT_NEEDED[:1].upper() + rules.COMMENT_NEEDED[1:] + "."
                return outcome
            # The audit row says the writer saw the warning and kept the value.
            reasons: dict = {}  # a plain loop: a pandas string aggregation of 20,000 groups takes 0.7 s
            for pos, message in zip(outcome.warnings["pos"], outcome.warnings["message"]):
                reasons[pos] = f"{reasons[pos]} ; {message}" if pos in reasons else message
            plan.loc[warned, "audit_comment"] = [
                f"{text} (alerte confirmée : {reasons[p]})"
                for text, p in zip(plan.loc[warned, "audit_comment"].fillna(""), plan.loc[warned, "pos"])
            ]
        progress(0.8, "Enregistrement…")
        todo = plan[plan["op"] != "unchanged"].assign(published=lambda p: _published(cur, user, p))
        if not todo.empty:
            repository.write(
                cur,
                todo[
                    [
                        "pos",
                        *repository.KEY,
                        "period_start",
                        "period_end",
                        "value",
                        "numerator",
                        "denominator",
                        "source",
                        "comment",
                        "op",
                        "new_version",
                        "old_value",
                        "old_numerator",
                        "old_denominator",
                        "old_source",
                        "old_comment",
                        "old_version",
                        "old_published",
                        "published",
                        "figure_changed",
                        "audit_comment",
                    ]
                ].copy(),
                actor=user.email,
                how=how,
            )
            outcome.submitted = int((~todo["published"] & todo["figure_changed"]).sum())
        outcome.written = True
        return outcome

    refused: list[str] = []
    if dry_run:
        # A preview only reads: it runs in its own snapshot, without the write lock every sign-in needs.
        with db.transaction() as cur:
            result = work(cur)
    else:
        result = db.write(work)
    if refused and (not dry_run if trace_refusals is None else trace_refusals):
        # The attempt itself is traced, like every refused access (nothing else is written).
        _audit_refusal(
            db,
            user,
            how,
            key=refused[0],
            new={"territories": refused[:200]},
            comment=f"{len(refused)} territoire(s) hors du périmètre",
        )
    progress(1.0, "Terminé")
    return result


def _published(cur, user: User, todo: pd.DataFrame) -> pd.Series:
    """Whether each written value is public: the national team's are; a coordinator's new figure of a
    reviewed indicator waits for validation ("soumis"); an unchanged figure keeps its state."""
    if policy.publishes_directly(user):
        return pd.Series(True, index=todo.index)
    waits = todo["indicator_code"].isin(review_repository.reviewed_codes(cur))
    kept = todo["old_published"].fillna(True).astype(bool)
    return ~waits | (~todo["figure_changed"] & kept)


def _audit_refusal(
    db: Database, user: User, how: str, *, comment: str, key: str | None = None, new: dict | None = None
) -> None:
    """Trace a refused attempt in its own transaction (nothing else is written)."""
    db.write(
        lambda cur: audit.append(
            cur, actor=user.email, entity="value", action="refused", key=key, how=how, new=new, comment=comment
        )
    )


def change_from_conflicts(conflicts: pd.DataFrame) -> list[ValueChange]:
    """Overwrite knowingly: the refused changes again, now read at the version the user has seen."""
    return [
        ValueChange(
            indicator_code=r.indicator_code,
            territory_id=r.territory_id,
            period=r.period,
            kind=r.kind,
            value=None if r.delete else r.your_value,
            comment=None if pd.isna(r.your_comment) else r.your_comment,
            read_version=int(r.their_version),
            delete=bool(r.delete),
        )
        for r in conflicts.itertuples()
    ]
