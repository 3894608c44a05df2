"""Typology of communes: INSEE density grid (DENS7), attraction areas (CATEAAV2020), and classes.

When the official INSEE files are not loaded, an approximation from the commune's density and its
distance to large poles stands in; it is flagged "approché" wherever it shows.
"""

from __future__ import annotations

import numpy as np

DENS7_LABELS = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Petites villes",
    4: "Ceintures urbaines",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
CATEAAV_LABELS = {
    11: "Commune-centre d'un pôle",
    12: "Autre commune d'un pôle",
    13: "Commune d'un pôle secondaire",
    20: "Couronne d'un pôle",
    30: "Hors attraction des villes",
}
TYPOLOGY_LABELS = {"urbain": "Urbain", "periurbain": "Périurbain", "rural": "Rural"}
RURAL_DENS7 = (5, 6, 7)

# Approximation thresholds (inhabitants per km², inhabitants, km), in one place so they can be shown.
APPROX = {
    "grand_centre_densite": 1500,
    "grand_centre_population": 10000,
    "centre_intermediaire_densite": 300,
    "centre_intermediaire_population": 5000,
    "petite_ville_densite": 200,
    "petite_ville_population": 2000,
    "ceinture_densite": 200,
    "ceinture_km": 20,
    "bourg_densite": 40,
    "dispersé_densite": 15,
    "grand_pole_population": 50000,
    "pole_population": 10000,
    "pole_densite": 300,
    "couronne_grand_pole_km": 30,
    "couronne_pole_km": 12,
}
EARTH_KM = 6371.0


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (haversine), broadcasting over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _unit_vectors(lat, lon):
    """Points on the unit sphere, one row per (lat, lon) in degrees."""
    p, lmb = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lmb), np.cos(p) * np.sin(lmb), np.sin(p)])


def _nearest_km(lat, lon, mask):
    """Distance from every point to the nearest point selected by mask (inf if none)."""
    if not mask.any():
        return np.full(lat.shape, np.inf)
    # The nearest point on a sphere is the one with the largest dot product: one matrix product instead
    # of a haversine per pair (the build's slowest step), then the arc from that cosine.
    points, poles = _unit_vectors(lat, lon), _unit_vectors(lat[mask], lon[mask])
    best = np.full(lat.shape, -1.0)
    for start in range(0, len(poles), 1024):  # chunks keep memory flat
        best = np.maximum(best, (points @ poles[start : start + 1024].T).max(axis=1))
    return EARTH_KM * np.arccos(np.clip(best, -1.0, 1.0))


def approximate(population, area_km2, lat, lon):
    """Approximate DENS7 and CATEAAV2020 for communes from density and distance to poles."""
    population = np.asarray(population, dtype=float)
    area = np.asarray(area_km2, dtype=float)
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    density = np.where(area > 0, population / np.where(area > 0, area, 1), 0.0)
    a = APPROX
    big_pole = population >= a["grand_pole_population"]
    pole = big_pole | ((population >= a["pole_population"]) & (density >= a["pole_densite"]))
    to_big_pole = _nearest_km(lat, lon, big_pole)
    near_big = to_big_pole <= a["ceinture_km"]

    dens7 = np.full(population.shape, 7, dtype=np.int8)
    dens7[density >= a["dispersé_densite"]] = 6
    dens7[density >= a["bourg_densite"]] = 5
    dens7[(density >= a["petite_ville_densite"]) & (population >= a["petite_ville_population"])] = 3
    dens7[(density >= a["ceinture_densite"]) & near_big & (population < a["centre_intermediaire_population"])] = 4
    dens7[(density >= a["centre_intermediaire_densite"]) & (population >= a["centre_intermediaire_population"])] = 2
    dens7[(density >= a["grand_centre_densite"]) & (population >= a["grand_centre_population"])] = 1

    in_crown = (to_big_pole <= a["couronne_grand_pole_km"]) | (
        _nearest_km(lat, lon, pole & ~big_pole) <= a["couronne_pole_km"]
    )
    cateaav = np.where(pole, np.where(big_pole, 11, 12), np.where(in_crown, 20, 30)).astype(np.int8)
    return dens7, cateaav


def typology_class(dens7, cateaav):
    """Urbain / périurbain / rural: rural is DENS7 5–7 (INSEE), périurbain a non-rural crown commune."""
    dens7 = np.asarray(dens7)
    cateaav = np.asarray(cateaav)
    return np.where(np.isin(dens7, RURAL_DENS7), "rural", np.where(cateaav == 20, "periurbain", "urbain"))
