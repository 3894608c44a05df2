"""Probable duplicates in the registry: flagged for review, never merged silently.

Two places are probably one when they have the same name in the same commune, or stand within
DUPLICATE_METRES of each other with similar names (half of their significant words in common).
"""

from __future__ import annotations

import pandas as pd

from lieux import coverage
from lieux.placement import parse_number
from territories.names import normalize

DUPLICATE_METRES = 50.0
SIMILAR_WORDS = 0.5
# Words every other name has: they say nothing about which place it is.
_COMMON = {
    "le",
    "la",
    "les",
    "l",
    "de",
    "du",
    "des",
    "d",
    "et",
    "a",
    "au",
    "aux",
    "en",
    "tiers",
    "lieu",
    "lieux",
    "tiers lieu",
    "espace",
    "coworking",
    "fablab",
    "fab",
    "lab",
}


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in normalize(name or "").split() if w not in _COMMON) or frozenset(
        normalize(name or "").split()
    )


def similar(a: str, b: str) -> bool:
    """Whether two names share at least half of their significant words."""
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= SIMILAR_WORDS


def find(new: pd.DataFrame, known: pd.DataFrame) -> dict:
    """For each row of new (key, name, commune_code, lat, lon), why it looks like a duplicate of another row
    or of a known lieu (id, name, commune_code, lat, lon), or nothing. Both members of a pair are flagged,
    and the partner named is the first by name, so a re-import finds the same reasons as the first import."""
    rows = pd.concat([known.assign(key=None), new.assign(id=None)], ignore_index=True)
    first_new = len(known)
    names = rows["name"].fillna("").astype(str)
    norm = names.map(normalize)
    partners: dict = {}
    for _, group in rows.groupby([rows["commune_code"], norm], sort=False).groups.items():
        members = list(group)
        for i in members:
            others = [names.iat[j] for j in members if j != i]
            if i >= first_new and others:
                partners.setdefault(i, (min(others), "même nom dans la même commune"))
    located = rows[rows["lat"].notna() & rows["lon"].notna()]
    if len(located) and (located.index >= first_new).any():
        xyz = coverage.to_xyz(located["lat"], located["lon"])
        ia, ib = coverage.pairs_within(xyz, xyz, DUPLICATE_METRES / 1000)
        index = located.index.to_numpy()
        close: dict = {}
        for a, b in zip(index[ia], index[ib]):
            if a != b and a >= first_new and a not in partners and similar(names.iat[a], names.iat[b]):
                close.setdefault(a, []).append(names.iat[b])
        for a, others in close.items():
            partners[a] = (min(others), f"à moins de {DUPLICATE_METRES:.0f} m, nom proche")
    return {rows.at[i, "key"]: f"doublon probable de « {name} » ({why})" for i, (name, why) in partners.items()}


def for_import(rows, placements, registry, known_by_key, known_by_id) -> dict:
    """Line → why the row looks like a duplicate of an earlier line or of another lieu of the registry."""
    new, own = [], set()
    for row, place in zip(rows, placements):
        if place.commune_code is None:
            continue
        key = (row["source"], row["source_id"]) if row.get("source_id") else None
        old = known_by_id.get(row.get("id")) or (known_by_key.get(key) if key else None)
        if old is not None:
            own.add(old["id"])  # a row is not a duplicate of its own earlier version
        lat, lon = parse_number(row["raw_lat"]), parse_number(row["raw_lon"])
        new.append(
            {
                "key": int(row["line"]),
                "name": row["name"] or "",
                "commune_code": place.commune_code,
                "lat": lat if lat or lon else None,
                "lon": lon if lat or lon else None,
            }
        )
    frame = pd.DataFrame(new, columns=["key", "name", "commune_code", "lat", "lon"]).astype(
        {"lat": "float64", "lon": "float64"}
    )
    return find(frame, registry[~registry["id"].isin(own)].reset_index(drop=True))
