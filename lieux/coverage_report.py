"""Coverage of the population by open tiers-lieux as plain data: what `cli.py coverage` prints and the API serves."""

from __future__ import annotations

from lieux.service import coverage_report
from store.db import Database


def coverage_summary(db: Database, km: float = 10.0, top: int = 20) -> dict:
    """Share of the population within km of an open place, per typology, EPCI without one, best new sites."""
    result = coverage_report(db, km=km, top=top)
    return {
        "km": result["km"],
        "date": result["on"],
        "demo": result["demo"],
        "places_open": result["places"],
        "population": result["population"],
        "covered_population": result["covered_population"],
        "share": result["share"],
        "by_typology": result["by_typology"].to_dict("records"),
        "epci_without_place": result["epci_without"][["epci_siren", "epci_name", "population", "communes"]].to_dict(
            "records"
        ),
        "ranking": result["ranking"][
            ["epci_siren", "epci_name", "commune_code", "commune_name", "gain", "communes_gained"]
        ].to_dict("records"),
    }
