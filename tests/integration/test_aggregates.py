"""Materialised roll-ups stay equal to the live roll-up after writes."""

import pandas as pd

from indicators.aggregates import mark_dirty, refresh, yearly
from indicators.periods import parse_period
from indicators.rollup import rollup_all, rules_frame


def live(db, year, levels, codes):
    with db.read() as cur:
        rules = rules_frame(cur.execute("SELECT code, territorial_agg, temporal_agg FROM indicator"
                                        " WHERE list_contains(?, code)", [codes]).df())
        return rollup_all(cur, rules, parse_period(str(year)), levels)


def test_materialised_rollups_match_the_live_computation(db):
    levels = ["pays", "region", "departement", "epci"]
    stored = yearly(db, 2023, levels, ["TL_OUVERTS", "FAB_LABELLISEES"])
    fresh = live(db, 2023, levels, ["TL_OUVERTS", "FAB_LABELLISEES"])
    columns = ["indicator_code", "territory_id", "value", "reported", "expected"]
    pd.testing.assert_frame_equal(stored[columns].reset_index(drop=True), fresh[columns].reset_index(drop=True),
                                  check_dtype=False)
    assert stored.set_index("territory_id").loc["FR"].query("indicator_code == 'TL_OUVERTS'")["value"].item() == 3500


def test_a_changed_value_is_reflected_once_its_slice_is_marked(db):
    with db.transaction() as cur:
        cur.execute("UPDATE indicator_value SET value = value + 10 WHERE indicator_code = 'TL_OUVERTS'"
                    " AND territory_id = 'COM-77475' AND period = '2023'")
        mark_dirty(cur, where="indicator_code = 'TL_OUVERTS' AND territory_id = 'COM-77475'")
    national = yearly(db, 2023, ["pays"], ["TL_OUVERTS"])
    assert national["value"].item() == 3510
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM rollup_dirty").fetchone()[0] == 0
    with db.transaction() as cur:
        assert refresh(cur) == 0
