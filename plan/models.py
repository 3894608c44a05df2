"""Pydantic models of the action plan: axes, measures and their indicators."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Status(StrEnum):
    a_venir = "a_venir"
    en_cours = "en_cours"
    realise = "realise"
    en_pause = "en_pause"
    abandonne = "abandonne"
    bloque = "bloque"
    en_retard = "en_retard"
    a_discuter = "a_discuter"


class Meteo(StrEnum):
    soleil = "soleil"
    couvert = "couvert"
    nuage = "nuage"
    orage = "orage"
    non_renseignee = "non_renseignee"


STATUS_LABELS = {
    "a_venir": "À venir",
    "en_cours": "En cours",
    "realise": "Réalisé",
    "en_pause": "En pause",
    "abandonne": "Abandonné",
    "bloque": "Bloqué",
    "en_retard": "En retard",
    "a_discuter": "À discuter",
}
METEO_LABELS = {
    "soleil": "Objectifs sécurisés",
    "couvert": "Objectifs atteignables",
    "nuage": "Appuis nécessaires",
    "orage": "Objectifs compromis",
    "non_renseignee": "Non renseignée",
}


class Axis(BaseModel):
    """An axis of the plan."""

    code: str = Field(pattern=r"^A\d+$")
    position: int
    title: str
    description: str | None = None


class MeasureIndicator(BaseModel):
    """An indicator attached to a measure, with its weight and the periods that count for it."""

    code: str
    weight: float = Field(default=0, ge=0)
    baseline_period: str | None = None
    target_period: str | None = None
    # For a flow (temporal_agg "sum"): the target counts every period ending on or after this date.
    cumulative_since: date | None = None


class Milestone(BaseModel):
    """A dated step of a measure."""

    on_date: date
    title: str
    done: bool = False


class Measure(BaseModel):
    """A measure of the plan."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(pattern=r"^M\d+(\.\d+)+$")
    axis: str
    parent_code: str | None = None
    title: str = Field(min_length=3)
    description: str | None = None
    pilot_org: str | None = None
    pilot_people: str | None = None
    elu_referent: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: Status = Status.a_venir
    meteo: Meteo = Meteo.non_renseignee
    budget_planned_eur: float | None = Field(default=None, ge=0)
    budget_actual_eur: float | None = Field(default=None, ge=0)
    source: str | None = None
    indicators: list[MeasureIndicator] = []
    milestones: list[Milestone] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> Measure:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("la date de fin précède la date de début")
        return self
