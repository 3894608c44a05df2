"""The published import schemas are valid Table Schemas, and their period pattern is the parser's exact twin."""

from __future__ import annotations

import json
import re

import frictionless
import pandas as pd
import pytest

from indicators import contract as values_contract
from indicators import rules
from indicators.imports import parse_numbers
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


NUMBER_CELLS = [
    "1 234,5",
    "1234,5",
    "12",
    "-3",
    "+3",
    ",5",
    "1e5",
    "1E-3",
    "0",
    "1 2 3",
    "12 %",
    "12 €",
    "1.234,5",
    "1,234.5",
    "x",
    "NaN",
    "inf",
    "-Infinity",
    "12 kg",
    "1,2,3",
    "0x10",
    "--1",
    "1-",
    "1 234,5 6",
    "1e400",
    "12e",
    "e12",
    "nan",
    "-NaN",
]


# Python's Decimal, under frictionless, reads digit separators "_" and non-Latin digits: nobody types them
# in a spreadsheet, the import refuses them; listed so that any other disagreement fails the test.
SCHEMA_ONLY = {"1_000", "\u0661\u0662"}


def test_a_number_the_schema_accepts_is_read_by_the_import_as_the_same_figure():
    fields = [f for f in values_contract.table_schema()["fields"] if f["name"] == "valeur"]
    field = frictionless.Schema.from_descriptor({"fields": fields}).fields[0]
    cells = [*NUMBER_CELLS, *SCHEMA_ONLY]
    read, bad = parse_numbers(pd.Series(cells, dtype="str"))
    leaks = set()
    for cell, number, unreadable in zip(cells, read, bad):
        value, notes = field.read_cell(cell)
        if notes is None and unreadable:
            leaks.add(cell)
        elif notes is None:
            assert float(value) == number, cell
        if not unreadable and abs(number) <= rules.MAX_ABS and notes is not None:  # a figure the app keeps
            assert cell in {"12 %", "12 €", "1.234,5", "1,234.5"}, (cell, notes)  # the app's extra leniency
    assert leaks == SCHEMA_ONLY
