"""The published import schemas are valid Table Schemas, and their period pattern is the parser's exact twin."""

from __future__ import annotations

import json
import re

import frictionless
import pytest

from indicators import contract as values_contract
from indicators import rules
from indicators.periods import PATTERN, PeriodError, parse_period
from lieux import contract as lieux_contract


@pytest.mark.parametrize("contract", [values_contract, lieux_contract], ids=["valeurs", "lieux"])
def test_each_schema_file_is_a_valid_table_schema(contract):
    descriptor = json.loads(contract.schema_bytes())
    report = frictionless.Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["note"])
    schema = frictionless.Schema.from_descriptor(descriptor)
    assert schema.missing_values == descriptor["missingValues"]
    assert all(field.title and field.description for field in schema.fields)
    assert descriptor["dialect"]["delimiter"] == ";" and descriptor["encoding"] == "utf-8"


def test_the_value_schema_has_the_import_headers_and_limits():
    fields = {f["name"]: f for f in values_contract.table_schema()["fields"]}
    assert list(fields) == [
        "indicateur",
        "territoire",
        "periode",
        "valeur",
        "numerateur",
        "denominateur",
        "niveau",
        "type",
        "source",
        "commentaire",
    ]
    assert [n for n, f in fields.items() if f.get("constraints", {}).get("required")] == [
        "indicateur",
        "territoire",
        "periode",
    ]
    assert fields["commentaire"]["constraints"]["maxLength"] == 2000
    assert fields["source"]["constraints"]["maxLength"] == 500
    assert fields["valeur"]["constraints"] == {"minimum": -1e12, "maximum": 1e12}
    assert {"realise", "cible", "reference"} <= set(fields["type"]["constraints"]["enum"])
    assert fields["valeur"]["decimalChar"] == "," and fields["valeur"]["groupChar"] == " "
    assert rules.COLUMN_LABELS["comment"] == "commentaire"


def _period_texts():
    """Every year, quarter and month form around the accepted ranges (1990–2100, Q1–Q4, months 1–12)."""
    for year in range(1985, 2106):
        yield str(year)
        for quarter in range(6):
            yield f"{year}Q{quarter}"
            yield f"{year}-T{quarter}"
            yield f"T{quarter} {year}"
            yield f"t{quarter}/{year}"
        for month in range(14):
            yield f"{year}-{month:02d}"
            yield f"{year}-{month}"
            yield f"{month:02d}/{year}"
            yield f"{month}/{year}"
    yield from ("", "2024Q", "Q2024", "24", "20245", "2024/09", "2024-009", "janvier 2024", "S1 2024")


def test_the_period_pattern_accepts_exactly_what_the_parser_reads():
    disagree = []
    for text in _period_texts():
        try:
            parse_period(text)
            parsed = True
        except PeriodError:
            parsed = False
        if parsed != bool(re.fullmatch(PATTERN, text)):
            disagree.append((text, parsed))
    assert disagree == []


def test_the_period_pattern_is_the_one_published():
    fields = {f["name"]: f for f in values_contract.table_schema()["fields"]}
    assert fields["periode"]["constraints"]["pattern"] == PATTERN
