"""The registry in the national schema of lieux de médiation numérique (LaMednum, Table Schema 1.0.2): frame in, frame out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from formatting.french import number

SCHEMA_VERSION = "1.0.2"
SCHEMA_URL = "https://raw.githubusercontent.com/LaMednum/standard-mediation-num/v1.0.2/schema.json"
# Every column of the schema, in its order (the standard asks for all of them, empty or not).
COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]
TYPOLOGY = "TIERS_LIEUX"
# Carrefours holds no SIRET or RNA. The schema documents no placeholder for its required `pivot`; fourteen zeros
# is what the ANCT's national cartography (the schema's main consumer) writes for "identifiant inconnu", and it
# matches the schema's pattern. Said on the Données page and in the API description.
UNKNOWN_PIVOT = "00000000000000"
# Only the Fabriques de Territoire label is in the schema's closed list; the other two go to the free field.
LISTED_LABELS = {"fabrique_territoire": "Fabriques de Territoire"}
OTHER_LABELS = {
    "fabrique_numerique": "Fabrique numérique de territoire",
    "manufacture_proximite": "Manufacture de proximité",
}
# Why a lieu is left out, in the order the reasons are checked (a lieu counts once, for the first one).
REASONS = {
    "ferme": "fermé(s) ou à fermeture annoncée",
    "sans_adresse": "sans adresse (champ obligatoire du standard)",
    "sans_code_postal": "sans code postal à 5 chiffres (champ obligatoire)",
    "sans_commune": "sans commune connue (champ obligatoire)",
}
_POSTAL = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")


@dataclass
class MediationExport:
    """The lieux in the standard's columns, and how many were left out for each reason."""

    frame: pd.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def _text(value) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def _labels(labels, names: dict) -> str:
    held = [] if labels is None or (pd.api.types.is_scalar(labels) and pd.isna(labels)) else list(labels)
    return "|".join(names[label] for label in sorted(held) if label in names)


def _reason(row) -> str | None:
    if not row["is_open"]:
        return "ferme"
    if not _text(row["address"]):
        return "sans_adresse"
    if not _POSTAL.match(_text(row["postal_code"])):
        return "sans_code_postal"
    if not _text(row["commune_name"]):
        return "sans_commune"
    return None


def export(registry: pd.DataFrame) -> MediationExport:
    """Open lieux of the registry (as lieux.service.search gives it) in the standard's columns; the fields
    Carrefours does not hold (telephone, horaires, services…) are left empty."""
    reasons = registry.apply(_reason, axis=1) if len(registry) else pd.Series(dtype=object)
    kept = registry[reasons.isna()] if len(registry) else registry
    excluded = {key: int((reasons == key).sum()) for key in REASONS}
    out = pd.DataFrame({column: pd.Series([""] * len(kept), dtype=object) for column in COLUMNS})
    if len(kept):
        codes = kept["commune_code"].map(_text)
        out = out.assign(
            id=kept["id"].map(_text).to_numpy(),
            pivot=UNKNOWN_PIVOT,
            nom=kept["name"].map(_text).to_numpy(),
            commune=kept["commune_name"].map(_text).to_numpy(),
            code_postal=kept["postal_code"].map(_text).to_numpy(),
            code_insee=codes.where(codes.map(lambda c: bool(_INSEE.match(c))), "").to_numpy(),
            adresse=kept["address"].map(_text).to_numpy(),
            latitude=kept["lat"].map(lambda v: "" if pd.isna(v) else f"{float(v):.6f}").to_numpy(),
            longitude=kept["lon"].map(lambda v: "" if pd.isna(v) else f"{float(v):.6f}").to_numpy(),
            typologie=TYPOLOGY,
            site_web=kept["website"].map(_text).to_numpy(),
            source=kept["source"].map(_text).to_numpy(),
            date_maj=pd.to_datetime(kept["updated_at"]).dt.strftime("%Y-%m-%d").to_numpy(),
            formations_labels=kept["labels"].map(lambda v: _labels(v, LISTED_LABELS)).to_numpy(),
            autres_formations_labels=kept["labels"].map(lambda v: _labels(v, OTHER_LABELS)).to_numpy(),
        )
    return MediationExport(out[COLUMNS].reset_index(drop=True), excluded)


def to_csv(frame: pd.DataFrame) -> bytes:
    """The standard's file format: commas, decimal point, UTF-8 without BOM, every column present."""
    return frame[COLUMNS].to_csv(index=False).encode("utf-8")


def excluded_sentence(result: MediationExport) -> str:
    """In French, how many lieux were left out and why (for the page and the API)."""
    if not result.excluded_total:
        return "Aucun lieu écarté."
    parts = [f"{number(n)} {REASONS[key]}" for key, n in result.excluded.items() if n]
    return f"{number(result.excluded_total)} lieu(x) écarté(s) : " + " ; ".join(parts) + "."
