"""The Saisie page as coordinators, the national team and others use it (AppTest on the real app)."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from accounts.models import Role, Scope, User
from tests.conftest import ROOT

COORD = User(email="coord.idf@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
OTHER = User(email="coord.bis@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
MINISTERE = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))
ELU = User(email="maire@trilport.fr", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),))


def texts(at):
    return " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.success))


def open_page(app_db_file, user, period="2000"):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.switch_page("ui/saisie.py")
    at.run()
    at.text_input(key="saisie_period").input(period)
    at.selectbox(key="saisie_indicator").set_value("EMPLOIS_DIRECTS")
    return at.run()


def edit(at, cells: dict):
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": cells, "added_rows": [], "deleted_rows": []}
    at.button(key="saisie_save").click()
    return at.run()


def tables(at) -> list[pd.DataFrame]:
    """The read-only tables shown (st.dataframe), without the editor."""
    return [d.value for d in at.dataframe if not (d.key or "").startswith("saisie_grille")]


def grid(at) -> pd.DataFrame:
    return at.data_editor[0].value.set_index("Code")


@pytest.mark.parametrize("user", [None, ELU])
def test_only_coordinators_and_the_national_team_may_enter_values(app, user):
    if user is not None:
        app.session_state["user"] = user
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("ui/saisie.py")


def test_a_session_that_loses_the_role_no_longer_sees_the_grid(app):
    app.session_state["user"] = COORD
    app.switch_page("ui/saisie.py")
    assert app.run().data_editor
    app.session_state["user"] = ELU  # the role changed while the page was open
    at = app.run()
    assert at.title[0].value != "Saisie des indicateurs" and not at.data_editor


def test_a_coordinator_sees_only_their_region_and_saves_a_value(app_db_file):
    at = open_page(app_db_file, COORD, "2000")
    assert not at.exception
    assert at.selectbox(key="saisie_region").options == ["Île-de-France"]
    assert list(grid(at).index) == ["75", "77", "78", "91", "92", "93", "94", "95"]
    at = edit(at, {1: {"Valeur": 42, "Commentaire": "relevé trimestriel"}})
    assert "1 valeur(s) enregistrée(s)." in texts(at)
    assert grid(at).loc["77", "Valeur"] == "42" and grid(at).loc["77", "Commentaire"] == "relevé trimestriel"
    # The history tab shows who changed it.
    at.text_input(key="hist_territory").input("DEP-77")
    at.text_input(key="hist_period").input("2000")
    at.selectbox(key="hist_indicator").set_value("EMPLOIS_DIRECTS")
    at.run()
    history = tables(at)[-1]
    assert history["Auteur"].tolist() == [COORD.email] and history["Après"].tolist() == ["42"]


def test_a_wrong_cell_is_named_and_nothing_is_saved(app_db_file):
    at = open_page(app_db_file, COORD, "2001")
    at = edit(at, {0: {"Valeur": 5}, 2: {"Valeur": -3}})
    assert "Rien n'a été enregistré" in texts(at)
    problems = tables(at)[0]
    assert problems["Territoire"].str.contains("Yvelines").any()
    assert problems["Problème"].str.contains("négatif").any()
    assert (grid(at)["Valeur"] == "").all()


def test_cells_a_client_should_not_edit_are_ignored(app_db_file):
    at = open_page(app_db_file, COORD, "2002")
    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {0: {"Code": "69", "Territoire": "Rhône", "Valeur": 3}},
        "added_rows": [{"Code": "69", "Valeur": 8}],
        "deleted_rows": [1],
    }
    at.button(key="saisie_save").click()
    at.run()
    shown = grid(at)
    assert "69" not in shown.index and shown.loc["75", "Valeur"] == "3" and len(shown) == 8


def test_two_sessions_editing_the_same_value_the_second_sees_both_and_chooses(app_db_file):
    # 1993: no test writes 1992, so no change from the previous period makes a soft rule speak.
    first = open_page(app_db_file, COORD, "1993")
    second = open_page(app_db_file, OTHER, "1993")  # both loaded the empty value
    second = edit(second, {0: {"Valeur": 5}})
    assert "1 valeur(s) enregistrée(s)." in texts(second)
    first = edit(first, {0: {"Valeur": 7}, 1: {"Valeur": 1}})
    assert "modifiée(s) par quelqu'un d'autre" in texts(first)
    conflict = next(t for t in tables(first) if "Votre valeur" in t.columns).iloc[0]
    assert (conflict["Votre valeur"], conflict["Valeur enregistrée"], conflict["Modifiée par"]) == (
        "7",
        "5",
        OTHER.email,
    )
    assert grid(first).loc["77", "Valeur"] == "1"  # the fresh value of the same save went through
    assert grid(first).loc["75", "Valeur"] == "5"  # the grid reloaded: their value, not ours
    first.button(key="saisie_conflict_overwrite").click()
    first.run()
    assert grid(first).loc["75", "Valeur"] == "7"


def test_an_import_is_previewed_with_every_faulty_line_then_committed(app_db_file):
    at = open_page(app_db_file, COORD, "2004")
    bad = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2004;4\nEMPLOIS_DIRECTS;DEP-69;2004;4\n"
    at.file_uploader(key="import_file").set_value(("valeurs.csv", bad.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert "rien n'a été importé" in texts(at)
    errors = next(t for t in tables(at) if "Ligne" in t.columns)
    assert errors[["Ligne", "Colonne"]].values.tolist() == [["3", "territoire"]]
    good = "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2004;4\nEMPLOIS_DIRECTS;DEP-78;2004;6\n"
    at.file_uploader(key="import_file").set_value(("valeurs.csv", good.encode(), "text/csv"))
    at.run()
    assert "2 nouvelle(s)" in texts(at)
    at.button(key="import_commit").click()
    at.run()
    assert "Import terminé : 2 valeur(s) enregistrée(s)." in texts(at)
    assert at.button(key="saisie_reload").click().run()
    assert grid(at).loc["78", "Valeur"] == "6"


def test_the_national_team_locks_a_period_and_coordinators_are_refused(app_db_file):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = MINISTERE
    at.switch_page("ui/saisie.py")
    at.run()
    at.selectbox(key="lock_region").set_value("11")
    at.text_input(key="lock_period").input("2005")
    at.button(key="lock_do").click()
    at.run()
    assert "verrouillée pour Île-de-France" in texts(at)
    coord = open_page(app_db_file, COORD, "2005")
    coord = edit(coord, {0: {"Valeur": 1}})
    assert "Rien n'a été enregistré" in texts(coord)
    assert tables(coord)[0]["Problème"].str.contains("verrouillée").any()


def test_a_coordinator_has_no_lock_section(app_db_file):
    at = open_page(app_db_file, COORD, "2006")
    assert [t.label for t in at.tabs] == ["Saisie", "Import", "À vérifier", "Validation", "Historique", "Exports"]


def test_values_typed_the_french_way_are_saved_and_shown_in_french(app_db_file):
    at = open_page(app_db_file, COORD, "2007")
    at.selectbox(key="saisie_indicator").set_value("CA_TOTAL")  # euros: decimals allowed
    at = at.run()
    shown = grid(at)
    assert (shown["Valeur"] == "").all() and (shown["Commentaire"] == "").all()  # empty, never "None"
    at = edit(
        at, {0: {"Valeur": "1234,5"}, 1: {"Valeur": "1 234,5"}, 2: {"Valeur": "12,5 €"}, 3: {"Valeur": "2\u202f000"}}
    )
    assert "4 valeur(s) enregistrée(s)." in texts(at)
    shown = grid(at)
    nnbsp = "\u202f"
    assert shown.loc[["75", "77", "78", "91"], "Valeur"].tolist() == [
        f"1{nnbsp}234,5",
        f"1{nnbsp}234,5",
        "12,5",
        f"2{nnbsp}000",
    ]
    assert "None" not in shown.to_string()
    at = edit(at, {4: {"Valeur": "douze"}})
    assert "« douze » n'est pas un nombre" in tables(at)[0]["Problème"].iloc[0]


def test_an_undo_shows_the_value_before_at_once_in_the_history(app_db_file):
    at = open_page(app_db_file, COORD, "2008")
    at = edit(at, {1: {"Valeur": "10"}})
    at = edit(at, {1: {"Valeur": "1 025"}})
    at.text_input(key="hist_territory").input("DEP-77")
    at.text_input(key="hist_period").input("2008")
    at.selectbox(key="hist_indicator").set_value("EMPLOIS_DIRECTS")
    at.run()
    assert "**Valeur actuelle** : 1\u202f025" in texts(at)
    assert tables(at)[-1]["Après"].tolist() == ["10", "1\u202f025"]
    at.selectbox(key="hist_revert_id").set_value(int(tables(at)[-1]["N°"].iloc[-1]))
    at.button(key="hist_revert").click()
    at = at.run()
    # The same run that undoes shows the restored value and the undo itself in the history.
    assert "**Valeur actuelle** : 10" in texts(at)
    history = tables(at)[-1]
    assert history["Origine"].tolist()[-1] == "annulation" and history["Après"].tolist()[-1] == "10"
    assert "annulée" in texts(at)
    assert history["Date"].str.fullmatch(r"\d\d/\d\d/\d{4} à \d\d:\d\d").all()
    assert grid(at).loc["77", "Valeur"] == "10"  # the entry grid reloaded too


@pytest.mark.parametrize("cell", [True, [1, 2], {"a": 1}, 10**400, "9" * 400])
def test_a_forged_grid_payload_is_explained_and_nothing_is_saved(app_db_file, cell):
    at = open_page(app_db_file, COORD, "2010")
    at = edit(at, {0: {"Valeur": cell}})
    assert not at.exception
    assert "Rien n'a été enregistré" in texts(at)
    assert "nombre" in tables(at)[0]["Problème"].iloc[0]
    assert grid(at)["Valeur"].eq("").all()


def prepared_export(at):
    at.selectbox(key="exp_indicator").set_value("EMPLOIS_DIRECTS")
    at = at.button(key="exp_prepare").click().run()
    assert not at.exception
    return [b for b in at.get("download_button") if b.proto.label.startswith("Télécharger valeurs_")]


def test_sign_out_leaves_nothing_of_the_previous_user_to_the_next_one(app_db_file):
    from tests.app.test_access import sign_in

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at = sign_in(app, "ministere@demo.test", "demo-equipe-nationale")
    app.switch_page("ui/saisie.py")
    assert len(prepared_export(app.run())) == 1
    assert "exp_file" in app.session_state and "saisie_served" in app.session_state
    at = app.button(key="sign_out").click().run()
    assert "user" not in at.session_state and "exp_file" not in at.session_state
    at = sign_in(app, "coordinateur.idf@demo.test", "demo-coordination-idf")
    app.switch_page("ui/saisie.py")
    at = app.run()
    assert not at.exception
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Télécharger valeurs_")]
    for key in ("exp_file", "import_report", "saisie_conflicts", "hist_revert_id"):
        assert key not in at.session_state


def test_another_user_in_the_same_tab_gets_a_clean_session(app_db_file):
    at = open_page(app_db_file, MINISTERE)
    assert len(prepared_export(at)) == 1
    at.session_state["user"] = COORD  # the tab changes hands without a sign-out (e.g. ProConnect)
    at = at.run()
    assert not at.exception and "exp_file" not in at.session_state
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Télécharger valeurs_")]


@pytest.mark.parametrize("rows", [[1, 2], "x", {"0": ["Valeur", 5]}])
def test_a_forged_edited_rows_payload_is_ignored_and_nothing_is_saved(app_db_file, rows):
    at = open_page(app_db_file, COORD, "2010")
    before = grid(at)["Valeur"].copy()
    at = edit(at, rows)
    assert not at.exception
    assert "rien n'a été enregistré" in texts(at).lower()
    assert grid(at)["Valeur"].equals(before)
