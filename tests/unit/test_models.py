import pytest
from pydantic import ValidationError

from indicators.models import ValueIn
from plan.models import Measure


def test_a_percentage_value_is_computed_from_numerator_and_denominator():
    value = ValueIn(
        indicator_code="TL_HORS_METRO", territory_id="FR", period="T4 2018", numerator=674, denominator=1463
    )
    assert value.period == "2018Q4"
    assert round(value.value, 2) == 46.07


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"numerator": 5, "denominator": 4}, "dépasse"),
        ({"numerator": 5}, "vont ensemble"),
        ({"numerator": 1, "denominator": 0}, "strictement positif"),
        ({}, "aucune valeur"),
        ({"value": float("nan")}, "fini"),
        ({"value": 3, "period": "2024Q9"}, "illisible"),
    ],
)
def test_bad_values_are_refused_with_a_french_reason(fields, message):
    payload = {"indicator_code": "X_Y", "territory_id": "FR", "period": "2024", **fields}
    with pytest.raises(ValidationError) as error:
        ValueIn(**payload)
    assert message in str(error.value)


def test_a_measure_cannot_end_before_it_starts():
    with pytest.raises(ValidationError):
        Measure(code="M9.1", axis="A1", title="Essai", start_date="2024-01-01", end_date="2023-01-01")
