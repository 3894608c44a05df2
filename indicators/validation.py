"""Checks of incoming values, set-based: shape, indicator rules, territories in scope, repeated keys.

The rules are those of indicators.rules, applied to a whole frame at once so a 100,000-line import stays
fast; the Pydantic model (indicators.models.ValueIn) applies the same rules to one value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from indicators import repository, rules
from indicators.models import ValueChange, ValueKind
from indicators.periods import PeriodError, parse_period
from territories import repository as territory_repo

FRAME_COLUMNS = [
    "line",
    "indicator_code",
    "territory_id",
    "period",
    "kind",
    "value",
    "numerator",
    "denominator",
    "source",
    "comment",
    "read_version",
    "delete",
]
ERROR_COLUMNS = ["line", "column", "message", "pos"]  # pos: row of the submitted frame


class Errors:
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
        self.parts.append(
            pd.DataFrame(
                {
                    "line": frame["line"].to_numpy()[mask],
                    "pos": frame["pos"].to_numpy()[mask],
                    "column": column,
                    "message": text,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """All errors, by line then column."""
        if not self.parts:
            return pd.DataFrame(columns=ERROR_COLUMNS)
        out = pd.concat(self.parts, ignore_index=True)
        out["line"] = out["line"].astype("int64")
        out["pos"] = out["pos"].astype("int64")
        return (
            out.drop_duplicates(["line", "pos", "column", "message"])
            .sort_values(["line", "column"], kind="stable")
            .reset_index(drop=True)
        )


def lookup(series: pd.Series, mapping: dict, default=None) -> np.ndarray:
    """mapping[value] for each row, computed once per distinct value (missing or NA → default)."""
    codes, uniques = pd.factorize(series)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [mapping.get(u, default) for u in uniques]
    table[-1] = default
    return table[codes]


def text(values) -> pd.Series:
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


def parse_periods(frame: pd.DataFrame, errors: Errors) -> pd.DataFrame:
    """ISO code, dates and granularity of each row's period (parsed once per distinct text)."""
    parsed, bad = {}, {}
    for text in frame["period"].dropna().unique():
        try:
            parsed[text] = parse_period(text)
        except PeriodError as error:
            bad[text] = str(error)
    period = frame["period"]
    errors.flag(frame, period.isna() | (period.fillna("").str.strip() == ""), "periode", "période manquante")
    errors.flag(
        frame,
        lookup(period, bad) != None,  # noqa: E711 (element-wise)
        "periode",
        lambda rows: lookup(rows["period"], bad),
    )
    frame["period"] = lookup(period, {t: p.code for t, p in parsed.items()})
    frame["period_start"] = lookup(period, {t: p.start for t, p in parsed.items()})
    frame["period_end"] = lookup(period, {t: p.end for t, p in parsed.items()})
    frame["granularity"] = lookup(period, {t: p.granularity for t, p in parsed.items()})
    return frame


def _shown(rows: pd.DataFrame, column: str = "value") -> pd.Series:
    return rows[column].map(rules.shown)


def check_shape(frame: pd.DataFrame, indicators: pd.DataFrame, errors: Errors) -> pd.DataFrame:
    """Field and per-indicator rules, vectorised: the same rules ValueIn applies to one value."""
    for column, label in (("indicator_code", "indicateur"), ("territory_id", "territoire")):
        errors.flag(
            frame, frame[column].isna() | (frame[column].fillna("").str.strip() == ""), label, f"{label} manquant"
        )
    kinds = frame["kind"]
    errors.flag(
        frame,
        ~lookup(kinds, {k.value: True for k in ValueKind}, False).astype(bool),
        "type",
        "type inconnu : écrivez realise, cible ou reference",
    )
    for column, limit in rules.TEXT_LIMITS.items():
        too_long = frame[column].fillna("").str.len() > limit
        errors.flag(frame, too_long, rules.COLUMN_LABELS[column], rules.text_too_long(limit))

    meta = indicators.set_index("code")
    code = frame["indicator_code"]
    known = lookup(code, dict.fromkeys(meta.index, True), False).astype(bool)
    errors.flag(
        frame,
        code.notna().to_numpy() & ~known,
        "indicateur",
        lambda rows: (
            "indicateur inconnu : " + text(rows["indicator_code"]) + " (voir la liste des indicateurs, page Données)"
        ),
    )
    computed = lookup(code, meta["computed_from"].to_dict()) == "registre"
    errors.flag(
        frame,
        computed,
        "indicateur",
        lambda rows: text(rows["indicator_code"]) + " est calculé à partir du registre des lieux : il ne se saisit pas",
    )
    ind_kind = pd.Series(lookup(code, meta["kind"].to_dict()), index=frame.index)
    period_type = lookup(code, meta["period_type"].to_dict())
    frame["period_type"] = period_type
    grain = frame["granularity"].to_numpy()
    order = {"month": 0, "quarter": 1, "year": 2}
    finer = lookup(pd.Series(grain), order, -1) < lookup(pd.Series(period_type), order, -1)
    # A realised value has the indicator's grain; a target or reference may be coarser, never finer.
    wrong_grain = (
        known & pd.notna(grain) & (grain != period_type) & ((kinds == "actual").to_numpy() | finer.astype(bool))
    )
    grain_fr = {"year": "annuelle", "quarter": "trimestrielle", "month": "mensuelle"}
    errors.flag(
        frame,
        wrong_grain,
        "periode",
        lambda rows: (
            "période "
            + text(rows["granularity"].map(grain_fr))
            + " pour un indicateur de période "
            + text(rows["period_type"].map(grain_fr))
            + " : indiquez une période "
            + text(rows["period_type"].map(grain_fr))
        ).to_numpy(),
    )

    live = ~frame["delete"]
    value, num, den = frame["value"], frame["numerator"], frame["denominator"]
    for column in rules.FIGURES:
        label = rules.COLUMN_LABELS[column]
        errors.flag(frame, live & np.isinf(frame[column]), label, rules.NOT_FINITE)
        errors.flag(
            frame, live & ~np.isinf(frame[column]) & (frame[column].abs() > rules.MAX_ABS), label, rules.TOO_BIG
        )
    today = pd.Timestamp.today().date()
    future = (
        (kinds == "actual").to_numpy()
        & live.to_numpy()
        & np.array(
            [start is not None and start == start and start > today for start in frame["period_start"]], dtype=bool
        )
    )
    errors.flag(
        frame,
        future,
        "periode",
        lambda rows: (
            "la période " + text(rows["period"]) + " n'a pas commencé : une valeur réalisée porte sur le passé "
            "(pour un objectif, choisissez le type cible)"
        ).to_numpy(),
    )
    has_ratio = num.notna() | den.notna()
    errors.flag(frame, live & (num.isna() != den.isna()), "denominateur", rules.RATIO_PAIR)
    both = live & num.notna() & den.notna()
    errors.flag(
        frame,
        both & (ind_kind != "percentage") & known,
        "numerateur",
        "numérateur et dénominateur ne servent qu'aux indicateurs en pourcentage : renseignez la valeur",
    )
    errors.flag(frame, both & (den <= 0), "denominateur", rules.DENOMINATOR_POSITIVE)
    errors.flag(frame, both & (num < 0), "numerateur", rules.NUMERATOR_NEGATIVE)
    errors.flag(
        frame,
        both & (num > den),
        "numerateur",
        lambda rows: [
            rules.numerator_over(n, d) for n, d in zip(_shown(rows, "numerator"), _shown(rows, "denominator"))
        ],
    )
    frame["value"] = np.where(both & (den > 0), 100.0 * num / den.where(den > 0, 1.0), value)
    value = frame["value"]
    errors.flag(frame, live & value.isna() & ~has_ratio, "valeur", rules.NO_VALUE)
    count = live & (ind_kind == "count") & value.notna()
    errors.flag(
        frame,
        count & (value < 0),
        "valeur",
        lambda rows: ("un comptage ne peut pas être négatif (" + _shown(rows) + ")").to_numpy(),
    )
    errors.flag(
        frame,
        count & (value >= 0) & (value != np.floor(value)),
        "valeur",
        lambda rows: ("un comptage est un nombre entier (" + _shown(rows) + ")").to_numpy(),
    )
    errors.flag(
        frame,
        live & ind_kind.isin(["amount_eur", "ratio"]) & (value < 0),
        "valeur",
        lambda rows: ("ce montant ne peut pas être négatif (" + _shown(rows) + ")").to_numpy(),
    )
    out_of_range = live & (ind_kind == "percentage") & ~both & ((value < 0) | (value > 100))
    errors.flag(
        frame,
        out_of_range,
        "valeur",
        lambda rows: ("un pourcentage est compris entre 0 et 100 (" + _shown(rows) + ")").to_numpy(),
    )
    # The rules declared in the catalogue (rules.declared_problems is their scalar form), where the
    # indicator's own kind has not already refused the value: one message per mistake.
    kind_refused = (
        (count & ((value < 0) | (value != np.floor(value))))
        | (ind_kind.isin(["amount_eur", "ratio"]) & (value < 0))
        | out_of_range
    )
    for column, default in (("min_value", np.nan), ("max_value", np.nan), ("max_change_pct", np.nan)):
        known_rules = meta[column].dropna().to_dict() if column in meta.columns else {}
        frame[column] = pd.to_numeric(pd.Series(lookup(code, known_rules, default), index=frame.index))
    whole = meta["integer_only"].fillna(False).astype(bool).to_dict() if "integer_only" in meta.columns else {}
    frame["integer_only"] = lookup(code, whole, False).astype(bool)
    aggs = meta["territorial_agg"].to_dict() if "territorial_agg" in meta.columns else {}
    frame["territorial_agg"] = lookup(code, aggs)
    checked = live & value.notna() & ~kind_refused
    errors.flag(
        frame,
        checked & (value < frame["min_value"]),
        "valeur",
        lambda rows: [rules.below_min(v, m) for v, m in zip(_shown(rows), _shown(rows, "min_value"))],
    )
    errors.flag(
        frame,
        checked & (value > frame["max_value"]),
        "valeur",
        lambda rows: [rules.above_max(v, m) for v, m in zip(_shown(rows), _shown(rows, "max_value"))],
    )
    errors.flag(
        frame,
        checked & frame["integer_only"] & (value != np.floor(value)),
        "valeur",
        lambda rows: [rules.not_integer(v) for v in _shown(rows)],
    )
    return frame


def check_territories(cur, frame: pd.DataFrame, user: User, errors: Errors) -> pd.DataFrame:
    """Unknown territories and territories outside the signed-in user's scope (accounts.policy decides)."""
    ids = pd.DataFrame({"territory_id": frame["territory_id"].dropna().unique()})
    found = territory_repo.rows_for(cur, ids)
    rows = found.to_dict("records")
    allowed = {row["id"]: policy.can_write_values(user, row) for row in rows}
    names = dict(zip(found["id"], found["name"]))
    tid = frame["territory_id"]
    errors.flag(
        frame,
        tid.notna().to_numpy() & ~lookup(tid, dict.fromkeys(names, True), False).astype(bool),
        "territoire",
        lambda rows: "territoire inconnu : " + text(rows["territory_id"]),
    )
    frame["territory_name"] = lookup(tid, names)
    errors.refused = sorted(t for t, ok in allowed.items() if not ok)
    errors.flag(
        frame,
        lookup(tid, allowed, True) == False,  # noqa: E712 (element-wise)
        "territoire",
        lambda rows: (
            text(rows["territory_name"])
            + " ("
            + text(rows["territory_id"])
            + ") est hors de votre périmètre : vous ne pouvez pas modifier ses valeurs"
        ).to_numpy(),
    )
    frame["region_code"] = lookup(tid, dict(zip(found["id"], found["region_code"])))
    return frame


def check_duplicates(frame: pd.DataFrame, errors: Errors) -> pd.DataFrame:
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
        lines = (
            marked.groupby(key)["line"]
            .agg(lambda s: ", ".join(str(x) for x in sorted(s)[:5]) + (f"… {len(s)} lignes" if len(s) > 5 else ""))
            .rename("lines")
        )
        marked = marked.merge(lines.reset_index(), on=key)
        mask = frame["pos"].isin(marked["pos"])
        text = frame["pos"].map(
            dict(
                zip(
                    marked["pos"],
                    "même valeur donnée plusieurs fois avec des chiffres différents (lignes " + marked["lines"] + ")",
                )
            )
        )
        errors.flag(frame, mask, "valeur", text)
    # An exact repeat of an earlier line adds nothing: keep the first.
    repeats = sub.duplicated(key + figures, keep="first")
    return frame.drop(index=sub.index[repeats])
