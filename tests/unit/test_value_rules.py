"""Control rules of an indicator and the modified z-score, on hand-computed figures."""

import math

import duckdb
import pandas as pd
import pytest
from pydantic import ValidationError

from indicators import outliers, rules
from indicators.models import Indicator, IndicatorRules
from indicators.periods import parse_period

NNBSP = "\u202f"


def test_declared_hard_rules_name_the_limit_in_french():
    assert rules.declared_problems(5, 0, 10, True) == []
    assert rules.declared_problems(-1, 0, 10, False) == [
        ("valeur", "valeur inférieure au minimum de l'indicateur (0) : -1")
    ]
    assert rules.declared_problems(2_000_000, None, 1_000_000, False) == [
        ("valeur", f"valeur supérieure au maximum de l'indicateur (1{NNBSP}000{NNBSP}000) : 2{NNBSP}000{NNBSP}000")
    ]
    assert rules.declared_problems(2.5, None, None, True) == [
        ("valeur", "cet indicateur ne prend que des nombres entiers (2,5)")
    ]
    # A value with no figure breaks no declared rule (the shape checks say it is missing).
    assert rules.declared_problems(None, 0, 1, True) == []


def test_the_pydantic_rules_give_the_same_problems_and_refuse_a_min_above_the_max():
    checks = IndicatorRules(min=0, max=10, integer=True)
    assert checks.problems(11.5) == rules.declared_problems(11.5, 0, 10, True)
    assert len(checks.problems(11.5)) == 2
    with pytest.raises(ValidationError, match="minimum"):
        IndicatorRules(min=5, max=1)
    with pytest.raises(ValidationError):
        IndicatorRules(max_change_pct=0)
    with pytest.raises(ValidationError):
        IndicatorRules(maximum=3)  # a misspelt rule is refused, not ignored


def test_the_catalogue_declares_rules_under_the_key_rules():
    indicator = Indicator(
        code="X_TEST",
        name="Essai",
        unit="u",
        kind="count",
        territorial_agg="sum",
        temporal_agg="last",
        period_type="year",
        rules={"max": 100, "max_change_pct": 50},
    )
    assert indicator.checks == IndicatorRules(max=100, max_change_pct=50) and indicator.checks.declared
    assert not IndicatorRules().declared


def test_relative_change_from_the_previous_period():
    assert rules.change_pct(10, 25) == 150.0
    assert rules.change_pct(200, 50) == -75.0
    assert rules.change_pct(-4, -2) == 50.0  # measured against the size of the previous value
    assert rules.change_pct(0, 5) is None and rules.change_pct(math.nan, 5) is None
    assert rules.large_change("2023", "10", "25", 150.0, 100) == (
        "variation de +150 % par rapport à 2023 (10 → 25) : au-delà de 100 %, vérifiez la valeur"
    )


def frame(values, level="departement", indicator="X", period="2024", territories=None):
    territories = territories or [f"DEP-{i:02d}" for i in range(1, len(values) + 1)]
    return pd.DataFrame(
        {
            "indicator_code": indicator,
            "territory_id": territories,
            "level": level,
            "period": period,
            "kind": "actual",
            "value": [float(v) for v in values],
        }
    )


def flag(values: pd.DataFrame, period: str = "2024") -> pd.DataFrame:
    """The outlier query of the app, run by DuckDB on hand-made values (no database file)."""
    values = values.assign(
        period_start=values["period"].map(lambda p: parse_period(p).start),
        period_end=values["period"].map(lambda p: parse_period(p).end),
        region_code="11",
    )
    con = duckdb.connect()
    con.register("hand", values)
    return outliers.flagged(con, period=period, source="SELECT * FROM hand")


def test_peer_scores_use_the_median_and_the_mad_of_the_group():
    found = flag(frame([10, 11, 12, 13, 100]))
    assert found[["peer_median", "peer_mad", "peer_n"]].values.tolist() == [[12, 1, 5]]
    assert found["peer_score"].tolist() == pytest.approx([0.6745 * 88])


def test_only_the_value_far_from_its_peers_is_flagged_with_its_reason():
    found = flag(frame([10, 11, 12, 13, 100]))  # M(10) = −1.349 is not flagged
    assert found["territory_id"].tolist() == ["DEP-05"]
    assert found["score"].round(1).tolist() == [59.4]
    assert found["reason"].iloc[0] == "loin de ses pairs : M = 59,4 (médiane des 5 départements : 12, MAD 1)"


def test_no_flag_below_the_threshold_without_spread_or_with_too_few_peers():
    # [10, 11, 12, 13, 17]: M(17) = 0.6745 × 5 / 1 = 3.37, under 3.5.
    assert flag(frame([10, 11, 12, 13, 17])).empty
    # [10, 11, 12, 13, 18]: M(18) = 0.6745 × 6 = 4.05 → flagged.
    assert flag(frame([10, 11, 12, 13, 18]))["territory_id"].tolist() == ["DEP-05"]
    assert flag(frame([5, 5, 5, 5, 90])).empty  # MAD 0: nothing can be told
    assert flag(frame([10, 11, 12, 100])).empty  # four peers only
    # An even group: median (12 + 13) / 2 = 12.5; deviations 2.5, 1.5, 0.5, 0.5, 1.5, 87.5 → MAD 1.5.
    even = flag(frame([10, 11, 12, 13, 14, 100]))
    assert even[["peer_median", "peer_mad"]].values.tolist() == [[12.5, 1.5]]
    assert even["peer_score"].tolist() == pytest.approx([0.6745 * 87.5 / 1.5])


def test_a_value_far_from_its_own_history_is_flagged():
    history = pd.DataFrame(
        {
            "indicator_code": "X",
            "territory_id": "DEP-77",
            "level": "departement",
            "period": ["2019", "2020", "2021", "2022", "2023"],
            "kind": "actual",
            "value": [20.0, 21.0, 22.0, 23.0, 80.0],
        }
    )
    found = flag(history, "2023")  # median 22, MAD 1: M(80) = 0.6745 × 58 = 39.1
    assert found["period"].tolist() == ["2023"]
    assert found["reason"].iloc[0] == "loin de son historique : M = 39,1 (médiane de ses 5 périodes : 22, MAD 1)"
    assert flag(history, "2022").empty  # 2022's history (2019-2022) is four periods: too short to tell


def test_a_history_counts_the_eight_periods_up_to_the_value_only():
    # 2012-2023: 2012-2015 (100 each) fall outside 2023's window 2016-2023; inside, 20..26 then 80:
    # median (23 + 24) / 2 = 23.5; deviations 3.5 2.5 1.5 0.5 0.5 1.5 2.5 56.5 → MAD 2; M(80) = 0.6745 × 56.5 / 2.
    values = [100.0] * 4 + [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 80.0]
    history = pd.DataFrame(
        {
            "indicator_code": "X",
            "territory_id": "DEP-77",
            "level": "departement",
            "period": [str(y) for y in range(2012, 2024)],
            "kind": "actual",
            "value": values,
        }
    )
    found = flag(history, "2023")
    assert found[["own_n", "own_median", "own_mad"]].values.tolist() == [[8, 23.5, 2.0]]
    assert found["own_score"].tolist() == pytest.approx([0.6745 * 56.5 / 2])


def test_the_rules_of_an_indicator_in_french_show_the_threshold():
    lines = rules.describe("count", "sum", None, 1_000_000, False, 100)
    assert lines[0] == "Refus : un comptage est un nombre entier positif ou nul."
    assert f"Refus : au plus 1{NNBSP}000{NNBSP}000." in lines
    assert any(line.startswith("Alerte : variation de plus de 100 %") for line in lines)
    assert any("département ne dépasse pas celle de sa région" in line for line in lines)
    assert "|M| > 3,5" in lines[-1]


def test_a_history_window_stops_at_the_first_year_the_app_knows():
    assert outliers.history_start("2023") == parse_period("2016").start
    assert outliers.history_start("2024Q1") == parse_period("2022Q2").start
    assert outliers.history_start("1992") == parse_period("1990").start
