"""Territory codes as people type them read to internal ids, without a database (territories/codes.py)."""

import pytest

from territories.codes import parse_territory, territory_candidates


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("77475", ["COM-77475"]),
        (" reg-11 ", ["REG-11"]),
        ("fr", ["FR"]),
        ("DEP-77", ["DEP-77"]),
        ("1053", ["COM-01053"]),  # leading zero lost in a spreadsheet
        ("2A004", ["COM-2A004"]),
        ("200072130", ["EPCI-200072130"]),  # a SIREN
        ("75119", ["COM-75119", "COM-75056"]),  # Paris 19e → Paris
        ("COM-69152", ["COM-69152", "COM-69149"]),  # commune déléguée → commune nouvelle
        ("", []),
        (None, []),
        ("Trilport", []),
        ("123", []),
    ],
)
def test_typed_codes_give_the_ids_to_look_up(typed, ids):
    assert territory_candidates(typed) == ids


def test_the_most_likely_id_or_none():
    assert parse_territory("69383") == "COM-69123"  # Lyon 3e → Lyon
    assert parse_territory("77475") == "COM-77475"
    assert parse_territory("EPCI-200072130") == "EPCI-200072130"
    assert parse_territory("Trilport") is None
