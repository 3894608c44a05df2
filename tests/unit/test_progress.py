"""Progress rules on hand-computed cases: rate, trajectory, pace, trend, status, measure rate, staleness."""

from datetime import date

import pytest

from plan import progress as p
from plan.thresholds import THRESHOLD_LABELS, THRESHOLDS


class TestCompletionRate:
    def test_halfway_up(self):
        assert p.completion_rate(150, 100, 200) == 50.0

    def test_clamped_to_zero_below_the_initial_value(self):
        assert p.completion_rate(80, 100, 200) == 0.0

    def test_target_already_met_gives_100_not_more(self):
        assert p.completion_rate(407, 0, 300) == 100.0

    def test_down_indicator_is_mirrored(self):
        # from 33 % of employment zones without a place down to 13 %: at 28 % a quarter of the way
        assert p.completion_rate(28, 33, 13, "down") == pytest.approx(25.0)

    def test_down_indicator_target_met(self):
        assert p.completion_rate(10, 33, 13, "down") == 100.0

    def test_down_indicator_going_the_wrong_way_is_zero(self):
        assert p.completion_rate(40, 33, 13, "down") == 0.0

    def test_target_equal_to_initial(self):
        assert p.completion_rate(100, 100, 100) == 100.0
        assert p.completion_rate(90, 100, 100) == 0.0

    def test_target_already_beyond_the_initial_value_but_not_met(self):
        # up indicator whose target is below the start: met → 100, not met → 0 (no division by a negative span)
        assert p.completion_rate(110, 120, 100) == 100.0
        assert p.completion_rate(90, 120, 100) == 0.0

    def test_missing_input_is_none(self):
        assert p.completion_rate(None, 0, 300) is None
        assert p.completion_rate(float("nan"), 0, 300) is None
        assert p.completion_rate(10, 0, None) is None


class TestTrajectory:
    base, target = date(2020, 1, 1), date(2024, 1, 1)  # 1 461 days

    def test_expected_value_is_linear(self):
        on = date(2022, 1, 1)  # 731 days in
        assert p.expected_value(self.base, 100, self.target, 500, on) == pytest.approx(100 + 400 * 731 / 1461)

    def test_before_the_baseline_and_after_the_target(self):
        assert p.expected_value(self.base, 100, self.target, 500, date(2019, 6, 1)) == 100
        assert p.expected_value(self.base, 100, self.target, 500, date(2025, 6, 1)) == 500

    def test_gap_is_current_minus_expected(self):
        assert p.gap(250, 300) == -50
        assert p.gap(None, 300) is None

    def test_pace_per_quarter(self):
        # 200 still to do in 365 days = 4 quarters of 91.3125 days → 50.08 per quarter
        on, due = date(2023, 1, 1), date(2024, 1, 1)
        assert p.pace_per_quarter(300, 500, on, due) == pytest.approx(200 / (365 / 91.3125))

    def test_pace_is_zero_when_met_and_none_when_past_due(self):
        assert p.pace_per_quarter(500, 500, date(2023, 1, 1), date(2024, 1, 1)) == 0.0
        assert p.pace_per_quarter(300, 500, date(2024, 6, 1), date(2024, 1, 1)) is None

    def test_pace_for_a_down_indicator_is_negative(self):
        assert p.pace_per_quarter(30, 10, date(2023, 1, 1), date(2024, 1, 1), "down") < 0


class TestTrend:
    def test_least_squares_slope_and_projection(self):
        # x in years 0, 1, 2; y 10, 20, 40 → slope (−1·−13.3 + 0 + 1·16.7) / 2 = 15 per year
        points = [(date(2020, 1, 1), 10), (date(2021, 1, 1), 20), (date(2022, 1, 1), 40)]
        assert p.trend_slope(points) == pytest.approx(15, rel=1e-3)
        # mean 23.33 at 2021-01-01, + 15 × 2 years
        assert p.trend_projection(points, date(2023, 1, 1)) == pytest.approx(23.333 + 15 * 2, rel=1e-3)

    def test_one_point_has_no_trend(self):
        assert p.trend_slope([(date(2020, 1, 1), 10)]) is None
        assert p.trend_projection([(date(2020, 1, 1), 10)], date(2021, 1, 1)) is None

    def test_direction(self):
        assert p.trend_direction(100, 200, 500) == "hausse"
        assert p.trend_direction(-100, 200, 500) == "baisse"
        assert p.trend_direction(1, 200, 500) == "stable"  # 1 < 2 % of the 300 left
        assert p.trend_direction(None, 200, 500) is None


def status(**kw):
    base = {
        "current": None,
        "initial": 0,
        "target": 100,
        "direction": "up",
        "baseline_date": date(2020, 1, 1),
        "target_date": date(2024, 1, 1),
        "on": date(2022, 1, 1),
        "points": [],
    }
    return p.indicator_status(**{**base, **kw})


class TestStatus:
    def test_no_value_or_no_target(self):
        assert status(current=None) == "sans_donnees"
        assert status(current=50, target=None) == "sans_donnees"

    def test_reached(self):
        assert status(current=100) == "atteint"

    def test_past_due_and_not_reached_is_compromised(self):
        assert status(current=90, on=date(2024, 6, 1)) == "compromis"

    def test_on_track(self):
        # expected on 2022-01-01: 50 (731/1461 of 100); current 49 is within 5 points
        assert status(current=49) == "dans_les_temps"

    def test_late_beyond_the_threshold(self):
        assert status(current=40) == "en_retard"  # 40 < 50.03 − 5

    def test_threshold_is_read_from_the_dict(self):
        assert status(current=40, thresholds={**THRESHOLDS, "retard_points": 15}) == "dans_les_temps"

    def test_a_trend_that_misses_the_target_is_compromised(self):
        # flat at 49 → projected 49 at the due date = 49 % < 90 %
        flat = [(date(2021, 6, 1), 49), (date(2021, 9, 1), 49), (date(2022, 1, 1), 49)]
        assert status(current=49, points=flat) == "compromis"

    def test_a_trend_that_reaches_the_target_keeps_it_on_track(self):
        rising = [(date(2020, 1, 1), 0), (date(2021, 1, 1), 25), (date(2022, 1, 1), 50)]
        assert status(current=50, points=rising) == "dans_les_temps"

    def test_only_the_last_values_make_the_trend(self):
        # an old drop followed by a steady climb: the last three values decide
        points = [(date(2019, 1, 1), 90), (date(2020, 1, 1), 0), (date(2021, 1, 1), 25), (date(2022, 1, 1), 50)]
        assert status(current=50, points=points) == "dans_les_temps"

    def test_down_indicator_late(self):
        # from 40 to 20 by 2024; expected on 2022-01-01 ≈ 30; at 38 the rate is 10 % vs 50 % expected
        assert status(current=38, initial=40, target=20, direction="down") == "en_retard"


class TestMeasureRate:
    def test_weighted_mean(self):
        # (2 × 100 + 1 × 58 + 1 × 100) / 4
        assert p.measure_rate([(2, 100), (1, 58), (1, 100)]) == pytest.approx(89.5)

    def test_zero_weights_are_ignored(self):
        assert p.measure_rate([(1, 40), (0, None), (0, 100)]) == 40

    def test_missing_weighted_indicator_empties_the_rate(self):
        assert p.measure_rate([(2, 100), (1, None)]) is None

    def test_no_weighted_indicator_has_no_rate(self):
        assert p.measure_rate([(0, 50)]) is None
        assert p.measure_rate([]) is None

    def test_measure_status_is_the_worst(self):
        assert p.measure_status(["atteint", "en_retard", "dans_les_temps"]) == "en_retard"
        assert p.measure_status(["atteint", "compromis"]) == "compromis"
        assert p.measure_status(["atteint", "atteint"]) == "atteint"
        assert p.measure_status(["atteint", "sans_donnees"]) == "sans_donnees"
        assert p.measure_status([]) == "sans_donnees"


class TestStaleness:
    def test_last_closed_year_waits_for_the_grace_period(self):
        assert p.last_closed_period_end("year", date(2026, 11, 25), 90) == date(2025, 12, 31)
        assert p.last_closed_period_end("year", date(2026, 2, 1), 90) == date(2024, 12, 31)

    def test_quarters_and_months(self):
        assert p.last_closed_period_end("quarter", date(2026, 11, 25), 90) == date(2026, 6, 30)
        assert p.last_closed_period_end("month", date(2026, 11, 25), 0) == date(2026, 10, 31)

    def test_stale(self):
        on = date(2026, 11, 25)
        assert p.is_stale(date(2024, 12, 31), "year", on)
        assert not p.is_stale(date(2025, 12, 31), "year", on)
        assert p.is_stale(None, "year", on)


def test_every_threshold_has_a_french_explanation():
    assert set(THRESHOLDS) == set(THRESHOLD_LABELS)
