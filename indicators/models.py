"""Pydantic models of indicators and their values."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from indicators.periods import PeriodError, parse_period
from intake.text import check_text


class IndicatorKind(StrEnum):
    count = "count"
    amount_eur = "amount_eur"
    percentage = "percentage"
    ratio = "ratio"
    score = "score"


class Direction(StrEnum):
    up = "up"
    down = "down"


class TerritorialAgg(StrEnum):
    sum = "sum"
    ratio_of_sums = "ratio_of_sums"
    population_weighted_mean = "population_weighted_mean"
    min = "min"
    max = "max"
    none = "none"


class TemporalAgg(StrEnum):
    sum = "sum"
    last = "last"


class ValueKind(StrEnum):
    actual = "actual"
    target = "target"
    baseline = "baseline"


VALUE_KIND_LABELS = {"actual": "réalisé", "target": "cible", "baseline": "référence"}


class Indicator(BaseModel):
    """An indicator of the plan: what is measured, how it adds up over places and time."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")
    name: str = Field(min_length=3, max_length=200)
    unit: str
    kind: IndicatorKind
    direction: Direction = Direction.up
    territorial_agg: TerritorialAgg
    temporal_agg: TemporalAgg
    period_type: str = Field(pattern=r"^(year|quarter|month)$")
    per_inhabitants: int | None = None
    computed_from: str = Field(default="saisie", pattern=r"^(saisie|registre)$")
    source_code: str | None = None
    method: str | None = None


class ValueIn(BaseModel):
    """One value as submitted: checked for shape here, for scope and staleness by the service."""

    model_config = ConfigDict(str_strip_whitespace=True)

    indicator_code: str = Field(min_length=1, max_length=40)
    territory_id: str = Field(min_length=2, max_length=20)
    period: str
    kind: ValueKind = ValueKind.actual
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    source: str | None = Field(default=None, max_length=500)
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("source", "comment")
    @classmethod
    def _clean_text(cls, text: str | None) -> str | None:
        return check_text(text)

    @field_validator("period", mode="before")
    @classmethod
    def _iso_period(cls, raw: object) -> str:
        try:
            return parse_period(raw).code
        except PeriodError as error:
            raise ValueError(str(error)) from error

    @model_validator(mode="after")
    def _consistent(self) -> "ValueIn":
        for name in ("value", "numerator", "denominator"):
            number = getattr(self, name)
            if number is not None and (number != number or abs(number) == float("inf")):
                raise ValueError(f"{name} n'est pas un nombre fini")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError("numérateur et dénominateur vont ensemble : renseignez les deux")
        if self.numerator is not None:
            if self.denominator <= 0:
                raise ValueError("le dénominateur doit être strictement positif")
            if self.numerator < 0:
                raise ValueError("le numérateur ne peut pas être négatif")
            if self.numerator > self.denominator:
                raise ValueError("le numérateur dépasse le dénominateur")
            if self.value is None:
                self.value = 100.0 * self.numerator / self.denominator
        if self.value is None:
            raise ValueError("aucune valeur : renseignez une valeur (ou numérateur et dénominateur)")
        return self
