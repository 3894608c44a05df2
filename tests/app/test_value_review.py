"""Values "à vérifier" on the Saisie page, and the control rules on the measure page (AppTest, real app)."""

import pytest
from streamlit.testing.v1 import AppTest

from accounts.models import Role, Scope, User
from indicators import writes
from indicators.models import ValueChange
from tests.conftest import ROOT
from ui.context import _start

COORD = User(email="coord.idf@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
COORD_BIS = User(email="coord.bis@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
COORD_ARA = User(email="coord.ara@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-84"),))
MINISTERE = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))
PERIOD = "1995"  # no other test writes this year
WHERE = f"indicator_code = 'EMPLOIS_DIRECTS' AND period = '{PERIOD}'"


def _app_database():
    start = _start()
    assert start.wait(300) and start.error is None
    return start.database


@pytest.fixture
def flagged(app_db_file):
    """Five Île-de-France départements for 1995, one far from the others (M = 0.6745 × 88 = 59.4)."""
    database = _app_database()
    figures = {"DEP-75": 10, "DEP-77": 11, "DEP-78": 12, "DEP-91": 13, "DEP-92": 100}
    changes = [
        ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id=t, period=PERIOD, value=v)
        for t, v in figures.items()
    ]
    assert writes.apply(database, MINISTERE, changes, how="saisie").written
    yield database
    with database.transaction() as cur:
        cur.execute("DELETE FROM indicator_value WHERE " + WHERE)
        cur.execute("DELETE FROM value_review WHERE " + WHERE)


def review_tab(user):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.switch_page("ui/saisie.py")
    at.run()
    at.text_input(key="review_period").input(PERIOD)
    return at.run()


def shown(at):
    table = next(d.value for d in at.dataframe if "Raison" in d.value.columns)
    return table[["Territoire", "Période", "Valeur"]].values.tolist(), table


def test_a_coordinator_sees_the_outlier_of_their_region_with_the_rule_and_marks_it_verified(flagged):
    at = review_tab(COORD)
    assert not at.exception
    text = " ".join(str(m.value) for m in at.markdown)
    assert "3,5" in text and "0,6745" in text  # the threshold, from its one constant
    rows, table = shown(at)
    assert rows == [["Hauts-de-Seine", PERIOD, "100"]]
    assert table["Raison"].iloc[0] == "loin de ses pairs : M = 59,4 (médiane des 5 départements : 12, MAD 1)"
    at.button(key="review_mark").click()
    at = at.run()  # no comment: refused, nothing stored
    assert any("commentaire" in e.value for e in at.error)
    with flagged.read() as cur:
        assert cur.execute("SELECT count(*) FROM value_review WHERE " + WHERE).fetchone()[0] == 0
    at.text_input(key="review_comment").input("Chiffre confirmé par le réseau")
    at.button(key="review_mark").click()
    at = at.run()
    assert any("marquée vérifiée" in s.value for s in at.success)
    assert not any("Raison" in d.value.columns for d in at.dataframe)  # nothing left to check
    with flagged.read() as cur:
        audit = cur.execute(
            "SELECT actor, comment FROM audit_log WHERE action = 'verified' AND entity_key = ?",
            [f"EMPLOIS_DIRECTS|DEP-92|{PERIOD}|actual"],
        ).fetchall()
    assert audit == [(COORD.email, "Chiffre confirmé par le réseau")]
    at.checkbox(key="review_checked").check()
    rows, table = shown(at.run())
    assert (
        rows == [["Hauts-de-Seine", PERIOD, "100"]] and table["Commentaire"].iloc[0] == "Chiffre confirmé par le réseau"
    )


def test_another_regions_coordinator_does_not_see_it(flagged):
    at = review_tab(COORD_ARA)
    assert not at.exception
    assert not any("Raison" in d.value.columns for d in at.dataframe)
    assert any("Aucune valeur à vérifier" in s.value for s in at.success)


def test_the_measure_page_lists_the_control_rules_of_each_indicator(app):
    app.session_state["user"] = MINISTERE
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M4.2"
    at = app.run()
    assert not at.exception
    text = " ".join(str(m.value) for m in at.markdown)
    assert "Règles de contrôle" in text
    assert "Refus : au plus 1\u202f000\u202f000" in text  # EMPLOIS_DIRECTS, from data/plan.toml
    assert "Alerte : variation de plus de 100 %" in text


GRID_WHERE = "indicator_code = 'EMPLOIS_DIRECTS' AND period IN ('1996', '1997')"


@pytest.fixture
def previous_year(app_db_file):
    """DEP-77 has 10 jobs in 1996: 25 in 1997 is +150 %, above the 100 % of EMPLOIS_DIRECTS."""
    database = _app_database()
    change = ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="1996", value=10)
    assert writes.apply(database, MINISTERE, [change], how="saisie").written
    yield database
    with database.transaction() as cur:
        cur.execute("DELETE FROM indicator_value WHERE " + GRID_WHERE)


def grid_page(user, period):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.switch_page("ui/saisie.py")
    at.run()
    at.text_input(key="saisie_period").input(period)
    at.selectbox(key="saisie_indicator").set_value("EMPLOIS_DIRECTS")
    return at.run()


def edit_and_click(at, cells, button):
    at.session_state[at.data_editor[0].key] = {"edited_rows": cells, "added_rows": [], "deleted_rows": []}
    at.button(key=button).click()
    return at.run()


def test_a_large_change_in_the_grid_is_saved_only_once_confirmed_with_a_comment(previous_year):
    at = grid_page(COORD, "1997")
    at = edit_and_click(at, {1: {"Valeur": "25"}}, "saisie_save")  # row 1: Seine-et-Marne (77)
    assert not at.exception
    assert any("1 valeur(s) inhabituelle(s) : rien n'a été enregistré" in w.value for w in at.warning)
    alert = next(d.value for d in at.dataframe if "Alerte" in d.value.columns)
    assert alert["Alerte"].tolist() == [
        "variation de +150 % par rapport à 1996 (10 → 25) : au-delà de 100 %, vérifiez la valeur"
    ]
    at.button(key="saisie_confirm_save").click()  # confirmed, but no comment yet
    at = at.run()
    assert any("commentaire qui l'explique" in w.value for w in at.warning)
    with previous_year.read() as cur:
        assert (
            cur.execute("SELECT count(*) FROM indicator_value WHERE period = '1997' AND " + GRID_WHERE).fetchone()[0]
            == 0
        )
    at = edit_and_click(at, {1: {"Valeur": "25", "Commentaire": "deux lieux ouverts"}}, "saisie_confirm_save")
    assert any("1 valeur(s) enregistrée(s)." in s.value for s in at.success)
    with previous_year.read() as cur:
        saved = cur.execute(
            "SELECT comment FROM audit_log WHERE entity = 'value' AND entity_key = 'EMPLOIS_DIRECTS|DEP-77|1997|actual'"
        ).fetchall()
    expected = (
        "deux lieux ouverts (alerte confirmée : variation de +150 % par rapport à 1996 (10 → 25) : "
        "au-delà de 100 %, vérifiez la valeur)"
    )
    assert saved == [(expected,)]


@pytest.fixture
def year_1990(app_db_file):
    """Paris has 10 jobs in 1990 (the years 1990-1991 are this test's own)."""
    database = _app_database()
    change = ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-75", period="1990", value=10)
    assert writes.apply(database, MINISTERE, [change], how="saisie").written
    yield database
    with database.transaction() as cur:
        cur.execute(
            "DELETE FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS' AND period IN ('1990', '1991')"
        )


def test_overwriting_a_conflict_with_a_large_change_asks_for_a_confirmation_and_a_comment(year_1990):
    first, second = grid_page(COORD, "1991"), grid_page(COORD_BIS, "1991")
    second = edit_and_click(second, {0: {"Valeur": "15"}}, "saisie_save")  # +50 %: saved
    assert any("1 valeur(s) enregistrée(s)." in s.value for s in second.success)
    first = edit_and_click(first, {0: {"Valeur": "30"}}, "saisie_save")  # stale
    first.button(key="saisie_conflict_overwrite").click()
    first = first.run()  # 10 → 30: +200 %
    assert any("inhabituelle" in w.value for w in first.warning)
    first.text_input(key="saisie_overwrite_note").input("chiffre du recensement")
    first.button(key="saisie_confirm_save").click()
    first = first.run()
    assert any("1 valeur(s) enregistrée(s)." in s.value for s in first.success)
    with year_1990.read() as cur:
        assert cur.execute(
            "SELECT value FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS' AND territory_id = 'DEP-75'"
            " AND period = '1991'"
        ).fetchone() == (30.0,)
