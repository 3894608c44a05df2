"""France's registry indicators of a year, for the database summary (`cli.py status` and the API)."""

from __future__ import annotations

from indicators.aggregates import yearly
from lieux.computed import REGISTRY_CODES
from store.db import Database


def registry_national(db: Database, year: int) -> dict:
    """France's registry indicators of a year, as the dashboard reads them (materialised roll-ups)."""
    frame = yearly(db, year, ["pays"], list(REGISTRY_CODES))

    def number(value):  # a count has no numerator: null in JSON, never NaN (which is not JSON)
        return None if value is None or value != value else value

    return {
        r["indicator_code"]: {
            "value": number(r["value"]),
            "numerator": number(r["numerator"]),
            "denominator": number(r["denominator"]),
            "reported": int(r["reported"]),
            "expected": int(r["expected"]),
        }
        for r in frame.to_dict("records")
    }
