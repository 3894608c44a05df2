"""Seed the national plan from data/plan.toml: sources, axes, measures, indicators, national values."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from indicators import review_repository, seeding
from indicators.models import Indicator, ValueIn
from indicators.periods import parse_period
from plan.models import Axis, Measure
from store import audit
from store.db import ROOT, StoreError
from territories.levels import FRANCE

PLAN_FILE = ROOT / "data" / "plan.toml"
SEED_ACTOR = "seed"


def read_plan(path: Path = PLAN_FILE) -> dict:
    """Parse and validate the plan file; a French error naming the file if anything is off."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise StoreError(f"Le fichier du plan {path} est illisible ({error}). Restaurez-le depuis le dépôt.") from error
    try:
        axes = [Axis(position=i, **a) for i, a in enumerate(raw["axes"], start=1)]
        indicators = [Indicator(source_code=i.pop("source", None), **i) for i in raw["indicators"]]
        measures = [Measure(**m) for m in raw["measures"]]
        values = [
            ValueIn(indicator_code=block["indicator"], territory_id=FRANCE, **v)
            for block in raw["values"]
            for v in block["values"]
        ]
    except (KeyError, TypeError, ValidationError) as error:
        raise StoreError(f"Le fichier du plan {path} est invalide : {error}") from error
    codes = {i.code for i in indicators}
    checks = {i.code: i.checks for i in indicators}
    for v in values:
        broken = checks[v.indicator_code].problems(v.value) if v.indicator_code in checks else []
        if broken:
            raise StoreError(
                f"{path} : la valeur {v.period} de {v.indicator_code} enfreint une règle de contrôle"
                f" de l'indicateur ({broken[0][1]})."
            )
    references = raw.get("references", [])
    for r in references:
        if r.get("indicator") not in codes or r.get("source") not in raw["sources"] or "value" not in r:
            raise StoreError(
                f"{path} : une valeur de référence cite un indicateur ou une source inconnus,"
                f" ou n'a pas de valeur : {r}."
            )
    for m in measures:
        for mi in m.indicators:
            if mi.code not in codes:
                raise StoreError(f"{path} : la mesure {m.code} cite un indicateur inconnu {mi.code}.")
    return {
        "sources": raw["sources"],
        "axes": axes,
        "indicators": indicators,
        "measures": measures,
        "values": values,
        "references": references,
        "regional_shares": {k: float(v) for k, v in raw.get("regional_shares_2023", {}).items() if k != "source"},
    }


def seed(cur, plan: dict | None = None) -> dict:
    """Insert the plan into empty plan tables; returns counts."""
    plan = plan or read_plan()
    for code, s in plan["sources"].items():
        seeding.insert_source(cur, code, s)
    for a in plan["axes"]:
        cur.execute("INSERT INTO axis VALUES (?, ?, ?, ?)", [a.code, a.position, a.title, a.description])
    for i in plan["indicators"]:
        seeding.insert_indicator(cur, i)
    for position, m in enumerate(plan["measures"], start=1):
        cur.execute(
            "INSERT INTO measure (code, axis_code, parent_code, position, title, description, pilot_org,"
            " pilot_people, elu_referent, start_date, end_date, status, meteo, budget_planned_eur,"
            " budget_actual_eur, source_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                m.code,
                m.axis,
                m.parent_code,
                position,
                m.title,
                m.description,
                m.pilot_org,
                m.pilot_people,
                m.elu_referent,
                m.start_date,
                m.end_date,
                m.status,
                m.meteo,
                m.budget_planned_eur,
                m.budget_actual_eur,
                m.source,
            ],
        )
        cur.execute(
            "INSERT INTO measure_status_history VALUES (?, current_timestamp, ?, ?, ?, ?)",
            [m.code, m.status, m.meteo, SEED_ACTOR, "État initial du plan"],
        )
        for mi in m.indicators:
            cur.execute(
                "INSERT INTO measure_indicator (measure_code, indicator_code, weight, baseline_period,"
                " target_period, cumulative_since) VALUES (?, ?, ?, ?, ?, ?)",
                [m.code, mi.code, mi.weight, mi.baseline_period, mi.target_period, mi.cumulative_since],
            )
        for ms in m.milestones:
            cur.execute(
                "INSERT INTO measure_milestone VALUES (?, ?, ?, ?, ?)",
                [m.code, ms.on_date, ms.title, ms.done, m.source],
            )
    for v in plan["values"]:
        period = parse_period(v.period)
        seeding.insert_value(
            cur,
            [
                v.indicator_code,
                v.territory_id,
                period.code,
                period.start,
                period.end,
                v.kind,
                v.value,
                v.numerator,
                v.denominator,
                v.source,
                v.comment,
            ],
            SEED_ACTOR,
        )
    for r in plan.get("references", []):
        seeding.insert_reference_value(
            cur, [r["indicator"], FRANCE, str(r["period"]), r["value"], r["source"], r.get("comment")]
        )
    audit.append(
        cur,
        actor=SEED_ACTOR,
        entity="plan",
        action="seed",
        how="seed",
        comment=f"Plan national chargé depuis {PLAN_FILE.name}",
    )
    return {
        "axes": len(plan["axes"]),
        "measures": len(plan["measures"]),
        "indicators": len(plan["indicators"]),
        "values": len(plan["values"]),
    }


def rule_rows(plan: dict, known: set[str]) -> list[tuple]:
    """The catalogue's control rules as rows of indicator_rule, for the indicators the database holds."""
    return sorted(
        (i.code, i.checks.min, i.checks.max, i.checks.integer, i.checks.max_change_pct)
        for i in plan["indicators"]
        if i.checks.declared and i.code in known
    )


def sync_rules(db, path: Path = PLAN_FILE) -> bool:
    """Bring a database built before (or with other) control rules and review settings in line with the
    catalogue file; True when something changed (audited). The file is the one place they are written down."""
    plan = read_plan(path)
    with db.read() as cur:
        known = seeding.indicator_codes(cur)
        stored = seeding.rule_rows(cur)
        stored_review = sorted(review_repository.reviewed_codes(cur))
    wanted = rule_rows(plan, known)
    wanted_review = sorted(i.code for i in plan["indicators"] if i.reviewed and i.code in known)
    if [tuple(r) for r in stored] == wanted and stored_review == wanted_review:
        return False

    def work(cur) -> None:
        seeding.replace_rules(cur, wanted)
        review_repository.replace_reviewed(cur, wanted_review)
        audit.append(
            cur,
            actor=SEED_ACTOR,
            entity="plan",
            action="rules",
            how="seed",
            new={"rules": [list(r) for r in wanted], "review": wanted_review},
            comment=f"Règles de contrôle et validation des indicateurs reprises de {path.name}",
        )

    db.write(work)
    return True
