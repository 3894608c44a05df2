"""Review before publication on the real app: a coordinator submits, the national team returns one value and
publishes the rest in bulk, the coordinator sees why and corrects, the public sees only what was published."""

import pytest
from streamlit.testing.v1 import AppTest

from accounts.models import Role, Scope, User
from indicators import exports, revert, writes
from indicators.models import ValueChange
from tests.conftest import ROOT
from ui.context import _start

COORD = User(email="coord.idf@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
MINISTERE = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))
PERIOD = "1996"  # no other test writes this year
WHERE = f"indicator_code = 'EMPLOIS_DIRECTS' AND period = '{PERIOD}'"
FIGURES = {"DEP-75": 10, "DEP-77": 11, "DEP-78": 12, "DEP-91": 13, "DEP-92": 100}
REASON = "100 emplois contre 10 à 13 ailleurs : vérifiez l'unité."


@pytest.fixture
def submitted(app_db_file):
    """Five Île-de-France values for 1996 typed by the région's coordinator (DEP-92 far from the others)."""
    start = _start()
    assert start.wait(300) and start.error is None
    database = start.database
    changes = [
        ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id=t, period=PERIOD, value=v)
        for t, v in FIGURES.items()
    ]
    assert writes.apply(database, COORD, changes, how="saisie", confirm=True, note="relevé régional").written
    yield database
    with database.transaction() as cur:
        cur.execute("DELETE FROM indicator_value WHERE " + WHERE)
        cur.execute("DELETE FROM value_state WHERE " + WHERE)


def validation_tab(user, **choices):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = user
    at.switch_page("ui/saisie.py")
    at.run()
    for key, value in choices.items():
        at.selectbox(key=key).set_value(value)
        at.run()
    assert not at.exception
    return at


def public(database):
    frame = exports.values_frame(database, None, indicator="EMPLOIS_DIRECTS")
    frame = frame[frame["periode"] == PERIOD]
    return dict(zip(frame["territoire"], frame["valeur"]))


def table(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def this_period(frame):
    return frame[frame["Période"] == PERIOD]


def test_submit_return_one_publish_the_rest_correct_and_publish(submitted):
    assert public(submitted) == {}
    at = validation_tab(MINISTERE, validation_region="11", validation_period=PERIOD)
    listed = table(at, "À vérifier")
    assert listed[["Territoire", "Soumise"]].values.tolist() == [
        ["Paris", "10"],
        ["Seine-et-Marne", "11"],
        ["Yvelines", "12"],
        ["Essonne", "13"],
        ["Hauts-de-Seine", "100"],
    ]
    flagged = listed[listed["À vérifier"] != ""]
    assert flagged["Territoire"].tolist() == ["Hauts-de-Seine"]
    assert flagged["À vérifier"].iloc[0].startswith("loin de ses pairs")
    # return the outlier with a reason (an empty reason is refused first)
    choice = next(
        i for i, label in enumerate(at.selectbox(key="validation_choice").options) if "Hauts-de-Seine" in label
    )
    at.selectbox(key="validation_choice").set_value(choice)
    at.button(key="FormSubmitter:validation_return-Renvoyer pour correction").click()
    at = at.run()
    assert any("Indiquez pourquoi" in e.value for e in at.error)
    at.selectbox(key="validation_choice").set_value(choice)
    at.text_area(key="validation_reason").input(REASON)
    at.button(key="FormSubmitter:validation_return-Renvoyer pour correction").click()
    at = at.run()
    assert any("renvoyée au coordinateur" in s.value for s in at.success)
    assert "Hauts-de-Seine" not in set(table(at, "À vérifier")["Territoire"])
    assert at.button(key="validation_publish").label == "Publier les 4 valeur(s) de la liste"
    at.button(key="validation_publish").click()
    at = at.run()
    assert any("4 valeur(s) publiée(s)." in s.value for s in at.success)
    assert public(submitted) == {"DEP-75": 10, "DEP-77": 11, "DEP-78": 12, "DEP-91": 13}

    # the coordinator sees the returned value and why
    mine = validation_tab(COORD)
    returned = this_period(table(mine, "Motif du renvoi"))  # other tests' values of the app may be in review
    assert returned[["Territoire", "État", "Motif du renvoi"]].values.tolist() == [
        ["Hauts-de-Seine", "À corriger", REASON]
    ]
    assert table(mine, "Motif du renvoi")["État"].iloc[0] == "À corriger"  # returned values come first
    fix = ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-92", period=PERIOD, value=14)
    assert writes.apply(submitted, COORD, [fix], how="saisie", confirm=True, note="unité corrigée").written
    assert this_period(table(validation_tab(COORD), "Motif du renvoi"))["État"].tolist() == ["Soumis"]

    at = validation_tab(MINISTERE, validation_region="11", validation_period=PERIOD)
    assert table(at, "À vérifier")[["Territoire", "Publiée avant", "Soumise"]].values.tolist() == [
        ["Hauts-de-Seine", "—", "14"]
    ]
    at.button(key="validation_publish").click()
    at = at.run()
    assert public(submitted) == {"DEP-75": 10, "DEP-77": 11, "DEP-78": 12, "DEP-91": 13, "DEP-92": 14}
    history = revert.history(submitted, "EMPLOIS_DIRECTS", "DEP-92", PERIOD)["entries"]
    assert history[["action", "actor", "new_value"]].values.tolist() == [
        ["insert", COORD.email, 100.0],
        ["return", MINISTERE.email, 100.0],
        ["update", COORD.email, 14.0],
        ["publish", MINISTERE.email, 14.0],
    ]
    assert history["comment"].tolist()[:3] == ["relevé régional", REASON, "unité corrigée"]
