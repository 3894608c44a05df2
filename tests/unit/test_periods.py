from datetime import date

import pytest

from indicators.periods import PeriodError, parse_period, period_of_date


@pytest.mark.parametrize(
    "typed, code, start, end",
    [
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024.0", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024Q3", "2024Q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("T3 2024", "2024Q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("t1-2025", "2025Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-09", "2024-09", date(2024, 9, 1), date(2024, 9, 30)),
        ("09/2024", "2024-09", date(2024, 9, 1), date(2024, 9, 30)),
        ("2/2024", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (" 2024-12 ", "2024-12", date(2024, 12, 1), date(2024, 12, 31)),
    ],
)
def test_periods_are_read_as_people_type_them(typed, code, start, end):
    period = parse_period(typed)
    assert (period.code, period.start, period.end) == (code, start, end)


@pytest.mark.parametrize("typed", ["", "abc", "2024Q5", "13/2024", "2024-13", "1850", "T0 2024", None])
def test_unreadable_periods_are_refused_in_french(typed):
    with pytest.raises(PeriodError) as error:
        parse_period(typed)
    assert any(word in str(error.value) for word in ("période", "mois", "année"))


def test_french_labels_and_period_of_a_date():
    assert parse_period("2024Q3").label == "T3 2024"
    assert parse_period("2024-09").label == "09/2024"
    assert period_of_date(date(2026, 11, 25), "quarter").code == "2026Q4"
    assert period_of_date(date(2026, 11, 25), "month").code == "2026-11"
