"""Peer comparison service: a territory against territories like it, over every indicator at once.

The figures come from the level snapshots of comparison.snapshot: a comparison is a peer selection
and vectorised statistics on their numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import User
from comparison import peers as peer_rules
from comparison.peers import PeerCriteria, PeerGroup
from comparison.snapshot import BASIS_LABELS, LevelSnapshot, basis_factor, snapshot, trend_series
from store.db import Database
from territories.service import get


class ComparisonError(ValueError):
    """A comparison that cannot be made, explained in French."""


def resolve(db: Database, key: str) -> dict:
    """The territory for an id, INSEE code or SIREN; ComparisonError in French if unknown."""
    territory = get(db, key or "")
    if territory is None:
        raise ComparisonError(
            f"Le territoire « {key} » est inconnu : donnez un code INSEE de commune, "
            "un SIREN d'EPCI ou un identifiant (DEP-77, REG-11)."
        )
    return territory


def _peers(
    db: Database, key: str, criteria: PeerCriteria, published_only: bool = False, year: int | None = None
) -> tuple[dict, PeerGroup, LevelSnapshot]:
    territory = resolve(db, key)
    if territory["level"] == "pays":
        raise ComparisonError(
            "La France n'a pas de territoire comparable : choisissez une région, "
            "un département, un EPCI ou une commune."
        )
    snap = snapshot(db, territory["level"], published_only, year)
    return territory, peer_rules.select_peers(snap.territories, territory, criteria), snap


def peer_group(db: Database, key: str, criteria: PeerCriteria = PeerCriteria()) -> tuple[dict, PeerGroup]:
    """The territory and its peer group (size n, criteria in French, widening notes)."""
    territory, group, _ = _peers(db, key, criteria)
    return territory, group


def _trend_word(before: float, after: float) -> str:
    if np.isnan(before) or np.isnan(after):
        return ""
    return "hausse" if after > before else "baisse" if after < before else "stable"


def compare(
    db: Database,
    key: str,
    criteria: PeerCriteria = PeerCriteria(),
    indicator_codes: list[str] | None = None,
    *,
    user: User | None = None,
    year: int | None = None,
) -> dict:
    """The territory, its peer group and, per indicator, its value against the peers' distribution
    (each indicator at its latest year, or its latest year up to `year`).

    Peers lie outside any one scope, so drafts count only for users who see them everywhere.
    """
    territory, group, snap = _peers(db, key, criteria, policy.published_only(user), year)
    me = snap.index.get_loc(territory["id"])
    rows = snap.index.get_indexer(group.members["id"])
    cols = np.arange(len(snap.indicators))
    if indicator_codes:
        unknown = sorted(set(indicator_codes) - set(snap.indicators["code"]))
        if unknown:
            raise ComparisonError(
                f"Indicateur inconnu : {', '.join(unknown)}. "
                "La liste est sur la page Données (ou `python cli.py status`)."
            )
        cols = np.flatnonzero(snap.indicators["code"].isin(indicator_codes).to_numpy())
    ind = snap.indicators.iloc[cols].reset_index(drop=True)
    own = snap.basis[me, cols]
    peers = snap.basis[np.ix_(rows, cols)]
    down = (ind["direction"] == "down").to_numpy()
    pct = (ind["kind"] == "percentage").to_numpy()
    stats = peer_rules.compare(own, peers, down, pct)
    (_, prev_median, _), _ = peer_rules.quantiles(snap.prev_basis[np.ix_(rows, cols)])
    table = pd.concat(
        [
            ind[
                [
                    "code",
                    "name",
                    "unit",
                    "kind",
                    "direction",
                    "per_inhabitants",
                    "period",
                    "prev_period",
                    "source_level",
                    "source_title",
                    "value_source",
                    "measure_code",
                    "is_demo",
                ]
            ],
            stats,
        ],
        axis=1,
    )
    table["value"] = snap.raw[me, cols]
    table["prev_value"] = snap.prev_raw[me, cols]
    table["value_basis"] = own
    table["prev_value_basis"] = snap.prev_basis[me, cols]
    table["prev_median"] = prev_median
    table["basis_label"] = ind["kind"].map(BASIS_LABELS).fillna("")
    table["reported"] = snap.reported[me, cols]
    table["expected"] = snap.expected[me, cols]
    table["available"] = table["period"].notna() & table["n"].gt(0)
    table["trend"] = [_trend_word(b, a) for b, a in zip(table["prev_value_basis"], table["value_basis"])]
    table["peer_trend"] = [_trend_word(b, a) for b, a in zip(table["prev_median"], table["median"])]
    table["plain"] = [
        peer_rules.plain_rank(int(b), int(e), int(n)) if not np.isnan(v) else "pas de valeur pour ce territoire"
        for b, e, n, v in zip(table["better"], table["equal"], table["n"], table["value_basis"])
    ]
    table.loc[~table["available"], "plain"] = "pas de valeur comparable à ce niveau"
    return {
        "territory": territory,
        "peers": group,
        "table": table,
        "is_demo": bool(table.loc[table["available"], "is_demo"].any()),
    }


def distribution(
    db: Database,
    territory_id: str,
    peer_ids: list[str],
    indicator_code: str,
    *,
    user: User | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Peers' values (compared form) of one indicator, with the territory flagged, for the chart."""
    territory = resolve(db, territory_id)
    snap = snapshot(db, territory["level"], policy.published_only(user), year)
    j = int(np.flatnonzero(snap.indicators["code"].to_numpy() == indicator_code)[0])
    ids = [territory["id"], *peer_ids]
    rows = snap.index.get_indexer(ids)
    frame = snap.territories.iloc[rows][["id", "name", "population"]].reset_index(drop=True)
    frame["value"] = snap.basis[rows, j]
    frame["raw"] = snap.raw[rows, j]
    frame["is_self"] = frame["id"] == territory["id"]
    return frame


def trend(
    db: Database, territory_id: str, peer_ids: list[str], indicator_code: str, *, user: User | None = None
) -> pd.DataFrame:
    """The territory's value and the peers' median and quartiles, period by period (compared form)."""
    territory = resolve(db, territory_id)
    snap = snapshot(db, territory["level"], policy.published_only(user))
    info = snap.indicators[snap.indicators["code"] == indicator_code].iloc[0].to_dict()
    if not info["source_level"] or info["period"] is None:
        return pd.DataFrame(columns=["period", "own", "q1", "median", "q3", "n"])
    periods, matrix = trend_series(db, snap, info)
    factor = basis_factor(info["kind"], snap.territories["population"])[:, None]
    rows = snap.index.get_indexer(peer_ids)
    me = snap.index.get_loc(territory["id"])
    (q1, median, q3), n = peer_rules.quantiles(matrix[rows] * factor[rows])
    return pd.DataFrame(
        {"period": periods, "own": matrix[me] * factor[me], "q1": q1, "median": median, "q3": q3, "n": n}
    )
