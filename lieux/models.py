"""Pydantic models of the registry: a lieu as submitted (LieuIn) and as stored (Lieu)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from intake.text import check_text


class LieuType(StrEnum):
    coworking = "coworking"
    fablab = "fablab"
    atelier_partage = "atelier_partage"
    culturel = "culturel"
    nourricier = "nourricier"
    living_lab = "living_lab"
    espace_numerique = "espace_numerique"
    autre = "autre"


class Label(StrEnum):
    fabrique_territoire = "fabrique_territoire"
    fabrique_numerique = "fabrique_numerique"
    manufacture_proximite = "manufacture_proximite"


TYPE_LABELS = {
    "coworking": "Coworking",
    "fablab": "Fablab",
    "atelier_partage": "Atelier partagé",
    "culturel": "Culturel",
    "nourricier": "Nourricier",
    "living_lab": "Living lab",
    "espace_numerique": "Espace numérique",
    "autre": "Autre",
}
LABEL_LABELS = {
    "fabrique_territoire": "Fabrique de territoire",
    "fabrique_numerique": "Fabrique numérique de territoire",
    "manufacture_proximite": "Manufacture de proximité",
}
FIRST_LABEL_YEAR, LAST_LABEL_YEAR = 2019, 2100  # the labels date from 2019
_SPACES = re.compile(r"\s+")
_POSTAL = re.compile(r"^\d{5}$")
_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def clean_text(text: str | None) -> str | None:
    """Collapse odd spacing (tabs, double or no-break spaces) and trim; empty → None."""
    if text is None:
        return None
    text = _SPACES.sub(" ", str(text).replace("\u00a0", " ").replace("\u202f", " ")).strip()
    return text or None


# A place known only from an attestation (a census, with no opening date) counts as open for this many
# calendar years after the year of its last attestation; after that it is "non confirmé" and counted apart
# until someone confirms it (new attestation, opening date) or records its closure. A place with an
# opening date entered in the registry is kept by its coordinators and counts until it is closed.
ATTESTATION_YEARS = 3


class LieuIn(BaseModel):
    """A lieu as submitted by a form, a command or an import line."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=300)
    address: str | None = Field(default=None, max_length=500)
    postal_code: str | None = None
    commune_code: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    types: list[LieuType] = Field(default_factory=list)
    labels: dict[Label, int] = Field(default_factory=dict)  # label -> year
    opened_on: date | None = None
    closed_on: date | None = None
    attested_on: date | None = None
    legal_form: str | None = Field(default=None, max_length=100)
    in_qpv: bool | None = None
    website: str | None = Field(default=None, max_length=500)
    source: str = Field(default="saisie", min_length=1, max_length=200)
    source_id: str | None = Field(default=None, max_length=200)
    placement_rule: str | None = None
    review_reason: str | None = Field(default=None, max_length=2000)  # "à vérifier": why, or None

    @field_validator("name", "address", "legal_form", "website", mode="before")
    @classmethod
    def _spacing(cls, text):
        return clean_text(check_text(text)) if isinstance(text, str) else text

    @field_validator("source", "source_id")
    @classmethod
    def _no_formula(cls, text: str | None) -> str | None:
        return check_text(text)

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, code: str | None) -> str | None:
        if code and not _POSTAL.match(code):
            raise ValueError(f"code postal « {code} » invalide : 5 chiffres attendus")
        return code or None

    @field_validator("commune_code")
    @classmethod
    def _commune(cls, code: str | None) -> str | None:
        if code:
            code = code.upper()
            if not _COMMUNE.match(code):
                raise ValueError(f"code commune « {code} » invalide : code INSEE à 5 caractères attendu")
        return code or None

    @field_validator("types")
    @classmethod
    def _unique_types(cls, types: list[LieuType]) -> list[LieuType]:
        return list(dict.fromkeys(types))

    @field_validator("labels")
    @classmethod
    def _label_years(cls, labels: dict[Label, int]) -> dict[Label, int]:
        for label, year in labels.items():
            if not FIRST_LABEL_YEAR <= year <= LAST_LABEL_YEAR:
                raise ValueError(
                    f"année de label {year} invalide pour {LABEL_LABELS[label]} (les labels datent de 2019 ou après)"
                )
        return labels

    @model_validator(mode="after")
    def _consistent(self) -> LieuIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("latitude et longitude vont ensemble : renseignez les deux ou aucune")
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            raise ValueError("la date de fermeture précède la date d'ouverture")
        if self.closed_on and self.closed_on > date.today():
            raise ValueError("la date de fermeture est dans le futur : fermez le lieu une fois fermé")
        return self


class Lieu(LieuIn):
    """A lieu as stored, with its identity and version (for stale-update checks)."""

    id: str
    is_demo: bool = False
    version: int = 1
    updated_by: str | None = None
