"""Roll-up rules on hand-built values in the real database (hand-computed expectations)."""

import pytest

from indicators.aggregates import mark_dirty
from indicators.periods import parse_period
from tests.integration.rollup_oracle import rollup

INDICATOR = {"code": "X", "territorial_agg": "sum", "temporal_agg": "last"}


@pytest.fixture
def small_epci(db):
    """An EPCI with its communes, and a clean slate of test indicator values."""
    with db.read() as cur:
        siren, n = cur.execute(
            "SELECT epci_siren, count(*) FROM territory WHERE level = 'commune' AND epci_siren IS NOT NULL"
            " GROUP BY 1 HAVING count(*) BETWEEN 5 AND 8 ORDER BY 1 LIMIT 1"
        ).fetchone()
        communes = [
            r[0]
            for r in cur.execute(
                "SELECT id FROM territory WHERE epci_siren = ? AND level = 'commune' ORDER BY id", [siren]
            ).fetchall()
        ]
    return f"EPCI-{siren}", n, communes


def put(db, code, territory, period, value=None, num=None, den=None, kind="actual"):
    p = parse_period(period)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind,"
            " value, numerator, denominator, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'test')",
            [code, territory, p.code, p.start, p.end, kind, value, num, den],
        )
        # like every writer: the materialised roll-ups follow
        mark_dirty(
            cur,
            where="indicator_code = ? AND territory_id = ? AND period = ? AND kind = ?",
            params=[code, territory, p.code, kind],
        )


def row(frame, territory_id):
    return frame.set_index("territory_id").loc[territory_id]


def test_a_sum_counts_only_reporting_children_and_says_how_many(db, small_epci):
    epci, n, communes = small_epci
    put(db, "X", communes[0], "2024", 3)
    put(db, "X", communes[1], "2024", 4)
    with db.read() as cur:
        result = row(rollup(cur, INDICATOR, parse_period("2024"), "epci"), epci)
    assert result["value"] == 7
    assert (result["reported"], result["expected"]) == (2, n)


def test_a_percentage_rolls_up_as_a_ratio_of_sums_not_a_mean(db, small_epci):
    epci, _, communes = small_epci
    put(db, "P", communes[0], "2024", 50, 1, 2)
    put(db, "P", communes[1], "2024", 12.5, 1, 8)
    indicator = {"code": "P", "territorial_agg": "ratio_of_sums", "temporal_agg": "last"}
    with db.read() as cur:
        result = row(rollup(cur, indicator, parse_period("2024"), "epci"), epci)
    assert result["value"] == pytest.approx(20.0)  # 2 / 10, where the mean of rates would be 31.25
    assert (result["numerator"], result["denominator"]) == (2, 10)


def test_a_stock_keeps_its_last_value_and_a_flow_adds_up_within_the_year(db, small_epci):
    epci, _, communes = small_epci
    for period, value in (("2024Q1", 5), ("2024Q3", 7)):
        put(db, "S", communes[0], period, value)
        put(db, "F", communes[0], period, value)
    put(db, "S", communes[1], "2024Q2", 10)
    with db.read() as cur:
        stock = rollup(
            cur, {"code": "S", "territorial_agg": "sum", "temporal_agg": "last"}, parse_period("2024"), "epci"
        )
        flow = rollup(
            cur, {"code": "F", "territorial_agg": "sum", "temporal_agg": "sum"}, parse_period("2024"), "commune"
        )
    assert row(stock, epci)["value"] == 7 + 10
    assert row(flow, communes[0])["value"] == 12
    assert (
        row(flow, communes[2])["reported"] == 0 and row(flow, communes[2])["value"] != row(flow, communes[2])["value"]
    )


def test_yearly_children_and_children_with_quarters_roll_up_together(db, small_epci):
    """A child holding only its yearly row is taken as it is; one with quarters is added up over time."""
    epci, _, communes = small_epci
    put(db, "F", communes[0], "2024", 4)  # yearly only
    put(db, "F", communes[1], "2024Q1", 5)  # quarters only: 5 + 7
    put(db, "F", communes[1], "2024Q3", 7)
    put(db, "F", communes[2], "2024", 20)  # a yearly row and a quarter: 20 + 3
    put(db, "F", communes[2], "2024Q4", 3)
    put(db, "S", communes[0], "2024", 4)
    put(db, "S", communes[1], "2024Q1", 5)
    put(db, "S", communes[1], "2024Q3", 7)
    with db.read() as cur:
        flow = rollup(cur, {"code": "F", "territorial_agg": "sum", "temporal_agg": "sum"}, parse_period("2024"), "epci")
        stock = rollup(
            cur, {"code": "S", "territorial_agg": "sum", "temporal_agg": "last"}, parse_period("2024"), "epci"
        )
        by_commune = rollup(
            cur, {"code": "F", "territorial_agg": "sum", "temporal_agg": "sum"}, parse_period("2024"), "commune"
        )
    assert row(flow, epci)["value"] == 4 + (5 + 7) + (20 + 3)
    assert row(flow, epci)["reported"] == 3
    assert row(stock, epci)["value"] == 4 + 7
    assert [row(by_commune, c)["value"] for c in communes[:3]] == [4, 12, 23]


def test_no_child_reported_means_no_value_not_zero(db, small_epci):
    epci, n, _ = small_epci
    with db.read() as cur:
        result = row(rollup(cur, INDICATOR, parse_period("2024"), "epci"), epci)
    assert result["reported"] == 0 and result["expected"] == n
    assert result["value"] != result["value"]  # NaN: missing


def test_population_weighted_mean_and_extremes(db, small_epci):
    epci, _, communes = small_epci
    put(db, "W", communes[0], "2024", 10)
    put(db, "W", communes[1], "2024", 20)
    with db.read() as cur:
        pops = dict(cur.execute("SELECT id, population FROM territory WHERE id IN (?, ?)", communes[:2]).fetchall())
        weighted = rollup(
            cur,
            {"code": "W", "territorial_agg": "population_weighted_mean", "temporal_agg": "last"},
            parse_period("2024"),
            "epci",
        )
        highest = rollup(
            cur, {"code": "W", "territorial_agg": "max", "temporal_agg": "last"}, parse_period("2024"), "epci"
        )
    p0, p1 = pops[communes[0]], pops[communes[1]]
    assert row(weighted, epci)["value"] == pytest.approx((10 * p0 + 20 * p1) / (p0 + p1))
    assert row(highest, epci)["value"] == 20


@pytest.mark.national
def test_the_demo_registry_rolls_up_to_the_sourced_national_stock(db):
    with db.read() as cur:
        indicator = {"code": "TL_OUVERTS", "territorial_agg": "sum", "temporal_agg": "last"}
        national = rollup(cur, indicator, parse_period("2023"), "pays")
        regions = rollup(cur, indicator, parse_period("2023"), "region")
    assert national.iloc[0]["value"] == 3500 and national.iloc[0]["reported"] == 34875
    assert regions["value"].sum() == 3500 and len(regions) == 18
