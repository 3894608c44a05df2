"""Answers as JSON or French CSV: plain values out of pandas, French headers, decimal comma, UTF-8 BOM."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

# API field → French CSV header (a field not named here keeps its own name, which is already French or a code).
HEADERS = {
    "code": "Code",
    "title": "Intitulé",
    "name": "Nom",
    "axis_code": "Axe",
    "axis_title": "Axe (intitulé)",
    "measure": "Mesure",
    "measure_code": "Mesure",
    "indicator": "Code indicateur",
    "indicator_code": "Code indicateur",
    "indicateur": "Code indicateur",
    "territoire": "Identifiant du territoire",
    "nom": "Territoire",
    "niveau": "Niveau",
    "periode": "Période",
    "type": "Type de valeur",
    "valeur": "Valeur",
    "numerateur": "Numérateur",
    "denominateur": "Dénominateur",
    "source": "Source",
    "commentaire": "Commentaire",
    "demo": "Démonstration",
    "version": "Version",
    "modifie_le": "Mis à jour le",
    "rate": "Avancement (%)",
    "status": "Statut",
    "status_label": "Statut (libellé)",
    "expected_rate": "Attendu (%)",
    "gap_points": "Écart (points)",
    "reason": "Explication",
    "last_data": "Dernière donnée",
    "no_recent_data": "Sans données récentes",
    "is_demo": "Démonstration",
    "unit": "Unité",
    "kind": "Nature",
    "direction": "Sens",
    "period": "Période",
    "value": "Valeur",
    "value_basis": "Valeur comparée",
    "basis_label": "Base de comparaison",
    "n": "Pairs (n)",
    "q1": "Premier quartile",
    "median": "Médiane des pairs",
    "q3": "Troisième quartile",
    "rank": "Rang",
    "out_of": "Sur",
    "percentile": "Centile",
    "better": "Pairs mieux placés",
    "equal": "Pairs à égalité",
    "worse": "Pairs moins bien placés",
    "gap": "Écart",
    "favourable": "Favorable",
    "flagged": "Signalé",
    "plain": "En clair",
    "prev_period": "Période précédente",
    "prev_value": "Valeur précédente",
    "trend": "Tendance",
    "prev_median": "Médiane précédente",
    "peer_trend": "Tendance des pairs",
    "source_title": "Source",
    "available": "Disponible",
    "id": "Identifiant",
    "address": "Adresse",
    "postal_code": "Code postal",
    "commune_code": "Code commune (INSEE)",
    "commune_name": "Commune",
    "departement_code": "Département",
    "region_code": "Région",
    "epci_siren": "EPCI (SIREN)",
    "lat": "Latitude",
    "lon": "Longitude",
    "types": "Types",
    "labels": "Labels",
    "opened_on": "Ouverture",
    "closed_on": "Fermeture",
    "attested_on": "Attesté le",
    "legal_form": "Forme juridique",
    "in_qpv": "En QPV",
    "website": "Site web",
    "is_open": "Ouvert",
    "typology": "Typologie",
    "share": "Part couverte (%)",
    "population": "Population",
    "covered_population": "Population couverte",
    "epci_name": "EPCI",
    "gain": "Habitants gagnés",
    "communes_gained": "Communes gagnées",
    "communes": "Communes",
    "territory_id": "Identifiant du territoire",
    "weight": "Poids",
    "current": "Valeur actuelle",
    "initial": "Valeur initiale",
    "target": "Cible",
    "target_period": "Période cible",
    "expected_value": "Valeur attendue",
    "pace_per_quarter": "Rythme par trimestre",
    "publisher": "Éditeur",
    "published_on": "Date",
    "licence": "Licence",
    "method": "Méthode",
    "delay_days": "Délai de remontée (jours)",
    "contact": "Contact des données",
    "contact_confirmed": "Contact confirmé",
    "url": "Adresse web",
}


def plain(value):
    """A JSON-ready value: None for NaN/NaT, ISO dates, Python numbers, lists for arrays."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (pd.Timestamp, datetime)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of a frame as plain dicts."""
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def json_bytes(data) -> bytes:
    """UTF-8 JSON of plain data (NaN become null)."""
    return json.dumps(plain(data), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _neutralise(cell):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _cell(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return _neutralise(value)
    return value


def csv_bytes(rows: list[dict]) -> bytes:
    """French CSV of plain rows: ';' separator, decimal comma, French headers, UTF-8 with BOM, oui/non."""
    frame = pd.DataFrame([{k: _cell(v) for k, v in row.items()} for row in rows])
    frame = frame.rename(columns={c: HEADERS.get(c, c) for c in frame.columns})
    return frame.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")
