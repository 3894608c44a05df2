"""Peer groups and peer statistics: pure functions over plain DataFrames and numpy arrays.

A peer group is "territories like mine": same level, same typology class, comparable population
(a band around the territory's population), optionally the same région, or the k most similar on
standardised log-population, log-density and rurality. A group smaller than MIN_PEERS widens itself
step by step and says how, in French. Statistics are vectorised over every indicator at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from territories.typology import TYPOLOGY_LABELS

MIN_PEERS = 5
DEFAULT_BAND = 0.5
BAND_STEPS = (0.5, 1.0, 2.0, 4.0)  # successive widenings of the population band
GAP_FLAG_POINTS = 10.0  # a percentage this many points from the peer median is flagged
LEVEL_PLURALS = {
    "commune": "communes",
    "epci": "EPCI",
    "departement": "départements",
    "region": "régions",
    "pays": "pays",
}
LEVEL_SINGULARS = {
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "region": "région",
    "pays": "pays",
}


@dataclass(frozen=True)
class PeerCriteria:
    """How peers are chosen: population band (default), same région only, or the k most similar."""

    mode: str = "band"  # band | k
    band: float = DEFAULT_BAND  # ±50 % by default
    same_region: bool = False
    same_typology: bool = True
    k: int | None = None

    def __post_init__(self):
        if self.mode not in ("band", "k"):
            raise ValueError(f"mode de comparaison « {self.mode} » inconnu : band ou k")
        if self.mode == "band" and not 0 < self.band <= 10:
            raise ValueError("la fourchette de population doit être comprise entre 0 et 1000 %")
        if self.mode == "k" and (self.k is None or not 1 <= self.k <= 1000):
            raise ValueError("k (nombre de territoires les plus proches) doit être compris entre 1 et 1000")


@dataclass
class PeerGroup:
    """The chosen peers (territory excluded), with the criteria applied and how the group was widened."""

    members: pd.DataFrame
    criteria: list[str]
    notes: list[str] = field(default_factory=list)
    applied: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of peers."""
        return len(self.members)

    @property
    def widened(self) -> bool:
        """Whether the group had to be widened to reach MIN_PEERS."""
        return bool(self.notes)


def band_bounds(population: float, band: float) -> tuple[float, float]:
    """Population interval of a band: ±band below 100 %, then ÷(1+band)…×(1+band) so it keeps widening."""
    if band < 1:
        return population * (1 - band), population * (1 + band)
    return population / (1 + band), population * (1 + band)


def _pct(band: float) -> str:
    return f"±{band * 100:.0f} %".replace(" %", "\u202f%")


def _int(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def density(frame: pd.DataFrame) -> pd.Series:
    """Inhabitants per km² (empty where the area is unknown or zero)."""
    area = frame["area_km2"].astype(float)
    return frame["population"].astype(float) / area.where(area > 0)


def rurality(frame: pd.DataFrame) -> pd.Series:
    """Rural share of a territory: its rural population share, or for a commune 1 if rural else 0."""
    share = frame["rural_population_share"].astype(float) if "rural_population_share" in frame else None
    own = (frame["typology"] == "rural").astype(float)
    return own if share is None else share.fillna(own)


def _band_mask(pop: np.ndarray, population: float, band: float) -> np.ndarray:
    low, high = band_bounds(population, band)
    return (pop >= low) & (pop <= high)


def _plural(count: int, level: str) -> str:
    return f"{count} {LEVEL_PLURALS.get(level, level) if count > 1 else LEVEL_SINGULARS.get(level, level)}"


def select_peers(
    candidates: pd.DataFrame, target: dict, criteria: PeerCriteria = PeerCriteria(), min_size: int = MIN_PEERS
) -> PeerGroup:
    """Peers of target among candidates (same level), widened step by step until at least min_size.

    Widening keeps the group as alike as possible: first the population band widens (±50 % → ±100 %
    → ±200 % → ±400 %), then the typology criterion is dropped (band back to its narrowest sufficient
    width), then the région restriction, and last every territory of the level is taken.
    """
    level = target["level"]
    plural = LEVEL_PLURALS.get(level, level)
    ok = (candidates["level"] == level).to_numpy() & (candidates["id"] != target["id"]).to_numpy()
    pop = candidates["population"].to_numpy(dtype=float, na_value=np.nan)
    typology_ok = (candidates["typology"] == target.get("typology")).to_numpy()
    region_ok = (candidates["region_code"] == target.get("region_code")).to_numpy()
    want_region = criteria.same_region and level not in ("region", "pays")
    notes: list[str] = []
    min_size = min(min_size, int(ok.sum()))

    if criteria.mode == "k":
        k = criteria.k
        if k < min_size:
            notes.append(f"k = {k} est trop petit pour une comparaison honnête : porté à {min_size}.")
            k = min_size
        mask = ok & region_ok if want_region else ok
        if want_region and mask.sum() < k:
            notes.append(
                f"Seulement {_plural(int(mask.sum()), level)} dans la même région : "
                "la recherche des plus proches s'étend à toute la France."
            )
            want_region = False
            mask = ok
        chosen = _nearest(candidates[ok | (candidates["id"] == target["id"]).to_numpy()], target, candidates[mask], k)
        criteria_text = [
            f"Même niveau ({plural})",
            (
                f"Les {len(chosen)} {plural} les plus proches en population, densité et ruralité"
                " (écarts standardisés ; population et densité en logarithme)"
            ),
        ]
        if want_region:
            criteria_text.append("Même région")
        return PeerGroup(
            chosen, criteria_text, notes, {"mode": "k", "k": k, "same_region": want_region, "same_typology": False}
        )

    population = float(target.get("population") or 0)
    steps = [criteria.band, *[b for b in BAND_STEPS if b > criteria.band], None]
    layers = [(criteria.same_typology, want_region)]
    if criteria.same_typology:
        layers.append((False, want_region))
    if want_region:
        layers.append((False, False))
    chosen_mask, chosen = None, None
    for typology, region in layers:
        for band in steps:
            mask = ok.copy()
            if band is not None:
                mask &= _band_mask(pop, population, band)
            if typology:
                mask &= typology_ok
            if region:
                mask &= region_ok
            if mask.sum() >= min_size:
                chosen_mask, chosen = mask, (typology, region, band)
                break
        if chosen:
            break
    if chosen is None:  # fewer territories than MIN_PEERS in the whole level
        chosen_mask, chosen = ok, (False, False, None)
    typology, region, band = chosen
    if (typology, region, band) != (criteria.same_typology, want_region, criteria.band):
        base = ok & _band_mask(pop, population, criteria.band)
        if criteria.same_typology:
            base &= typology_ok
        if want_region:
            base &= region_ok
        how = []
        if band != criteria.band:
            how.append(
                f"fourchette de population élargie à {_pct(band)}"
                if band is not None
                else "critère de population abandonné"
            )
        if criteria.same_typology and not typology:
            how.append("critère de typologie abandonné")
        if want_region and not region:
            how.append("comparaison étendue à toute la France")
        notes.append(
            f"Groupe trop petit avec les critères demandés ({_plural(int(base.sum()), level)}, "
            f"minimum {min_size}) : " + ", ".join(how) + "."
        )

    criteria_text = [f"Même niveau ({plural})"]
    if typology:
        criteria_text.append(f"Même typologie ({TYPOLOGY_LABELS.get(target.get('typology'), '—')})")
    if band is not None:
        low, high = band_bounds(population, band)
        criteria_text.append(f"Population comparable ({_pct(band)} : de {_int(low)} à {_int(high)} habitants)")
    if region:
        criteria_text.append("Même région")
    members = candidates[chosen_mask].sort_values(["population", "id"], ascending=[False, True])
    return PeerGroup(
        members, criteria_text, notes, {"mode": "band", "band": band, "same_region": region, "same_typology": typology}
    )


def similarity_features(frame: pd.DataFrame) -> np.ndarray:
    """Raw features for "most similar": log-population, log-density, rurality (one row per territory)."""
    pop = np.log1p(frame["population"].astype(float).fillna(0).to_numpy())
    dens = np.log1p(density(frame).fillna(0).to_numpy())
    rur = rurality(frame).fillna(0).to_numpy()
    return np.column_stack([pop, dens, rur])


def _nearest(level_frame: pd.DataFrame, target: dict, pool: pd.DataFrame, k: int) -> pd.DataFrame:
    """The k territories of pool closest to target on features standardised over the whole level."""
    features = similarity_features(level_frame)
    mean, std = features.mean(axis=0), features.std(axis=0)
    std[std == 0] = 1.0
    me = (similarity_features(pd.DataFrame([target])) - mean) / std
    theirs = (similarity_features(pool) - mean) / std
    distance = np.sqrt(((theirs - me) ** 2).sum(axis=1))
    ranked = pool.assign(distance=distance).sort_values(["distance", "id"], kind="stable")
    return ranked.head(k)


# --- statistics -------------------------------------------------------------------------------------


def quantiles(matrix: np.ndarray, probs=(0.25, 0.5, 0.75)) -> tuple[np.ndarray, np.ndarray]:
    """Per-column linear quantiles ignoring NaN, and the count of values per column (vectorised)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    ordered = np.sort(matrix, axis=0)  # NaN sort last
    counts = (~np.isnan(matrix)).sum(axis=0)
    out = np.full((len(probs), matrix.shape[1]), np.nan)
    has = counts > 0
    for i, p in enumerate(probs):
        pos = p * (counts - 1).clip(min=0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, (counts - 1).clip(min=0))
        frac = pos - lo
        rows = np.arange(matrix.shape[1])
        if matrix.shape[0] == 0:
            continue
        a, b = ordered[lo, rows], ordered[hi, rows]
        out[i] = np.where(has, a + (b - a) * frac, np.nan)
    return out, counts


def compare(
    own: np.ndarray, peers: np.ndarray, direction_down: np.ndarray, percentage: np.ndarray | None = None
) -> pd.DataFrame:
    """Compare the territory's values (one per indicator) with its peers' (rows = peers), all at once.

    Returns per indicator: n (peers with a value), q1, median, q3, better/equal/worse counts (better:
    peers the territory does better than, direction-aware), rank (1 = best, ties share the best rank),
    percentile (mid-rank, 0–100, 100 = best), gap to the median, whether the gap is favourable and
    whether it is flagged (percentages beyond GAP_FLAG_POINTS points, other kinds outside the quartiles).
    """
    own = np.asarray(own, dtype=float).ravel()
    peers = np.asarray(peers, dtype=float).reshape(-1, own.size)
    down = np.asarray(direction_down, dtype=bool).ravel()
    pct = np.zeros(own.size, dtype=bool) if percentage is None else np.asarray(percentage, dtype=bool).ravel()
    (q1, median, q3), n = quantiles(peers)
    sign = np.where(down, -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        valid = ~np.isnan(peers)
        beats = ((peers * sign) < (own * sign)) & valid
        ties = (peers == own) & valid
    better = beats.sum(axis=0)
    equal = ties.sum(axis=0)
    worse = n - better - equal
    known = ~np.isnan(own) & (n > 0)
    gap = own - median
    percentile = np.where(known, 100.0 * (better + 0.5 * equal) / np.maximum(n, 1), np.nan)
    flagged = np.where(pct, np.abs(gap) > GAP_FLAG_POINTS, (own < q1) | (own > q3))
    result = pd.DataFrame(
        {
            "n": n,
            "q1": q1,
            "median": median,
            "q3": q3,
            "better": np.where(known, better, 0),
            "equal": np.where(known, equal, 0),
            "worse": np.where(known, worse, 0),
            "rank": np.where(known, worse + 1, np.nan),
            "out_of": n + 1,
            "percentile": percentile,
            "gap": np.where(known, gap, np.nan),
            "favourable": np.where(known, gap * sign > 0, False),
            "flagged": np.where(known, flagged, False),
        }
    )
    return result


def plain_rank(better: int, equal: int, n: int) -> str:
    """The rank in plain French: « mieux que 7 territoires comparables sur 10 » (ties said apart)."""
    if n == 0:
        return "aucun territoire comparable n'a de valeur"
    if n < 10:
        text = (
            f"mieux que {better} des {n} territoires comparables"
            if better
            else f"mieux qu'aucun des {n} territoires comparables"
        )
        return text + (f", à égalité avec {equal}" if equal else "")
    tenths, tied = round(10 * better / n), round(10 * equal / n)
    if better == 0:
        text = "mieux qu'aucun territoire comparable"
    elif tenths == 0:
        text = "mieux que moins d'un territoire comparable sur 10"
    elif tenths == 1:
        text = "mieux qu'un territoire comparable sur 10"
    else:
        text = f"mieux que {tenths} territoires comparables sur 10"
    if equal and tied == 0:
        return text + ", à égalité avec moins d'un sur 10"
    return text + (f", à égalité avec {tied} sur 10" if tied else "")
