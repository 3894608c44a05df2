"""CSV downloads in French: the data behind a table, with French headers and labels instead of codes."""

from __future__ import annotations

import pandas as pd

from formatting import french as fmt
from indicators.models import VALUE_KIND_LABELS
from plan.models import METEO_LABELS, STATUS_LABELS
from plan.thresholds import COMPUTED_STATUS_LABELS
from territories.levels import LABELS as LEVEL_LABELS
from territories.typology import TYPOLOGY_LABELS

# Raw column → French header. A column not named here is not exported (no English header reaches a user).
HEADERS = {
    "code": "Code",
    "measure_code": "Mesure",
    "title": "Intitulé",
    "axis_code": "Axe",
    "axis_title": "Axe (intitulé)",
    "territory_id": "Identifiant du territoire",
    "territory_name": "Territoire",
    "name": "Nom",
    "indicator_code": "Code indicateur",
    "indicator_name": "Indicateur",
    "level": "Niveau",
    "computed_status": "Statut calculé",
    "status": "Statut",
    "declared_status": "Statut déclaré",
    "meteo": "Météo",
    "rate": "Avancement (%)",
    "expected_rate": "Attendu (%)",
    "projected_rate": "Projeté (%)",
    "gap_points": "Écart (points)",
    "gap": "Écart",
    "trend": "Tendance",
    "reason": "Explication",
    "pilot_org": "Pilote",
    "pilot_people": "Pilotes (personnes)",
    "last_date": "Dernière donnée",
    "stale": "Sans données récentes",
    "main_indicator": "Indicateur principal",
    "serie": "Série",
    "period": "Période",
    "period_type": "Type de période",
    "date": "Date",
    "year": "Année",
    "kind": "Type de valeur",
    "value": "Valeur",
    "numerator": "Numérateur",
    "denominator": "Dénominateur",
    "reported": "Territoires ayant répondu",
    "expected": "Territoires attendus",
    "expected_count": "Territoires attendus",
    "source_title": "Source",
    "source": "Source",
    "source_code": "Code source",
    "source_level": "Niveau d'origine",
    "comment": "Commentaire",
    "planned_eur": "Prévu (€)",
    "actual_eur": "Réalisé (€)",
    "changed_at": "Date",
    "author": "Auteur",
    "typology": "Typologie",
    "peer_median": "Médiane des pairs",
    "peer_n": "Pairs (n)",
    "latest": "Dernière valeur",
    "due": "Attendue jusqu'au",
    "computed_from": "Origine",
    "start_date": "Début",
    "end_date": "Fin",
    "updated_at": "Mis à jour le",
    "is_demo": "Démonstration",
}
INDICATOR_KIND_LABELS = {
    "count": "effectif",
    "percentage": "pourcentage",
    "ratio": "ratio",
    "score": "score",
    "amount_eur": "montant en euros",
}
DIRECTION_LABELS = {"up": "plus haut = mieux", "down": "plus bas = mieux"}
AGG_LABELS = {
    "sum": "somme",
    "ratio_of_sums": "rapport des sommes",
    "last": "dernière valeur",
    "mean": "moyenne",
    "none": "aucune",
    "max": "maximum",
    "min": "minimum",
}
ORIGIN_LABELS = {"saisie": "saisie", "registre": "registre des lieux"}
# Code columns shown as their French labels.
LABELS = {
    "computed_status": COMPUTED_STATUS_LABELS,
    "status": {**STATUS_LABELS, **COMPUTED_STATUS_LABELS},
    "declared_status": STATUS_LABELS,
    "meteo": METEO_LABELS,
    "kind": {**VALUE_KIND_LABELS, **INDICATOR_KIND_LABELS},
    "typology": TYPOLOGY_LABELS,
    "level": LEVEL_LABELS,
    "source_level": LEVEL_LABELS,
    "trend": {"hausse": "en hausse", "stable": "stable", "baisse": "en baisse"},
    "computed_from": ORIGIN_LABELS,
    "direction": DIRECTION_LABELS,
}
PEOPLE = ("author",)


def french_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The raw rows of a table with French headers, French labels for codes and named authors."""
    out = {}
    for column in frame.columns:
        header = HEADERS.get(column)
        if header is None or header in out:
            continue
        values = frame[column]
        if column in LABELS:
            labels = LABELS[column]
            values = values.map(lambda v, labels=labels: labels.get(v, v) if isinstance(v, str) else v)
        elif column in PEOPLE:
            values = values.map(fmt.actor)
        out[header] = values
    return pd.DataFrame(out)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A French CSV of raw rows (headers and labels translated, numbers rounded, oui/non)."""
    return fmt.csv_bytes(french_frame(frame))
