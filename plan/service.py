"""Plan services for pages and the CLI: measures, their detail, the indicator catalogue and sources."""

from __future__ import annotations

import pandas as pd

from accounts.models import User
from indicators import repository as indicator_repo
from indicators import rules, visibility
from plan import repository
from store import meta
from store.db import Database


def overview(db: Database) -> dict:
    """Axes and measures of the plan, and whether demo data is present."""
    with db.read() as cur:
        return {
            "axes": repository.axes(cur),
            "measures": repository.measures(cur),
            "demo": meta.is_demo(cur),
        }


def measure_detail(db: Database, code: str, user: User | None = None) -> dict | None:
    """Everything the measure page shows, or None for an unknown code (drafts only for who may see them)."""
    with db.read() as cur:
        measure = repository.measure(cur, code)
        if measure is None:
            return None
        indicators = repository.measure_indicators(cur, code)
        return {
            "measure": measure,
            "indicators": indicators,
            "values": {c: _shown(cur, user, indicator_repo.values_of(cur, c)) for c in indicators["code"]},
            "references": {c: indicator_repo.reference_values(cur, c) for c in indicators["code"]},
            "rules": _rules(indicator_repo.indicators(cur), indicators["code"]),
            "milestones": repository.milestones(cur, code),
            "history": repository.status_history(cur, code),
        }


def _rules(catalogue, codes) -> dict[str, list[str]]:
    """The French control rules of each indicator of a measure."""
    by_code = catalogue.set_index("code")
    return {
        c: rules.describe(
            by_code.at[c, "kind"],
            by_code.at[c, "territorial_agg"],
            *(None if pd.isna(by_code.at[c, k]) else by_code.at[c, k] for k in rules.RULE_COLUMNS),
        )
        for c in codes
    }


def catalogue(db: Database) -> dict:
    """Indicators and sources, for the data page."""
    with db.read() as cur:
        return {"indicators": indicator_repo.catalogue(cur), "sources": indicator_repo.sources(cur)}


def _shown(cur, user: User | None, values):
    """Values the user may see, without the columns used to decide it."""
    return visibility.readable(cur, user, values).drop(columns=["published", "territory_id"])


def measure_indicators(db: Database):
    """Every (measure, indicator) pair of the plan with its weight, baseline and target periods."""
    with db.read() as cur:
        return repository.measure_indicator_frame(cur)
