"""Due dates and lateness of indicator values, against dates counted by hand on a calendar."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from indicators.models import Indicator
from indicators.periods import parse_period
from plan import freshness as f
from plan.thresholds import THRESHOLD_LABELS, THRESHOLDS


class TestDueDate:
    def test_a_quarter_is_due_ninety_days_after_the_31st_of_march(self):
        # April 30 + May 31 + June 29 = 90 days after 31/03/2026.
        assert f.due_date(date(2026, 3, 31), 90) == date(2026, 6, 29)

    def test_a_month_is_due_thirty_days_after_the_28th_of_february(self):
        # March has 31 days: 28/02/2026 + 30 days is 30/03/2026.
        assert f.due_date(parse_period("2026-02").end, 30) == date(2026, 3, 30)

    def test_a_year_is_due_180_days_after_new_year_s_eve_with_and_without_a_leap_february(self):
        # 2027 → 2028 (leap): Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 = 152, +28 in June = 180.
        assert f.due_date(parse_period("2027").end, 180) == date(2028, 6, 28)
        # 2025 → 2026 (not leap): 31 + 28 + 31 + 30 + 31 = 151, +29 in June = 180.
        assert f.due_date(parse_period("2025").end, 180) == date(2026, 6, 29)

    def test_a_registry_indicator_is_due_on_its_period_s_last_day(self):
        assert f.due_date(parse_period("2028-02").end, 0) == date(2028, 2, 29)


class TestLateness:
    def test_the_brief_s_example_is_late_by_forty_days(self):
        # Due 29/06/2026: 30 days to 29/07, 10 more to 08/08.
        assert f.days_late(date(2026, 3, 31), 90, date(2026, 8, 8)) == 40
        assert f.lateness("2026Q1", 90, date(2026, 8, 8)) == "en_retard"
        assert f.late_text(40) == "en retard de 40 jours"

    def test_not_late_before_nor_on_the_due_date(self):
        assert f.days_late(date(2026, 3, 31), 90, date(2026, 6, 29)) == 0
        assert f.lateness("2026Q1", 90, date(2026, 6, 29)) is None
        assert f.lateness("2026Q1", 90, date(2026, 5, 1)) is None
        assert f.lateness("2026Q1", 90, date(2026, 6, 30)) == "en_retard"
        assert f.late_text(1) == "en retard de 1 jour"

    def test_very_late_once_past_due_by_more_than_the_quarter_s_90_days(self):
        # Q1 2026 lasts 31 + 28 + 31 = 90 days; 29/06 + 90 days = 27/09.
        assert f.days_late(date(2026, 3, 31), 90, date(2026, 9, 27)) == 90
        assert f.lateness("2026Q1", 90, date(2026, 9, 27)) == "en_retard"
        assert f.lateness("2026Q1", 90, date(2026, 9, 28)) == "tres_en_retard"

    def test_a_leap_february_and_a_leap_year_are_one_day_longer(self):
        assert f.period_days(parse_period("2028-02")) == 29
        assert f.period_days(parse_period("2028")) == 366
        assert f.period_days(parse_period("2026")) == 365
        # February 2028, registry-computed (delay 0): due 29/02, late from 01/03, very late after 29 days.
        assert f.days_late(date(2028, 2, 29), 0, date(2028, 3, 1)) == 1
        assert f.lateness("2028-02", 0, date(2028, 3, 29)) == "en_retard"  # 29 days late
        assert f.lateness("2028-02", 0, date(2028, 3, 30)) == "tres_en_retard"  # 30 days late
        # Year 2028 with 180 days: due 29/06/2029; very late after 366 more days, from 01/07/2030.
        assert f.due_date(parse_period("2028").end, 180) == date(2029, 6, 29)
        assert f.lateness("2028", 180, date(2030, 6, 30)) == "en_retard"  # 366 days
        assert f.lateness("2028", 180, date(2030, 7, 1)) == "tres_en_retard"  # 367 days

    def test_the_thresholds_come_from_one_place(self):
        looser = {**THRESHOLDS, "tres_en_retard_periodes": 2}
        assert f.lateness("2026Q1", 90, date(2026, 9, 28), looser) == "en_retard"
        for key in ("retard_jours_min", "tres_en_retard_periodes"):
            assert key in THRESHOLD_LABELS


class TestLatestPeriodDue:
    def test_quarters_months_and_years(self):
        assert f.last_due_period_end("quarter", date(2026, 8, 8), 90) == date(2026, 3, 31)
        # On the due day itself Q1 is not yet late: the latest past due is Q4 2025.
        assert f.last_due_period_end("quarter", date(2026, 6, 29), 90) == date(2025, 12, 31)
        assert f.last_due_period_end("quarter", date(2026, 6, 30), 90) == date(2026, 3, 31)
        assert f.last_due_period_end("month", date(2028, 3, 1), 0) == date(2028, 2, 29)
        assert f.last_due_period_end("month", date(2028, 2, 29), 0) == date(2028, 1, 31)
        assert f.last_due_period_end("year", date(2026, 6, 30), 180) == date(2025, 12, 31)
        assert f.last_due_period_end("year", date(2026, 6, 29), 180) == date(2024, 12, 31)


def test_today_is_the_paris_date():
    # 23:30 UTC on 31 December is already New Year's Day in Paris (UTC+1 in winter).
    assert f.today_paris(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert f.today_paris(datetime(2026, 7, 14, 21, 59, tzinfo=UTC)) == date(2026, 7, 14)  # UTC+2 in summer


def test_an_indicator_without_a_delay_uses_the_default_one():
    assert f.delay_of(None) == THRESHOLDS["delai_saisie_jours"]
    assert f.delay_of(float("nan")) == THRESHOLDS["delai_saisie_jours"]
    assert f.delay_of(pd.NA) == THRESHOLDS["delai_saisie_jours"]
    assert f.delay_of(0) == 0


def test_an_unconfirmed_contact_says_so():
    assert f.contact_text("ANCT — Programme Fabriques de territoire", False).endswith("(contact à confirmer)")
    assert (
        f.contact_text("ANCT — Programme Fabriques de territoire", True) == "ANCT — Programme Fabriques de territoire"
    )
    assert f.contact_text(None, None) == "contact à confirmer"
    assert f.contact_text("ANCT", pd.NA) == "ANCT (contact à confirmer)"


BASE = {
    "code": "X_Y",
    "name": "Test",
    "unit": "u",
    "kind": "count",
    "territorial_agg": "sum",
    "temporal_agg": "sum",
    "period_type": "year",
}


def test_an_indicator_refuses_a_negative_delay_and_a_personal_email():
    assert Indicator(**BASE, delay_days=180, contact="ANCT").delay_days == 180
    with pytest.raises(ValueError):
        Indicator(**BASE, delay_days=-1)
    with pytest.raises(ValueError):
        Indicator(**BASE, contact="jean.dupont@anct.gouv.fr")
