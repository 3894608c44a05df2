"""The territory sheet: identity, registry tiers-lieux and targets, and the plan's indicators for it."""

from __future__ import annotations

import pandas as pd

from accounts.models import User
from comparison.service import resolve
from indicators import repository as indicator_repo
from indicators import visibility
from lieux import repository as lieux_repo
from store.db import Database
from territories import repository as territory_repo
from territories.levels import territory_id


def sheet(db: Database, key: str, user: User | None = None) -> dict:
    """Identity, tiers-lieux of the registry and targets of a territory, for the page and the export."""
    territory = resolve(db, key)
    with db.read() as cur:
        lieux_total, lieux = lieux_repo.in_territory(cur, territory["level"], territory["code"])
        targets = visibility.readable(cur, user, indicator_repo.targets(cur, territory["id"])).drop(
            columns=["published", "territory_id"]
        )
        epci = (
            territory_repo.get(cur, territory_id("epci", territory["epci_siren"])) if territory["epci_siren"] else None
        )
        region = (
            territory_repo.get(cur, territory_id("region", territory["region_code"]))
            if territory["region_code"]
            else None
        )
        departement = (
            territory_repo.get(cur, territory_id("departement", territory["departement_code"]))
            if territory["departement_code"] and territory["level"] in ("commune", "epci")
            else None
        )
    area = territory["area_km2"]
    return {
        "territory": territory,
        "density": territory["population"] / area if area else None,
        "epci": epci,
        "region": region,
        "departement": departement,
        "lieux_total": lieux_total,
        "lieux": lieux,
        "targets": targets,
    }


def plan_indicators(result: dict, sheet: dict) -> pd.DataFrame:
    """Every indicator of the plan for the territory: value, trend since the previous period, target."""
    table = result["table"]
    targets = sheet["targets"].drop_duplicates("indicator_code")  # latest target first
    merged = table.merge(
        targets[["indicator_code", "period", "value"]].rename(
            columns={"indicator_code": "code", "period": "target_period", "value": "target"}
        ),
        on="code",
        how="left",
    )
    return merged[
        [
            "code",
            "name",
            "kind",
            "unit",
            "period",
            "value",
            "prev_period",
            "prev_value",
            "trend",
            "target",
            "target_period",
            "reported",
            "expected",
            "is_demo",
            "source_title",
            "value_source",
            "measure_code",
        ]
    ]
