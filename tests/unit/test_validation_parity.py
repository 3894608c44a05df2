"""The Pydantic model and the set-based file checks apply the same rules: same refusals, same messages."""

import math

import pandas as pd
import pytest
from pydantic import ValidationError

from indicators import rules
from indicators.models import IndicatorRules, ValueChange, ValueKind, problems_of
from indicators.validation import Errors, check_shape, parse_periods, to_frame

# Indicators whose own rules stay silent on these rows (a score takes any figure; a percentage given by
# numerator and denominator is bounded by them), so only the shared rules speak.
INDICATORS = pd.DataFrame(
    [
        {"code": code, "name": code, "unit": "", "kind": kind, "period_type": "year", "computed_from": "saisie"}
        for code, kind in (("X_SCORE", "score"), ("X_PART", "percentage"))
    ]
)
LONG = "x" * (rules.MAX_COMMENT + 1)
ROWS = [
    # valid
    {"value": 3.5},
    {"value": -2},
    {"value": rules.MAX_ABS},
    {"numerator": 1, "denominator": 4},
    {"numerator": 0, "denominator": 1},
    {"numerator": 4, "denominator": 4},
    {"value": 1, "comment": "x" * rules.MAX_COMMENT, "source": "s" * rules.MAX_SOURCE},
    # hostile
    {"value": math.inf},
    {"value": -math.inf},
    {"numerator": math.inf, "denominator": 2},
    {"value": rules.MAX_ABS * 10},
    {"value": -rules.MAX_ABS * 1.5},
    {"numerator": 1, "denominator": rules.MAX_ABS * 2},
    {"numerator": 5},
    {"denominator": 5},
    {"numerator": 1, "denominator": 0},
    {"numerator": 1, "denominator": -3},
    {"numerator": -1, "denominator": 3},
    {"numerator": 5, "denominator": 4},
    {"numerator": 1234.5, "denominator": 12},
    {},
    {"value": 1, "comment": LONG},
    {"value": 1, "source": "s" * (rules.MAX_SOURCE + 1)},
]


def code_for(fields: dict) -> str:
    return "X_PART" if {"numerator", "denominator"} & set(fields) else "X_SCORE"


def pydantic_problems(fields: dict) -> list[tuple[str, str]]:
    """What the model refuses, as the entry grid shows it (column, message); empty when accepted."""
    try:
        ValueChange(indicator_code=code_for(fields), territory_id="DEP-77", period="2023", **fields)
    except ValidationError as error:
        return [problems_of(error)]
    return []


def vectorised_problems(fields: dict) -> list[tuple[str, str]]:
    """What the file checks refuse for the same row (column, message)."""
    frame = to_frame(
        [
            ValueChange.model_construct(
                indicator_code=code_for(fields),
                territory_id="DEP-77",
                period="2023",
                kind=ValueKind.actual,
                read_version=None,
                delete=False,
                **{"value": None, "numerator": None, "denominator": None, "source": None, "comment": None, **fields},
            )
        ]
    )
    errors = Errors()
    check_shape(parse_periods(frame, errors), INDICATORS, errors)
    found = errors.frame()
    return list(zip(found["column"], found["message"]))


@pytest.mark.parametrize("fields", ROWS, ids=[repr(r)[:60] for r in ROWS])
def test_both_paths_accept_and_refuse_the_same_rows_with_the_same_messages(fields):
    model, frame = pydantic_problems(fields), vectorised_problems(fields)
    assert bool(model) == bool(frame)
    scalar = rules.figure_problems(fields.get("value"), fields.get("numerator"), fields.get("denominator"))
    too_long = {
        (rules.COLUMN_LABELS[name], rules.text_too_long(limit))
        for name, limit in rules.TEXT_LIMITS.items()
        if len(fields.get(name) or "") > limit
    }
    assert set(frame) == set(scalar) | too_long
    # The model stops at its first problem; the file checks list them all, and the first is among them.
    if model:
        _column, message = model[0]
        assert message in {rules.sentence(c, m) for c, m in frame}


def test_a_nan_is_refused_by_both_though_a_frame_cannot_tell_it_from_an_empty_cell():
    assert "fini" in pydantic_problems({"value": math.nan})[0][1]
    assert vectorised_problems({"value": math.nan}) == [("valeur", rules.NO_VALUE)]


def test_the_limits_are_those_the_model_declares():
    fields = ValueChange.model_fields
    limits = {
        name: next(m.max_length for m in fields[name].metadata if hasattr(m, "max_length"))
        for name in ("source", "comment", "indicator_code", "territory_id")
    }
    assert limits == {
        "source": rules.MAX_SOURCE,
        "comment": rules.MAX_COMMENT,
        "indicator_code": rules.MAX_INDICATOR_CODE,
        "territory_id": rules.MAX_TERRITORY_ID,
    }


RULED = pd.DataFrame(
    [
        {
            "code": "X_RULED",
            "name": "X_RULED",
            "unit": "",
            "kind": "score",
            "period_type": "year",
            "computed_from": "saisie",
            "territorial_agg": "none",
            "min_value": 0.0,
            "max_value": 10.0,
            "integer_only": True,
            "max_change_pct": None,
        }
    ]
)
RULED_CHECKS = IndicatorRules(min=0, max=10, integer=True)


@pytest.mark.parametrize("value", [0, 10, 5, -1, 11, 2.5, -0.5, 10.5])
def test_declared_rules_refuse_the_same_values_with_the_same_messages_in_both_paths(value):
    frame = to_frame([ValueChange(indicator_code="X_RULED", territory_id="DEP-77", period="2023", value=value)])
    errors = Errors()
    check_shape(parse_periods(frame, errors), RULED, errors)
    found = errors.frame()
    assert sorted(zip(found["column"], found["message"])) == sorted(RULED_CHECKS.problems(value))
    # Hand-written expectations: which rules each value breaks.
    expected = {0: 0, 10: 0, 5: 0, -1: 1, 11: 1, 2.5: 1, -0.5: 2, 10.5: 2}[value]
    assert len(found) == expected
