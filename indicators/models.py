"""Pydantic models of indicators and their values."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from indicators import rules
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


class IndicatorRules(BaseModel):
    """Control rules declared for an indicator in the plan catalogue: hard limits and a soft change threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_change_pct: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> IndicatorRules:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"règles : le minimum ({self.min}) dépasse le maximum ({self.max})")
        return self

    @property
    def declared(self) -> bool:
        """True when any rule is declared."""
        return self != IndicatorRules()

    def problems(self, value: float | None) -> list[tuple[str, str]]:
        """(column, message) of each hard rule a value breaks (the file checks apply the same, set-based)."""
        return rules.declared_problems(value, self.min, self.max, self.integer)


class Indicator(BaseModel):
    """An indicator of the plan: what is measured, how it adds up over places and time."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

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
    # Freshness: a value is due delay_days after its period ends; contact is the service that provides it
    # (never a person's address); contact_confirmed stays false until the service has confirmed it.
    delay_days: int = Field(default=90, ge=0, le=730)
    contact: str | None = Field(default=None, max_length=200, pattern=r"^[^@]*$")
    contact_confirmed: bool = False
    checks: IndicatorRules = Field(default_factory=IndicatorRules, alias="rules")
    # Review before publication: a coordinator's typed or imported value waits for the national team.
    review: bool = True

    @property
    def reviewed(self) -> bool:
        """Whether coordinators' values of this indicator wait for validation (computed ones are never typed)."""
        return self.review and self.computed_from == "saisie"


class ValueIn(BaseModel):
    """One value as submitted: checked for shape here, for scope and staleness by the service."""

    model_config = ConfigDict(str_strip_whitespace=True)

    indicator_code: str = Field(min_length=1, max_length=rules.MAX_INDICATOR_CODE)
    territory_id: str = Field(min_length=rules.MIN_TERRITORY_ID, max_length=rules.MAX_TERRITORY_ID)
    period: str
    kind: ValueKind = ValueKind.actual
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    source: str | None = Field(default=None, max_length=rules.MAX_SOURCE)
    comment: str | None = Field(default=None, max_length=rules.MAX_COMMENT)

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
    def _consistent(self) -> ValueIn:
        problems = rules.figure_problems(self.value, self.numerator, self.denominator)
        if problems:
            raise ValueError(rules.sentence(*problems[0]))
        if self.numerator is not None and self.value is None:
            self.value = 100.0 * self.numerator / self.denominator
        return self


class ValueChange(ValueIn):
    """One change as a page submits it: a value (or a deletion) and the version it was read at."""

    read_version: int | None = Field(default=None, ge=0)  # 0: the value did not exist when read
    delete: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ValueChange:
        if self.delete:
            return self
        return ValueIn._consistent(self)


def problems_of(error: ValueError) -> tuple[str, str]:
    """The column and French message of a refused ValueChange, as the entry grid shows them."""
    found = error.errors() if hasattr(error, "errors") else []
    message = "; ".join(
        rules.text_too_long(e.get("ctx", {}).get("max_length"))
        if e["type"] == "string_too_long"
        else e["msg"].removeprefix("Value error, ")
        for e in found
    ) or str(error)
    column = "commentaire" if any(e["loc"] and e["loc"][0] == "comment" for e in found) else "valeur"
    return column, message
