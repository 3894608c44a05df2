"""Coverage of the population by open tiers-lieux within N km, with a 3-D grid instead of all pairs.

Points go onto the sphere as 3-D vectors (km); two points are within N km along the surface exactly
when their chord is within 2R·sin(N/2R). A grid of chord-sized cubes limits the candidates of each
point to the 27 neighbouring cells, so the cost is about (communes + places) rather than their product.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

EARTH_KM = 6371.0
DEFAULT_KM = 10.0
_SPAN = 1 << 13  # cells per axis after the offset: the Earth is at most ~1 300 cells of 10 km
_OFFSET = _SPAN // 2
_MIN_CELL_KM = 0.5  # below this the grid gets too fine to stay in int64 keys


def to_xyz(lat, lon) -> np.ndarray:
    """Points on the sphere as (n, 3) vectors in km."""
    phi, lmb = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return EARTH_KM * np.column_stack([cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)])


def chord_km(km: float) -> float:
    """Straight-line length of a great-circle arc of km."""
    return 2 * EARTH_KM * np.sin(min(km, np.pi * EARTH_KM) / (2 * EARTH_KM))


def _keys(cells: np.ndarray) -> np.ndarray:
    c = cells + _OFFSET
    return (c[:, 0] * _SPAN + c[:, 1]) * _SPAN + c[:, 2]


def pairs_within(a: np.ndarray, b: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i in a, j in b) of 3-D points whose surface distance is at most km."""
    if len(a) == 0 or len(b) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    limit = chord_km(km)
    size = max(limit, _MIN_CELL_KM)
    cells_b = np.floor(b / size).astype(np.int64)
    keys_b = _keys(cells_b)
    order = np.argsort(keys_b, kind="stable")
    sorted_b = keys_b[order]
    cells_a = np.floor(a / size).astype(np.int64)
    found_a, found_b = [], []
    for shift in itertools.product((-1, 0, 1), repeat=3):
        keys = _keys(cells_a + np.array(shift, dtype=np.int64))
        lo = np.searchsorted(sorted_b, keys, "left")
        count = np.searchsorted(sorted_b, keys, "right") - lo
        hit = np.flatnonzero(count)
        if len(hit) == 0:
            continue
        n = count[hit]
        ia = np.repeat(hit, n)
        first = np.repeat(np.cumsum(n) - n, n)
        ib = order[lo[ia] + np.arange(len(ia)) - first]
        close = ((a[ia] - b[ib]) ** 2).sum(axis=1) <= limit * limit
        found_a.append(ia[close])
        found_b.append(ib[close])
    if not found_a:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(found_a), np.concatenate(found_b)


def covered(commune_xyz: np.ndarray, place_xyz: np.ndarray, km: float) -> np.ndarray:
    """Boolean mask: communes whose centre is within km of at least one place."""
    mask = np.zeros(len(commune_xyz), dtype=bool)
    ia, _ = pairs_within(commune_xyz, place_xyz, km)
    mask[ia] = True
    return mask


def _share(num: float, den: float) -> float | None:
    return None if not den else 100.0 * num / den


def compute(communes: pd.DataFrame, places: pd.DataFrame, km: float = DEFAULT_KM, top: int = 20) -> dict:
    """Coverage figures from communes (code, name, population, lat, lon, typology, epci_siren[, epci_name])
    and open places (lat, lon)."""
    communes = communes[communes["lat"].notna() & communes["lon"].notna()].reset_index(drop=True)
    pop = communes["population"].to_numpy(dtype=float)
    cxyz = to_xyz(communes["lat"], communes["lon"])
    pxyz = to_xyz(places["lat"], places["lon"]) if len(places) else np.empty((0, 3))
    is_covered = covered(cxyz, pxyz, km)
    communes = communes.assign(covered=is_covered)

    total, reached = pop.sum(), pop[is_covered].sum()
    by_typology = (
        communes.assign(covered_population=np.where(is_covered, pop, 0.0))
        .groupby("typology", as_index=False)
        .agg(
            population=("population", "sum"),
            covered_population=("covered_population", "sum"),
            communes=("code", "size"),
            communes_covered=("covered", "sum"),
        )
    )
    by_typology["share"] = (
        100.0 * by_typology["covered_population"] / by_typology["population"].where(by_typology["population"] > 0)
    )

    with_epci = communes[communes["epci_siren"].notna()]
    names = "epci_name" in with_epci.columns
    epci = (
        with_epci.assign(covered_population=np.where(with_epci["covered"], with_epci["population"], 0))
        .groupby("epci_siren", as_index=False)
        .agg(
            epci_name=("epci_name" if names else "epci_siren", "first"),
            population=("population", "sum"),
            covered_population=("covered_population", "sum"),
            communes=("code", "size"),
            communes_covered=("covered", "sum"),
        )
    )
    epci["uncovered_population"] = epci["population"] - epci["covered_population"]
    gaps = epci[epci["communes_covered"] == 0].sort_values("population", ascending=False)

    ranking = _ranking(communes, cxyz, km).head(top)
    return {
        "km": km,
        "places": len(places),
        "population": float(total),
        "covered_population": float(reached),
        "share": _share(reached, total),
        "by_typology": by_typology,
        "communes": communes,
        "epci": epci,
        "epci_without": gaps,
        "ranking": ranking,
    }


def _ranking(communes: pd.DataFrame, cxyz: np.ndarray, km: float) -> pd.DataFrame:
    """EPCI ranked by the people one new place at their most populous uncovered commune would cover."""
    uncovered = np.flatnonzero(~communes["covered"].to_numpy() & communes["epci_siren"].notna().to_numpy())
    if len(uncovered) == 0:
        return pd.DataFrame(
            columns=["epci_siren", "epci_name", "commune_code", "commune_name", "gain", "communes_gained"]
        )
    pool = communes.iloc[uncovered]
    best = pool.sort_values(["population", "code"], ascending=[False, True]).drop_duplicates("epci_siren")
    cand = best.index.to_numpy()
    all_uncovered = np.flatnonzero(~communes["covered"].to_numpy())
    ia, ib = pairs_within(cxyz[cand], cxyz[all_uncovered], km)
    pop = communes["population"].to_numpy(dtype=float)
    gain = np.bincount(ia, weights=pop[all_uncovered[ib]], minlength=len(cand))
    reached = np.bincount(ia, minlength=len(cand))
    frame = pd.DataFrame(
        {
            "epci_siren": best["epci_siren"].to_numpy(),
            "epci_name": best["epci_name"].to_numpy() if "epci_name" in best else best["epci_siren"].to_numpy(),
            "commune_code": best["code"].to_numpy(),
            "commune_name": best["name"].to_numpy(),
            "lat": best["lat"].to_numpy(),
            "lon": best["lon"].to_numpy(),
            "gain": gain,
            "communes_gained": reached,
        }
    )
    return frame.sort_values(["gain", "epci_siren"], ascending=[False, True]).reset_index(drop=True)


def communes_near(communes: pd.DataFrame, lat: list[float], lon: list[float], km: float) -> list[str]:
    """Codes of the communes whose centre is within km of any of the given points."""
    if not lat:
        return []
    ok = communes["lat"].notna() & communes["lon"].notna()
    communes = communes[ok]
    ia, _ = pairs_within(to_xyz(communes["lat"], communes["lon"]), to_xyz(lat, lon), km)
    return sorted(set(communes["code"].to_numpy()[ia]))
