"""Demo data: labelled as demo, consistent with the sourced national figures."""

import pytest


def test_every_generated_row_is_marked_demo(db):
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM lieu WHERE NOT is_demo").fetchone()[0] == 0
        assert (
            cur.execute("SELECT count(*) FROM indicator_value WHERE territory_id <> 'FR' AND NOT is_demo").fetchone()[0]
            == 0
        )
        assert (
            cur.execute("SELECT count(*) FROM indicator_value WHERE territory_id = 'FR' AND is_demo").fetchone()[0] == 0
        )


@pytest.mark.national
def test_the_demo_registry_matches_the_sourced_national_stocks(db):
    with db.read() as cur:
        stock = dict(
            cur.execute(
                "SELECT period, sum(value) FROM indicator_value WHERE indicator_code = 'TL_OUVERTS'"
                " AND territory_id LIKE 'COM-%' GROUP BY period"
            ).fetchall()
        )
        fabriques = dict(
            cur.execute(
                "SELECT period, sum(value) FROM indicator_value WHERE indicator_code = 'FAB_LABELLISEES'"
                " AND territory_id LIKE 'COM-%' GROUP BY period"
            ).fetchall()
        )
        manufactures = dict(
            cur.execute(
                "SELECT period, sum(value) FROM indicator_value WHERE indicator_code = 'MANUF_LABELLISEES'"
                " AND territory_id LIKE 'COM-%' GROUP BY period"
            ).fetchall()
        )
    assert (stock["2018"], stock["2021"], stock["2023"]) == (1800, 2500, 3500)
    assert (fabriques["2022"], fabriques["2024"]) == (300, 407)
    assert (manufactures["2022"], manufactures["2024"]) == (100, 116)


def test_regional_demo_series_add_up_to_the_national_figure(db):
    with db.read() as cur:
        total = cur.execute(
            "SELECT sum(value) FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS'"
            " AND period = '2023' AND territory_id LIKE 'REG-%'"
        ).fetchone()[0]
        national = cur.execute(
            "SELECT value FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS'"
            " AND period = '2023' AND territory_id = 'FR'"
        ).fetchone()[0]
    assert total == national == 24155
