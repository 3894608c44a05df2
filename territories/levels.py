"""The territory levels, their order, their id prefixes and labels: the one table every module reads."""

from __future__ import annotations

FRANCE = "FR"  # the id of the whole country, the top of every roll-up
# Finest to coarsest: the order roll-ups climb and comparisons descend.
LEVELS = ("commune", "epci", "departement", "region", "pays")
PREFIX = {"commune": "COM-", "epci": "EPCI-", "departement": "DEP-", "region": "REG-", "pays": FRANCE}
LABELS = {"pays": "France", "region": "Région", "departement": "Département", "epci": "EPCI", "commune": "Commune"}


def territory_id(level: str, code: str | None = None) -> str:
    """Internal id of a territory: FR, REG-11, DEP-77, EPCI-200072130, COM-77475."""
    return FRANCE if level == "pays" else PREFIX[level] + str(code)


def level_of(territory_id_: str) -> str | None:
    """The level an internal id names (None for an id of no known level)."""
    if territory_id_ == FRANCE:
        return "pays"
    return next((lvl for lvl, prefix in PREFIX.items() if lvl != "pays" and territory_id_.startswith(prefix)), None)


def code_of(territory_id_: str) -> str:
    """The official code inside an internal id (REG-11 → 11, COM-77475 → 77475, FR → FR)."""
    level = level_of(territory_id_)
    return territory_id_ if level in (None, "pays") else territory_id_.removeprefix(PREFIX[level])
