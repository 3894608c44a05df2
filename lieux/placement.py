"""Which commune a lieu is in: from its INSEE code, postal code and name, and coordinates, weighed together.

Real files are dirty (codes missing, `0`, `#N/D`, without their leading zero; names with odd spacing),
so every rule is tried in turn and the one that placed the row is recorded as placement_rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lieux import coverage, outlines
from territories.codes import MISSING, clean_code, read_commune_code
from territories.names import normalize

RULE_LABELS = {
    "code_insee": "code INSEE",
    "code_insee_complete": "code INSEE (zéro initial rétabli)",
    "code_arrondissement": "code d'arrondissement municipal (commune de rattachement)",
    "code_ancien": "code d'une commune fusionnée depuis (commune nouvelle)",
    "code_postal_nom": "code postal et nom de commune",
    "code_postal_unique": "code postal (une seule commune)",
    "coordonnees_contour": "coordonnées (contour de la commune)",
    "coordonnees": "coordonnées (centre de commune le plus proche, faute de contour)",
    "saisie": "saisie",
    "démo": "démonstration",
}
# France (métropole and the five DROM) as boxes; a metropolitan point also needs a commune centre within
# METRO_MAX_KM, which rejects Barcelona or Turin although they fall inside the metropolitan box.
FRANCE_BOXES = {
    "métropole": (41.3, 51.2, -5.3, 9.7),
    "Guadeloupe": (15.8, 16.6, -61.9, -60.9),
    "Martinique": (14.3, 14.95, -61.3, -60.75),
    "Guyane": (2.0, 5.9, -54.7, -51.5),
    "La Réunion": (-21.45, -20.8, 55.15, 55.9),
    "Mayotte": (-13.1, -12.55, 44.9, 45.35),
}
METRO_MAX_KM = 25.0


def parse_number(raw) -> float | None:
    """A coordinate from '48,95', ' 48.95 ', '#N/D' or '' (None when missing)."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)):
        return None if np.isnan(raw) else float(raw)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if text.upper() in MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def in_france_box(lat: float, lon: float) -> str | None:
    """The part of France whose box holds the point, or None."""
    for name, (la0, la1, lo0, lo1) in FRANCE_BOXES.items():
        if la0 <= lat <= la1 and lo0 <= lon <= lo1:
            return name
    return None


@dataclass
class Placement:
    commune_code: str | None
    rule: str | None
    problem: str | None = None  # why it could not be placed (the row is listed, not imported)
    error: str | None = None  # a fault in the row (the import stops)
    note: str | None = None  # how a written code was read ('75119 (arrondissement municipal) → 75056')
    review: str | None = None  # placed, but the evidence disagrees: listed "à vérifier" with this reason


class Resolver:
    """Places rows on communes; built once per import from the territory table."""

    def __init__(self, communes: pd.DataFrame):
        self.communes = communes.reset_index(drop=True)
        self.codes = set(self.communes["code"])
        self.by_postal_name: dict[tuple[str, str], list[str]] = {}
        self.by_postal: dict[str, list[str]] = {}
        self.postals_of: dict[str, set[str]] = {}
        self.names = dict(zip(self.communes["code"], self.communes["name"])) if "name" in self.communes else {}
        for code, name, postals in zip(
            *(self.communes[c].to_numpy(dtype=object) for c in ("code", "search_name", "postal_codes"))
        ):
            for postal in postals if postals is not None else []:
                self.by_postal_name.setdefault((postal, name), []).append(code)
                self.by_postal.setdefault(postal, []).append(code)
                self.postals_of.setdefault(code, set()).add(postal)
        located = self.communes[self.communes["lat"].notna()]
        self._xyz = coverage.to_xyz(located["lat"], located["lon"])
        self._located_codes = located["code"].to_numpy(dtype=object)

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest commune centre (code, km) of every point; a grid search widened until all are found."""
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        codes = np.full(len(lat), None, dtype=object)
        dist = np.full(len(lat), np.inf)
        points = coverage.to_xyz(lat, lon)
        todo = np.arange(len(lat))
        for km in (15.0, 60.0, 250.0, 1000.0):
            if len(todo) == 0:
                break
            ia, ib = coverage.pairs_within(points[todo], self._xyz, km)
            if len(ia):
                chord = np.sqrt(((points[todo][ia] - self._xyz[ib]) ** 2).sum(axis=1))
                order = np.lexsort((chord, ia))
                first = np.unique(ia[order], return_index=True)[1]
                rows, best = ia[order][first], order[first]
                codes[todo[rows]] = self._located_codes[ib[best]]
                dist[todo[rows]] = (
                    2 * coverage.EARTH_KM * np.arcsin(np.clip(chord[best] / (2 * coverage.EARTH_KM), 0, 1))
                )
                todo = np.setdiff1d(todo, todo[rows])
        return codes, dist

    def _point_communes(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For located points: the commune whose outline holds it (None if none), the nearest centre, its km."""
        inside = outlines.containing(lat, lon) if outlines.available() else np.full(len(lat), None, dtype=object)
        nearest, km = self.nearest(lat, lon) if len(lat) else (np.array([], dtype=object), np.array([]))
        return inside, nearest, km

    def _label(self, code: str) -> str:
        return f"{self.names.get(code, '?')} ({code})"

    def place(self, codes: list, postals: list, names: list, lats: list, lons: list) -> list[Placement]:
        """Placement of every row from its three kinds of evidence (code, postal code and name, coordinates).

        Coordinates are read by the outline that contains them (the nearest centre only when no outline
        does). When the evidence disagrees, the commune named by two of the three wins (a geocoded point
        inside an outline, against a code alone); the row is placed and flagged for review with the reason.
        """
        lat = np.array([parse_number(v) for v in lats], dtype=float)
        lon = np.array([parse_number(v) for v in lons], dtype=float)
        known = ~(np.isnan(lat) | np.isnan(lon)) & ~((lat == 0) & (lon == 0))  # 0/0 is a blank cell
        idx = np.nonzero(known)[0]
        inside, nearest, km = self._point_communes(lat[idx], lon[idx])
        where = {int(i): j for j, i in enumerate(idx)}
        out: list[Placement] = []
        for i, (raw_code, raw_postal, raw_name) in enumerate(zip(codes, postals, names)):
            reading = read_commune_code(raw_code, self.codes)
            postal, _ = clean_code(raw_postal)
            by_postal, postal_rule = self._by_postal(postal, commune_name_key(raw_name))
            point, point_rule = None, None
            if i in where:
                j = where[i]
                box = in_france_box(lat[i], lon[i])
                if box is None or (box == "métropole" and km[j] > METRO_MAX_KM and inside[j] is None):
                    out.append(
                        Placement(
                            None,
                            None,
                            error=(
                                f"coordonnées hors de France ({lat[i]:.5f}, {lon[i]:.5f}) : vérifiez la latitude et la "
                                "longitude (inversées ? signe oublié ?) ou videz-les"
                            ),
                        )
                    )
                    continue
                point, point_rule = (inside[j], "coordonnees_contour") if inside[j] else (nearest[j], "coordonnees")
            out.append(self._decide(reading, postal, by_postal, postal_rule, point, point_rule, raw_code, raw_postal))
        return out

    def _by_postal(self, postal: str | None, name: str) -> tuple[str | None, str | None]:
        if not postal:
            return None, None
        match = self.by_postal_name.get((postal, name), []) if name else []
        if len(match) == 1:
            return match[0], "code_postal_nom"
        only = self.by_postal.get(postal, [])
        if len(only) == 1 and not match:
            return only[0], "code_postal_unique"
        return None, None

    def _decide(self, reading, postal, by_postal, postal_rule, point, point_rule, raw_code, raw_postal) -> Placement:
        """The commune the evidence points to, and the reason to review it when the evidence disagrees."""
        if reading.code:
            rule = (
                "code_arrondissement"
                if reading.former_kind == "arrondissement"
                else "code_ancien"
                if reading.former_kind
                else "code_insee_complete"
                if reading.zero_restored
                else "code_insee"
            )
            chosen, note = reading.code, reading.note
        elif by_postal:
            chosen, rule, note = by_postal, postal_rule, None
        elif point:
            review = (
                None
                if point_rule == "coordonnees_contour"
                else ("coordonnées hors de tout contour communal : placé au centre de commune le plus proche")
            )
            return Placement(point, point_rule, review=review)
        else:
            return Placement(None, None, problem=_why_unplaced(raw_code, raw_postal))
        postal_of = self.postals_of
        if point and point != chosen:
            postal_backs_point = (
                bool(postal) and postal in postal_of.get(point, ()) and postal not in postal_of.get(chosen, ())
            )
            said = f"le code commune {reading.written}" if reading.code else f"le code postal {postal}"
            if point_rule == "coordonnees_contour" and (postal_backs_point or not reading.code):
                return Placement(
                    point,
                    point_rule,
                    note=note,
                    review=(
                        f"{said} désigne {self._label(chosen)}, mais les coordonnées tombent dans "
                        f"{self._label(point)}"
                        + (f", comme le code postal {postal}" if postal_backs_point else "")
                        + " : placé selon les coordonnées"
                    ),
                )
            return Placement(
                chosen,
                rule,
                note=note,
                review=(
                    f"les coordonnées tombent dans {self._label(point)}, pas dans {self._label(chosen)} désignée par "
                    f"{said} : placé selon le code"
                ),
            )
        if reading.code and postal and postal_of.get(chosen) and postal not in postal_of[chosen]:
            return Placement(
                chosen,
                rule,
                note=note,
                review=(
                    f"le code postal {postal} n'est pas celui de {self._label(chosen)} "
                    f"({', '.join(sorted(postal_of[chosen]))})"
                ),
            )
        return Placement(chosen, rule, note=note)


def commune_name_key(raw) -> str:
    """A commune name as the territory table searches it ('ST DENIS ' → 'saint denis')."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip().upper() in MISSING:
        return ""
    words = f" {normalize(str(raw))} "
    for short, full in ((" st ", " saint "), (" ste ", " sainte ")):
        words = words.replace(short, full)
    return words.strip()


def _why_unplaced(raw_code, raw_postal) -> str:
    code, _ = clean_code(raw_code)
    postal, _ = clean_code(raw_postal)
    parts = [
        f"code commune « {code} » inconnu" if code else "code commune absent",
        f"code postal « {postal} » sans commune de ce nom" if postal else "code postal absent",
        "coordonnées absentes",
    ]
    return ", ".join(parts)
