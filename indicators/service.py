"""The one write path of indicator values, and the reads around it (grid, history, locks, exports).

Every change — typed, imported, corrected, deleted, reverted — goes through `apply`: it validates
(Pydantic for single changes, the same rules vectorised for files), checks the signed-in user's scope
with accounts.policy, refuses locked periods and stale updates, writes in one transaction and appends
one audit row per changed value. Validation is set-based so a 100,000-line import stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from accounts import policy
from accounts.models import Role, User
from accounts.policy import AccessDenied
from indicators import repository, visibility
from indicators.models import ValueIn, ValueKind
from indicators.periods import PeriodError, parse_period
from store import audit
from store.db import Database

How = Literal["saisie", "import", "correction", "annulation", "suppression"]
HOW_LABELS = {"saisie": "saisie", "import": "import", "correction": "correction", "annulation": "annulation",
              "suppression": "suppression"}
KIND_LABELS = {"actual": "réalisé", "target": "cible", "baseline": "référence"}
# French column names used in every error message (they are also the import headers).
COLUMN_LABELS = {"indicator_code": "indicateur", "territory_id": "territoire", "period": "periode",
                 "kind": "type", "value": "valeur", "numerator": "numerateur", "denominator": "denominateur",
                 "source": "source", "comment": "commentaire", "read_version": "version"}
FRAME_COLUMNS = ["line", "indicator_code", "territory_id", "period", "kind", "value", "numerator",
                 "denominator", "source", "comment", "read_version", "delete"]
ERROR_COLUMNS = ["line", "column", "message", "pos"]  # pos: row of the submitted frame
MAX_SOURCE, MAX_COMMENT = 500, 2000
MAX_ABS = 1e12  # no figure of the plan comes near a thousand billion: beyond, roll-ups would overflow
Progress = Callable[[float, str], None]


class ValueChange(ValueIn):
    """One change as a page submits it: a value (or a deletion) and the version it was read at."""

    read_version: int | None = Field(default=None, ge=0)  # 0: the value did not exist when read
    delete: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "ValueChange":
        if self.delete:
            return self
        return ValueIn._consistent(self)


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

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return self.errors.empty and self.conflicts.empty

    @property
    def changed(self) -> int:
        """How many values were (or would be) changed."""
        return self.inserted + self.updated + self.deleted


class _Errors:
    """Collects (line, column, message) rows without looping over lines."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.refused: list[str] = []  # territories outside the user's scope, logged as an access refusal

    def flag(self, frame: pd.DataFrame, mask, column: str, message) -> None:
        """Record one error per masked row; message is a string, or a function of the masked rows
        returning one text per row (built only when something is wrong, so valid files stay fast)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if callable(message):
            text = np.asarray(message(frame[mask]), dtype=object)
        elif isinstance(message, pd.Series):
            text = message.to_numpy(dtype=object)[mask]
        else:
            text = message
        self.parts.append(pd.DataFrame({"line": frame["line"].to_numpy()[mask], "pos": frame["pos"].to_numpy()[mask],
                                        "column": column, "message": text}))

    def frame(self) -> pd.DataFrame:
        """All errors, by line then column."""
        if not self.parts:
            return pd.DataFrame(columns=ERROR_COLUMNS)
        out = pd.concat(self.parts, ignore_index=True)
        out["line"] = out["line"].astype("int64")
        out["pos"] = out["pos"].astype("int64")
        return out.drop_duplicates(["line", "pos", "column", "message"]).sort_values(
            ["line", "column"], kind="stable").reset_index(drop=True)


def _lookup(series: pd.Series, mapping: dict, default=None) -> np.ndarray:
    """mapping[value] for each row, computed once per distinct value (missing or NA → default)."""
    codes, uniques = pd.factorize(series)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [mapping.get(u, default) for u in uniques]
    table[-1] = default
    return table[codes]


def _text(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).fillna("").astype(str)


def to_frame(changes: Sequence[ValueChange] | pd.DataFrame) -> pd.DataFrame:
    """The change frame `apply` works on, from Pydantic changes or from a parsed file."""
    if isinstance(changes, pd.DataFrame):
        frame = changes.copy()
    else:
        frame = pd.DataFrame([c.model_dump() for c in changes], columns=FRAME_COLUMNS[1:])
        frame.insert(0, "line", np.arange(1, len(frame) + 1))
    for column in FRAME_COLUMNS:
        if column not in frame.columns:
            frame[column] = False if column == "delete" else None
    frame = frame[FRAME_COLUMNS].reset_index(drop=True)
    for column in ("indicator_code", "territory_id", "period", "kind", "source", "comment"):
        frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    for column in ("value", "numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["read_version"] = pd.to_numeric(frame["read_version"], errors="coerce").astype("Int64")
    frame["delete"] = frame["delete"].fillna(False).astype(bool)
    frame["kind"] = frame["kind"].fillna("actual")
    frame["pos"] = np.arange(len(frame))
    return frame


def _parse_periods(frame: pd.DataFrame, errors: _Errors) -> pd.DataFrame:
    """ISO code, dates and granularity of each row's period (parsed once per distinct text)."""
    parsed, bad = {}, {}
    for text in frame["period"].dropna().unique():
        try:
            parsed[text] = parse_period(text)
        except PeriodError as error:
            bad[text] = str(error)
    period = frame["period"]
    errors.flag(frame, period.isna() | (period.fillna("").str.strip() == ""), "periode", "période manquante")
    errors.flag(frame, _lookup(period, bad) != None, "periode",  # noqa: E711 (element-wise)
                lambda rows: _lookup(rows["period"], bad))
    frame["period"] = _lookup(period, {t: p.code for t, p in parsed.items()})
    frame["period_start"] = _lookup(period, {t: p.start for t, p in parsed.items()})
    frame["period_end"] = _lookup(period, {t: p.end for t, p in parsed.items()})
    frame["granularity"] = _lookup(period, {t: p.granularity for t, p in parsed.items()})
    return frame


def _format(number: float) -> str:
    return f"{number:,.10g}".replace(",", "\u202f").replace(".", ",") if number == number else "vide"


def _shown(rows: pd.DataFrame, column: str = "value") -> pd.Series:
    return rows[column].map(_format)


def _check_shape(frame: pd.DataFrame, indicators: pd.DataFrame, errors: _Errors) -> pd.DataFrame:
    """Field and per-indicator rules, vectorised: the same rules ValueIn applies to one value."""
    for column, label in (("indicator_code", "indicateur"), ("territory_id", "territoire")):
        errors.flag(frame, frame[column].isna() | (frame[column].fillna("").str.strip() == ""), label,
                    f"{label} manquant")
    kinds = frame["kind"]
    errors.flag(frame, ~_lookup(kinds, {k.value: True for k in ValueKind}, False).astype(bool), "type",
                "type inconnu : écrivez realise, cible ou reference")
    for column, limit in (("source", MAX_SOURCE), ("comment", MAX_COMMENT)):
        too_long = frame[column].fillna("").str.len() > limit
        errors.flag(frame, too_long, COLUMN_LABELS[column], f"texte trop long (plus de {limit} caractères)")

    meta = indicators.set_index("code")
    code = frame["indicator_code"]
    known = _lookup(code, {c: True for c in meta.index}, False).astype(bool)
    errors.flag(frame, code.notna().to_numpy() & ~known, "indicateur",
                lambda rows: "indicateur inconnu : " + _text(rows["indicator_code"])
                + " (voir la liste des indicateurs, page Données)")
    computed = _lookup(code, meta["computed_from"].to_dict()) == "registre"
    errors.flag(frame, computed, "indicateur", lambda rows: _text(rows["indicator_code"])
                + " est calculé à partir du registre des lieux : il ne se saisit pas")
    ind_kind = pd.Series(_lookup(code, meta["kind"].to_dict()), index=frame.index)
    period_type = _lookup(code, meta["period_type"].to_dict())
    frame["period_type"] = period_type
    grain = frame["granularity"].to_numpy()
    order = {"month": 0, "quarter": 1, "year": 2}
    finer = _lookup(pd.Series(grain), order, -1) < _lookup(pd.Series(period_type), order, -1)
    # A realised value has the indicator's grain; a target or reference may be coarser, never finer.
    wrong_grain = known & pd.notna(grain) & (grain != period_type) & (
        (kinds == "actual").to_numpy() | finer.astype(bool))
    grain_fr = {"year": "annuelle", "quarter": "trimestrielle", "month": "mensuelle"}
    errors.flag(frame, wrong_grain, "periode", lambda rows: (
        "période " + _text(rows["granularity"].map(grain_fr)) + " pour un indicateur de période "
        + _text(rows["period_type"].map(grain_fr)) + " : indiquez une période "
        + _text(rows["period_type"].map(grain_fr))).to_numpy())

    live = ~frame["delete"]
    value, num, den = frame["value"], frame["numerator"], frame["denominator"]
    for column in ("value", "numerator", "denominator"):
        errors.flag(frame, live & np.isinf(frame[column]), COLUMN_LABELS[column], "n'est pas un nombre fini")
        errors.flag(frame, live & ~np.isinf(frame[column]) & (frame[column].abs() > MAX_ABS), COLUMN_LABELS[column],
                    "nombre trop grand (plus de mille milliards) : vérifiez l'unité et les séparateurs")
    today = pd.Timestamp.today().date()
    future = (kinds == "actual").to_numpy() & live.to_numpy() & np.array(
        [start is not None and start == start and start > today for start in frame["period_start"]], dtype=bool)
    errors.flag(frame, future, "periode", lambda rows: (
        "la période " + _text(rows["period"]) + " n'a pas commencé : une valeur réalisée porte sur le passé "
        "(pour un objectif, choisissez le type cible)").to_numpy())
    has_ratio = num.notna() | den.notna()
    errors.flag(frame, live & (num.isna() != den.isna()), "denominateur",
                "numérateur et dénominateur vont ensemble : renseignez les deux")
    both = live & num.notna() & den.notna()
    errors.flag(frame, both & (ind_kind != "percentage") & known, "numerateur",
                "numérateur et dénominateur ne servent qu'aux indicateurs en pourcentage : renseignez la valeur")
    errors.flag(frame, both & (den <= 0), "denominateur", "le dénominateur doit être strictement positif")
    errors.flag(frame, both & (num < 0), "numerateur", "le numérateur ne peut pas être négatif")
    errors.flag(frame, both & (num > den), "numerateur", lambda rows: (
        "le numérateur (" + _shown(rows, "numerator") + ") dépasse le dénominateur ("
        + _shown(rows, "denominator") + ")").to_numpy())
    frame["value"] = np.where(both & (den > 0), 100.0 * num / den.where(den > 0, 1.0), value)
    value = frame["value"]
    errors.flag(frame, live & value.isna() & ~has_ratio, "valeur",
                "aucune valeur : renseignez une valeur (ou numérateur et dénominateur)")
    count = live & (ind_kind == "count") & value.notna()
    errors.flag(frame, count & (value < 0), "valeur",
                lambda rows: ("un comptage ne peut pas être négatif (" + _shown(rows) + ")").to_numpy())
    errors.flag(frame, count & (value >= 0) & (value != np.floor(value)), "valeur",
                lambda rows: ("un comptage est un nombre entier (" + _shown(rows) + ")").to_numpy())
    errors.flag(frame, live & ind_kind.isin(["amount_eur", "ratio"]) & (value < 0), "valeur",
                lambda rows: ("ce montant ne peut pas être négatif (" + _shown(rows) + ")").to_numpy())
    errors.flag(frame, live & (ind_kind == "percentage") & ~both & ((value < 0) | (value > 100)), "valeur",
                lambda rows: ("un pourcentage est compris entre 0 et 100 (" + _shown(rows) + ")").to_numpy())
    return frame


def _check_territories(cur, frame: pd.DataFrame, user: User, errors: _Errors) -> pd.DataFrame:
    """Unknown territories and territories outside the signed-in user's scope (accounts.policy decides)."""
    ids = pd.DataFrame({"territory_id": frame["territory_id"].dropna().unique()})
    found = repository.territories(cur, ids)
    rows = found.to_dict("records")
    allowed = {row["id"]: policy.can_write_values(user, row) for row in rows}
    names = dict(zip(found["id"], found["name"]))
    tid = frame["territory_id"]
    errors.flag(frame, tid.notna().to_numpy() & ~_lookup(tid, {i: True for i in names}, False).astype(bool),
                "territoire", lambda rows: "territoire inconnu : " + _text(rows["territory_id"]))
    frame["territory_name"] = _lookup(tid, names)
    errors.refused = sorted(t for t, ok in allowed.items() if not ok)
    errors.flag(frame, _lookup(tid, allowed, True) == False, "territoire",  # noqa: E712 (element-wise)
                lambda rows: (_text(rows["territory_name"]) + " (" + _text(rows["territory_id"])
                              + ") est hors de votre périmètre : vous ne pouvez pas modifier ses valeurs").to_numpy())
    frame["region_code"] = _lookup(tid, dict(zip(found["id"], found["region_code"])))
    return frame


def _check_locks(cur, frame: pd.DataFrame, user: User, errors: _Errors) -> None:
    """Locked periods refuse changes, except from the national team (checked per distinct period)."""
    if policy.can_lock_periods(user):
        return
    locks = repository.lock_rows(cur)
    if locks.empty:
        return
    periods = frame[["period", "period_start", "period_end"]].dropna().drop_duplicates("period")
    locked = np.full(len(frame), None, dtype=object)
    for lock in locks.itertuples():
        inside = periods.loc[(periods["period_start"] >= lock.period_start)
                             & (periods["period_end"] <= lock.period_end), "period"]
        hit = (frame["region_code"] == lock.region).to_numpy() & frame["period"].isin(inside).to_numpy()
        locked[hit & pd.isna(locked)] = lock.period
    frame["locked_period"] = locked
    errors.flag(frame, pd.notna(locked), "periode", lambda rows: (
        "la période " + _text(rows["locked_period"]) + " est verrouillée pour cette région par l'équipe "
        "nationale : demandez-lui de la rouvrir").to_numpy())


def _check_duplicates(frame: pd.DataFrame, errors: _Errors) -> pd.DataFrame:
    """The same value twice with different figures is an error on each line; exact repeats collapse."""
    key = list(repository.KEY)
    valid = frame[key].notna().all(axis=1)
    sub = frame[valid]
    figures = ["value", "numerator", "denominator", "delete"]
    dup = sub.duplicated(key, keep=False)
    if not dup.any():
        return frame
    groups = sub[dup]
    distinct = groups.drop_duplicates(key + figures).groupby(key, dropna=False).size()
    clashing = distinct[distinct > 1].reset_index()[key]
    if not clashing.empty:
        marked = groups.merge(clashing, on=key)
        # At most five line numbers per message: a file repeating one key 100,000 times stays small.
        lines = marked.groupby(key)["line"].agg(lambda s: ", ".join(str(x) for x in sorted(s)[:5])
                                                 + (f"… {len(s)} lignes" if len(s) > 5 else "")).rename("lines")
        marked = marked.merge(lines.reset_index(), on=key)
        mask = frame["pos"].isin(marked["pos"])
        text = frame["pos"].map(dict(zip(marked["pos"], "même valeur donnée plusieurs fois avec des chiffres "
                                         "différents (lignes " + marked["lines"] + ")")))
        errors.flag(frame, mask, "valeur", text)
    # An exact repeat of an earlier line adds nothing: keep the first.
    repeats = sub.duplicated(key + figures, keep="first")
    return frame.drop(index=sub.index[repeats])


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
    same = (_same(frame["value"], old["value"]) & _same(frame["numerator"], old["numerator"])
            & _same(frame["denominator"], old["denominator"])
            & (frame["comment"].isna() | (frame["comment"].replace("", None).fillna("\0")
                                          == old["comment"].fillna("\0")))
            & (new_source.isna() | (new_source == old["source"])))
    op = np.select([frame["delete"] & ~exists, frame["delete"], exists & same, exists],
                   ["unchanged", "delete", "unchanged", "update"], default="insert")
    plan = frame.assign(op=op)
    current_version = old["version"].fillna(0).astype("int64")
    stale = (plan["op"] != "unchanged") & plan["read_version"].notna() & (
        plan["read_version"].fillna(-1).astype("int64") != current_version)
    conflicts = pd.DataFrame({
        "line": plan["line"], "indicator_code": plan["indicator_code"], "territory_id": plan["territory_id"],
        "territory_name": plan["territory_name"], "period": plan["period"], "kind": plan["kind"],
        "your_value": plan["value"].where(~plan["delete"]), "your_comment": plan["comment"],
        "read_version": plan["read_version"],
        "their_value": old["value"], "their_comment": old["comment"], "their_version": current_version,
        "their_updated_by": old["updated_by"], "their_updated_at": old["updated_at"], "delete": plan["delete"],
    })[stale].reset_index(drop=True)
    plan = plan[~stale]
    old = old[~stale]
    plan = plan.assign(
        old_value=old["value"], old_numerator=old["numerator"], old_denominator=old["denominator"],
        old_source=old["source"], old_comment=old["comment"], old_version=old["version"].astype("Int64"),
        # an empty comment clears it; a missing one keeps what was there
        comment=np.where(plan["comment"].isna(), old["comment"], plan["comment"].replace("", None)),
        source=plan["source"].where(plan["source"].notna(), HOW_LABELS[how]),
        audit_comment=note if note else plan["comment"],
    )
    plan["comment"] = plan["comment"].astype(object).where(pd.notna(plan["comment"]), None)
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


def apply(db: Database, user: User, changes: Sequence[ValueChange] | pd.DataFrame, *, how: How,
          dry_run: bool = False, on_conflict: Literal["refuse_all", "skip"] = "refuse_all",
          note: str | None = None, progress: Progress | None = None,
          trace_refusals: bool | None = None) -> WriteResult:
    """THE write path: validate, check scope and locks, refuse stale rows, write all-or-nothing, audit.

    `changes` is a list of ValueChange (pages) or a frame with FRAME_COLUMNS (imports; `line` numbers
    the rows in messages). Nothing is written when any row has an error, when `dry_run` is set, or
    when a row is stale and on_conflict is "refuse_all"; with "skip", stale rows are refused and
    returned while the others are written. An attempt on territories outside the user's scope is
    traced in the audit log (action "refused"), except for a dry run unless trace_refusals is set.
    """
    if how not in HOW_LABELS:
        raise ValueError(f"unknown how: {how}")
    if not (Role.ministere in user.roles or Role.coordinateur in user.roles):
        message = ("La saisie des valeurs est réservée aux coordinateurs régionaux et à l'équipe nationale. "
                   "Connectez-vous avec un compte autorisé.")
        if not dry_run or trace_refusals:
            db.write(lambda cur: audit.append(cur, actor=user.email, entity="value", action="refused", how=how,
                                              comment=message))
        raise AccessDenied(message)
    progress = progress or (lambda fraction, text: None)
    frame = to_frame(changes)
    result = WriteResult(rows=len(frame))
    if frame.empty:
        return result
    errors = _Errors()
    frame = _parse_periods(frame, errors)

    def work(cur) -> WriteResult:
        local = _Errors()
        local.parts = list(errors.parts)
        progress(0.35, "Vérification des indicateurs et des valeurs…")
        checked = _check_shape(frame.copy(), repository.indicators(cur), local)
        progress(0.5, "Vérification des territoires et de vos droits…")
        checked = _check_territories(cur, checked, user, local)
        _check_locks(cur, checked, user, local)
        checked = _check_duplicates(checked, local)
        outcome = WriteResult(rows=len(frame), errors=local.frame())
        refused[:] = local.refused
        bad_lines = set(outcome.errors["line"])
        progress(0.65, "Comparaison avec les valeurs enregistrées…")
        plan, conflicts = _plan(cur, checked[~checked["line"].isin(bad_lines)], how, note)
        outcome.conflicts = conflicts
        outcome.versions = dict(zip(plan["pos"].tolist(), plan["old_version"].fillna(0).astype("int64").tolist()))
        outcome.preview = plan.loc[plan["op"] != "unchanged", [
            "line", "indicator_code", "territory_id", "territory_name", "period", "kind", "op", "old_value",
            "value", "old_version"]].reset_index(drop=True)
        counts = plan["op"].value_counts()
        outcome.inserted, outcome.updated = int(counts.get("insert", 0)), int(counts.get("update", 0))
        outcome.deleted, outcome.unchanged = int(counts.get("delete", 0)), int(counts.get("unchanged", 0))
        blocked = not outcome.errors.empty or (not conflicts.empty and on_conflict == "refuse_all")
        if dry_run or blocked:
            return outcome
        progress(0.8, "Enregistrement…")
        todo = plan[plan["op"] != "unchanged"]
        if not todo.empty:
            repository.write(cur, todo[[
                "pos", *repository.KEY, "period_start", "period_end", "value", "numerator", "denominator",
                "source", "comment", "op", "new_version", "old_value", "old_numerator", "old_denominator",
                "old_source", "old_comment", "old_version", "audit_comment"]].copy(), actor=user.email, how=how)
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
        db.write(lambda cur: audit.append(
            cur, actor=user.email, entity="value", action="refused", key=refused[0], how=how,
            new={"territories": refused[:200]}, comment=f"{len(refused)} territoire(s) hors du périmètre"))
    progress(1.0, "Terminé")
    return result


def change_from_conflicts(conflicts: pd.DataFrame) -> list[ValueChange]:
    """Overwrite knowingly: the refused changes again, now read at the version the user has seen."""
    return [ValueChange(indicator_code=r.indicator_code, territory_id=r.territory_id, period=r.period,
                        kind=r.kind, value=None if r.delete else r.your_value,
                        comment=None if pd.isna(r.your_comment) else r.your_comment,
                        read_version=int(r.their_version), delete=bool(r.delete))
            for r in conflicts.itertuples()]


# ---------------------------------------------------------------- reads for the entry page


def entry_regions(db: Database, user: User) -> pd.DataFrame:
    """Régions whose values the user may enter: all for the national team, theirs for a coordinator."""
    with db.read() as cur:
        regions = cur.execute("SELECT id, code, name FROM territory WHERE level = 'region' ORDER BY code").df()
        if Role.ministere in user.roles:
            return regions
        codes = set()
        for tid in user.territories(Role.coordinateur):
            row = cur.execute("SELECT level, code, region_code FROM territory WHERE id = ?", [tid]).fetchone()
            if row:
                codes.add(row[2] if row[0] != "pays" else None)
        if None in codes:
            return regions
        return regions[regions["code"].isin(codes)].reset_index(drop=True)


def typed_indicators(db: Database) -> pd.DataFrame:
    """Indicators that are typed in or imported (the others are computed from the registry)."""
    with db.read() as cur:
        frame = repository.indicators(cur)
    return frame[frame["computed_from"] == "saisie"].reset_index(drop=True)


def region_territories(db: Database, region_code: str, level: str) -> pd.DataFrame:
    """Territories of one level inside a region, by code."""
    with db.read() as cur:
        return repository.grid_territories(cur, region_code, level)


def previous_period(code: str) -> str:
    """The period just before (2024 → 2023, 2024Q1 → 2023Q4, 2024-01 → 2023-12)."""
    period = parse_period(code)
    year = int(code[:4])
    if period.granularity == "year":
        return str(year - 1)
    if period.granularity == "quarter":
        q = int(code[-1])
        return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"
    month = int(code[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def entry_grid(db: Database, user: User, *, period: str, kind: str = "actual", region_code: str,
               level: str = "departement", indicator: str | None = None, territory_id: str | None = None
               ) -> pd.DataFrame:
    """Rows to edit: territories × one indicator, or one territory × every typed indicator, in scope only."""
    code = parse_period(period).code
    with db.read() as cur:
        if territory_id is not None:
            territories = repository.territories(cur, pd.DataFrame({"territory_id": [territory_id]}))
            codes = typed_indicators(db)["code"].tolist()
        else:
            territories = repository.grid_territories(cur, region_code, level)
            codes = [indicator]
        rows = territories.to_dict("records")
        allowed = [r["id"] for r in rows if policy.can_write_values(user, r)
                   and (r.get("region_code") == region_code)]
        if not allowed:
            return pd.DataFrame(columns=["indicator_code", "territory_id", "name", "period", "kind", "previous",
                                         "target", "value", "comment", "version"])
        grid = repository.grid_values(cur, codes, allowed, code, previous_period(code), kind)
    grid = grid.merge(territories[["id", "code", "name"]].rename(columns={"id": "territory_id"}), on="territory_id")
    grid["period"], grid["kind"] = code, kind
    return grid.sort_values(["indicator_code", "code"]).reset_index(drop=True)


def grid_number(raw: object) -> tuple[float, str | None]:
    """A grid cell as a number (NaN when empty), or a French problem; whatever a forged payload sends."""
    if raw is None or (isinstance(raw, float) and raw != raw) or (isinstance(raw, str) and raw.strip() == ""):
        return np.nan, None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return np.nan, f"« {str(raw)[:40]} » n'est pas un nombre"
    text = raw if isinstance(raw, str) else None
    if text is not None:
        text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        if len(text) > 40:
            return np.nan, f"« {raw[:40]}… » n'est pas un nombre"
    try:
        number = float(text if text is not None else raw)
    except (ValueError, OverflowError):
        return np.nan, f"« {str(raw)[:40]} » n'est pas un nombre (ou un nombre trop grand)"
    if number != number or abs(number) > MAX_ABS:
        return np.nan, f"« {str(raw)[:40]} » : nombre trop grand ou illisible (mille milliards au plus)"
    return number, None


def grid_changes(served: pd.DataFrame, edited: pd.DataFrame) -> tuple[list[ValueChange], pd.DataFrame]:
    """Diff an edited grid against the rows served: only value and comment count, extra rows are ignored.

    Returns the Pydantic-validated changes and the cells that could not be read (row, column, message).
    """
    edited = edited.reindex(served.index)  # rows a client added are dropped, rows it removed are untouched
    changes, problems = [], []
    for pos, row in served.iterrows():
        raw_value, raw_comment = edited.at[pos, "value"], edited.at[pos, "comment"]
        number, problem = grid_number(raw_value)
        column = "valeur"
        if problem is None and raw_comment is not None and not isinstance(raw_comment, str) and not (
                isinstance(raw_comment, float) and raw_comment != raw_comment):
            problem, column = "le commentaire doit être du texte", "commentaire"
        if problem:
            problems.append({"line": pos, "name": row["name"], "column": column, "message": problem})
            continue
        raw_comment = raw_comment if isinstance(raw_comment, str) else None
        old_comment = "" if pd.isna(row["comment"]) else str(row["comment"])
        new_comment = "" if raw_comment is None or (not isinstance(raw_comment, str) and pd.isna(raw_comment)) \
            else str(raw_comment)
        value_changed = not ((pd.isna(number) and pd.isna(row["value"])) or number == row["value"])
        if not value_changed and new_comment == old_comment:
            continue
        delete = pd.isna(number) and pd.notna(row["value"])
        if pd.isna(number) and pd.isna(row["value"]):
            problems.append({"line": pos, "name": row["name"], "column": "valeur",
                             "message": "un commentaire sans valeur : saisissez aussi la valeur"})
            continue
        try:
            changes.append(ValueChange(
                indicator_code=row["indicator_code"], territory_id=row["territory_id"], period=row["period"],
                kind=row["kind"], value=None if delete else float(number), comment=new_comment,
                read_version=int(row["version"]), delete=delete))
        except ValueError as error:
            found = error.errors() if hasattr(error, "errors") else []
            message = "; ".join(f"texte trop long ({e.get('ctx', {}).get('max_length')} caractères au plus)"
                                if e["type"] == "string_too_long" else e["msg"].removeprefix("Value error, ")
                                for e in found) or str(error)
            column = "commentaire" if any(e["loc"] and e["loc"][0] == "comment" for e in found) else "valeur"
            problems.append({"line": pos, "name": row["name"], "column": column, "message": message})
    return changes, pd.DataFrame(problems, columns=["line", "name", "column", "message"])


# ---------------------------------------------------------------- history and revert


def history(db: Database, indicator_code: str, territory_id: str, period: str, kind: str = "actual",
            user: User | None = None) -> dict:
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
    return {"indicator_code": indicator_code, "territory_id": territory_id, "period": code, "kind": kind,
            "current": current, "entries": entries, "withheld": withheld}


def revert(db: Database, user: User, audit_id: int, read_version: int | None = None) -> WriteResult:
    """Put a value back as it was before one change (deleting it if the change created it)."""
    with db.read() as cur:
        entry = repository.audit_entry(cur, audit_id)
    if entry is None or entry["entity"] != "value" or not entry["entity_key"]:
        raise ValueError(f"La modification n° {audit_id} n'existe pas ou ne concerne pas une valeur.")
    indicator_code, territory_id, period, kind = entry["entity_key"].split("|")
    import json
    old = json.loads(entry["old_data"]) if entry["old_data"] else None
    if read_version is None:
        with db.read() as cur:
            now = repository.value_row(cur, indicator_code, territory_id, period, kind)
        read_version = int(now["version"]) if now else 0
    if old is None:
        change = ValueChange(indicator_code=indicator_code, territory_id=territory_id, period=period, kind=kind,
                             delete=True, read_version=read_version)
    else:
        change = ValueChange(indicator_code=indicator_code, territory_id=territory_id, period=period, kind=kind,
                             value=old.get("value") if old.get("numerator") is None else None,
                             numerator=old.get("numerator"), denominator=old.get("denominator"),
                             source=old.get("source"), comment=old.get("comment") or "",
                             read_version=read_version)
    return apply(db, user, [change], how="annulation", note=f"annulation de la modification n° {audit_id}")


# ---------------------------------------------------------------- period locks


def _region_and_period(db: Database, region: str, period: str):
    code = region.strip().upper().removeprefix("REG-")
    with db.read() as cur:
        row = cur.execute("SELECT name FROM territory WHERE level = 'region' AND code = ?", [code]).fetchone()
    if row is None:
        raise ValueError(f"Région inconnue : {region}.")
    return code, row[0], parse_period(period)


def lock_period(db: Database, user: User, region: str, period: str) -> None:
    """Close a period for a region (national team only); later changes there are refused."""
    if not policy.can_lock_periods(user):
        raise AccessDenied("Seule l'équipe nationale peut verrouiller une période.")
    code, name, parsed = _region_and_period(db, region, period)

    def work(cur):
        exists = cur.execute("SELECT 1 FROM period_lock WHERE region = ? AND period = ?", [code, parsed.code]).fetchone()
        if exists:
            return
        repository.add_lock(cur, code, parsed.code, parsed.start, parsed.end, user.email)
        audit.append(cur, actor=user.email, entity="period_lock", action="lock", key=f"{code}|{parsed.code}",
                     new={"region": code, "period": parsed.code}, comment=f"{name} {parsed.label}")
    db.write(work)


def unlock_period(db: Database, user: User, region: str, period: str) -> None:
    """Reopen a period for a region (national team only)."""
    if not policy.can_lock_periods(user):
        raise AccessDenied("Seule l'équipe nationale peut rouvrir une période.")
    code, name, parsed = _region_and_period(db, region, period)

    def work(cur):
        if repository.remove_lock(cur, code, parsed.code):
            audit.append(cur, actor=user.email, entity="period_lock", action="unlock", key=f"{code}|{parsed.code}",
                         old={"region": code, "period": parsed.code}, comment=f"{name} {parsed.label}")
            # Registry-computed values were frozen while locked: they catch up with the registry now.
            from lieux.computed import recompute
            communes = [r[0] for r in cur.execute(
                "SELECT code FROM territory WHERE level = 'commune' AND region_code = ?", [code]).fetchall()]
            recompute(cur, actor=user.email, communes=communes, near=communes)
    db.write(work)


def locks(db: Database) -> pd.DataFrame:
    """Every locked period."""
    with db.read() as cur:
        return repository.locks(cur)
