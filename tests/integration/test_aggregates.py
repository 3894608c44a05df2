"""Materialised roll-ups stay equal to the live roll-up after writes."""

import pandas as pd

from comparison.snapshot import data_version
from indicators import aggregates
from indicators.aggregates import COARSE_LEVELS, mark_dirty, refresh, yearly
from indicators.periods import parse_period
from indicators.rollup import rollup_all, rules_frame
from plan.dashboard_service import map_periods


def live(db, year, levels, codes):
    with db.read() as cur:
        rules = rules_frame(
            cur.execute(
                "SELECT code, territorial_agg, temporal_agg FROM indicator WHERE list_contains(?, code)", [codes]
            ).df()
        )
        return rollup_all(cur, rules, parse_period(str(year)), levels)


def test_materialised_rollups_match_the_live_computation(db):
    levels = ["pays", "region", "departement", "epci"]
    stored = yearly(db, 2023, levels, ["TL_OUVERTS", "FAB_LABELLISEES"])
    fresh = live(db, 2023, levels, ["TL_OUVERTS", "FAB_LABELLISEES"])
    columns = ["indicator_code", "territory_id", "value", "reported", "expected"]
    pd.testing.assert_frame_equal(
        stored[columns].reset_index(drop=True), fresh[columns].reset_index(drop=True), check_dtype=False
    )
    assert stored.set_index("territory_id").loc["FR"].query("indicator_code == 'TL_OUVERTS'")["value"].item() == 3500


def test_a_changed_value_is_reflected_once_its_slice_is_marked(db):
    with db.transaction() as cur:
        cur.execute(
            "UPDATE indicator_value SET value = value + 10 WHERE indicator_code = 'TL_OUVERTS'"
            " AND territory_id = 'COM-77475' AND period = '2023'"
        )
        mark_dirty(cur, where="indicator_code = 'TL_OUVERTS' AND territory_id = 'COM-77475'")
    national = yearly(db, 2023, ["pays"], ["TL_OUVERTS"])
    assert national["value"].item() == 3510
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM rollup_dirty").fetchone()[0] == 0
    with db.transaction() as cur:
        assert refresh(cur, coarse=True) == 0  # a national read leaves nothing for the next one
    commune = yearly(db, 2023, ["commune"], ["TL_OUVERTS"]).set_index("territory_id")
    with db.read() as cur:
        stored = cur.execute(
            "SELECT value FROM indicator_value WHERE indicator_code = 'TL_OUVERTS'"
            " AND territory_id = 'COM-77475' AND period = '2023'"
        ).fetchone()[0]
    assert commune.loc["COM-77475", "value"] == stored  # the finer rows follow on the first read of them
    with db.transaction() as cur:
        assert refresh(cur) == 0


def test_the_dashboards_cache_key_leaves_finer_rollups_deferred_yet_moves_on_every_write(db):
    # The national dashboard reads régions and France only: its cache key must not roll every commune up
    # (seconds on a first start), and must still change when any value changes.
    before = data_version(db, COARSE_LEVELS)
    with db.transaction() as cur:
        cur.execute(
            "UPDATE indicator_value SET value = value + 10 WHERE indicator_code = 'TL_OUVERTS'"
            " AND territory_id = 'COM-77475' AND period = '2023'"
        )
        mark_dirty(cur, where="indicator_code = 'TL_OUVERTS' AND territory_id = 'COM-77475'")
    after = data_version(db, COARSE_LEVELS)
    assert after != before
    with db.read() as cur:
        deferred = cur.execute("SELECT DISTINCT indicator_code, year, kind FROM rollup_deferred").fetchall()
        assert ("TL_OUVERTS", 2023, "actual") in deferred  # the communes' rows wait for a read of them
        national = cur.execute(
            "SELECT value FROM rollup_year WHERE indicator_code = 'TL_OUVERTS' AND territory_id = 'FR'"
            " AND year = 2023 AND kind = 'actual' AND NOT published_only"
        ).fetchone()[0]
    assert national == 3500 + 10
    assert data_version(db) != after  # a read of every level rolls the rest up
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM rollup_deferred").fetchone()[0] == 0


def _rollups(db, where: str = "TRUE") -> pd.DataFrame:
    with db.read() as cur:
        frame = cur.execute(f"SELECT * EXCLUDE (updated_at) FROM rollup_year WHERE {where} ORDER BY ALL").df()
    return frame.reset_index(drop=True)


def test_the_first_start_s_national_rollups_equal_a_full_refresh_and_finer_ones_follow(db):
    codes = ["TL_OUVERTS", "TL_RURAL", "TL_HORS_METRO", "TL_POUR_10K"]
    with db.transaction() as cur:
        # Some unpublished communal values: their slices are rolled up twice, for both kinds of reader.
        cur.execute(
            "UPDATE indicator_value SET published = false WHERE indicator_code = 'TL_OUVERTS'"
            " AND territory_id IN ('COM-77475', 'COM-75056') AND period = '2023'"
        )
        mark_dirty(cur)
        refresh(cur)
    full = _rollups(db)
    full_periods = {code: source_periods(db, code) for code in codes}
    with db.transaction() as cur:  # what the first start does
        mark_dirty(cur)
        refresh(cur, coarse=True)
    coarse = _rollups(db)
    assert set(coarse["level"]) == {"region", "pays"}
    assert set(full["level"]) == {"commune", "epci", "departement", "region", "pays"}
    pd.testing.assert_frame_equal(coarse, full[full["level"].isin(["region", "pays"])].reset_index(drop=True))
    assert dashboard_periods_equal(db, full_periods)
    assert (
        yearly(db, 2023, ["pays"], ["TL_OUVERTS"], published_only=True)["value"].item()
        == full.query("indicator_code == 'TL_OUVERTS' and year == 2023 and level == 'pays' and published_only")[
            "value"
        ].item()
    )
    # A read of départements rolls every deferred slice up fully: the table is the full refresh's again.
    national = yearly(db, 2023, ["departement"], ["TL_OUVERTS"])
    assert (
        national["value"].sum()
        == full.query("indicator_code == 'TL_OUVERTS' and year == 2023 and level == 'pays' and not published_only")[
            "value"
        ].item()
    )
    pd.testing.assert_frame_equal(_rollups(db), full)
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM rollup_deferred").fetchone()[0] == 0


def source_periods(db, code: str) -> pd.DataFrame:
    """Years with a reported value at the indicator's own finest level, and that level."""
    with db.read() as cur:
        frame = cur.execute(
            "SELECT year::VARCHAR AS period, make_date(year, 12, 31) AS period_end,"
            " list_position(['commune', 'epci', 'departement', 'region'], any_value(source_level)) - 1 AS rank"
            " FROM rollup_year WHERE indicator_code = ? AND kind = 'actual' AND source_level <> 'pays'"
            " AND level = source_level AND reported > 0 AND NOT published_only GROUP BY year ORDER BY year",
            [code],
        ).df()
    frame["level"] = frame["rank"].map({0: "commune", 1: "epci", 2: "departement", 3: "region"})
    assert not frame.empty
    return frame


def dashboard_periods_equal(db, expected: dict) -> bool:
    """The map's years, read from France's rows alone, are those read from the finest rows."""
    for code, frame in expected.items():
        pd.testing.assert_frame_equal(map_periods(db, code), frame)
    return True


def test_a_refresh_split_into_bounded_queries_writes_what_one_query_writes(db, monkeypatch):
    # A national refresh of 21 M values in one query ran out of memory at the default 2 GB limit: the
    # slices are rolled up in batches of bounded size, which must not change a single row.
    queries = []
    real = aggregates.rollup_sql
    monkeypatch.setattr(aggregates, "rollup_sql", lambda *a: queries.append(a) or real(*a))
    with db.transaction() as cur:
        mark_dirty(cur)
        refresh(cur)
    whole, in_one_go = _rollups(db), len(queries)
    monkeypatch.setattr(aggregates, "ROWS_PER_QUERY", 50)
    with db.transaction() as cur:
        mark_dirty(cur)
        refresh(cur)
    assert len(queries) - in_one_go > 10 * in_one_go  # many bounded batches, not one query per level
    pd.testing.assert_frame_equal(_rollups(db), whole)
