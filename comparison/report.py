"""A territory's comparison with its peers as plain data: what `cli.py compare --json` prints and the API serves."""

from __future__ import annotations

import math

from accounts.models import User
from comparison import service as comparison
from comparison.peers import DEFAULT_BAND, PeerCriteria
from store.db import Database

COLUMNS = [
    "code",
    "name",
    "kind",
    "direction",
    "period",
    "value",
    "value_basis",
    "basis_label",
    "n",
    "q1",
    "median",
    "q3",
    "rank",
    "out_of",
    "percentile",
    "better",
    "equal",
    "worse",
    "gap",
    "favourable",
    "flagged",
    "plain",
    "prev_period",
    "prev_value",
    "trend",
    "prev_median",
    "peer_trend",
    "is_demo",
    "source_title",
    "available",
]


def parse_peers(text: str, band: float | None = None) -> PeerCriteria:
    """Criteria from band | band=0.3 | region | region=0.3 | k=N (ValueError in French otherwise)."""
    mode, _, arg = (text or "band").strip().lower().partition("=")
    try:
        if mode == "k":
            return PeerCriteria(mode="k", k=int(arg))
        if mode in ("band", "region"):
            width = float(arg.replace(",", ".")) if arg else (band if band is not None else DEFAULT_BAND)
            return PeerCriteria(band=width, same_region=mode == "region")
    except ValueError as error:
        raise ValueError(f"--peers {text} : {error}") from error
    raise ValueError(f"--peers {text} : écrivez band, band=0.3, region ou k=20")


def _clean(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report(
    db: Database, key: str, criteria: PeerCriteria, indicator_codes: list[str] | None = None, user: User | None = None
) -> dict:
    """The territory, its peer group and the comparison per indicator (ComparisonError if unknown)."""
    result = comparison.compare(db, key, criteria, indicator_codes, user=user)
    t, group, table = result["territory"], result["peers"], result["table"]
    members = group.members[["id", "code", "name", "population"]]
    return {
        "territory": {
            k: _clean(t[k])
            for k in ("id", "level", "code", "name", "population", "typology", "typology_official", "region_code")
        },
        "peers": {
            "n": group.n,
            "criteria": group.criteria,
            "notes": group.notes,
            "widened": group.widened,
            "applied": group.applied,
            "members": [{k: _clean(v) for k, v in r.items()} for r in members.to_dict("records")],
        },
        "comparison": [{k: _clean(v) for k, v in row.items()} for row in table[COLUMNS].to_dict("records")],
        "is_demo": result["is_demo"],
    }
