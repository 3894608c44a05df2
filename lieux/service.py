"""Reads of the registry (one lieu, search, coverage, filters); changes go through lieux.writes."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lieux import coverage, repository
from lieux.models import ATTESTATION_YEARS, Lieu
from lieux.placement import RULE_LABELS
from lieux.writes import _to_model
from store import audit
from store.db import Database
from territories import repository as territory_repo


def get(db: Database, lieu_id: str) -> Lieu | None:
    """One lieu, or None."""
    with db.read() as cur:
        row = repository.get(cur, lieu_id)
    return _to_model(row) if row else None


def search(db: Database, text: str = "", **filters) -> pd.DataFrame:
    """Lieux matching a text (name, commune, code) and filters (lieu_type, label, status, region,
    departement, epci, commune, typology)."""
    from territories.names import normalize

    words = normalize(text) if text else ""
    with db.read() as cur:
        frame = repository.list_lieux(cur, words=words, code=text.strip().upper(), **filters)
    frame["placement"] = frame["placement_rule"].map(lambda r: RULE_LABELS.get(r, r))
    return frame


def is_demo(db: Database) -> bool:
    """Whether demo lieux are in the registry (the page shows the demo label then)."""
    with db.read() as cur:
        return repository.is_demo_registry(cur)


def registry_version(db: Database) -> tuple:
    """The newest audited change of the registry or the territories: what coverage figures depend on
    (a cache key that moves when any server, not only this one, changes a place)."""
    with db.read() as cur:
        return audit.latest(cur, ("lieu", "territory"))


def coverage_report(db: Database, km: float = coverage.DEFAULT_KM, on: date | None = None, top: int = 20) -> dict:
    """Coverage of the population within km of a place open on a date (today by default)."""
    on = on or date.today()
    with db.read() as cur:
        communes = territory_repo.coverage_communes(cur)
        places = repository.open_places(cur, on, ATTESTATION_YEARS)
        demo = repository.is_demo_registry(cur)
    result = coverage.compute(communes, places, km, top=top)
    result["on"] = on
    result["demo"] = demo
    return result


def territory_options(db: Database) -> dict[str, pd.DataFrame]:
    """Régions and départements (code, name, region_code) for the page's filters."""
    with db.read() as cur:
        return {
            "region": territory_repo.by_level(cur, "region")[["code", "name"]],
            "departement": territory_repo.by_level(cur, "departement")[["code", "name", "region_code"]],
        }
