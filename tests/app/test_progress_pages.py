"""The ministry's progress pages render on the real app: dashboard, a measure page, alerts, completeness."""

import pytest

from accounts.models import Role, Scope, User
from tests.app.test_pages import texts

MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))


@pytest.fixture
def ministry(app):
    app.session_state["user"] = MINISTRY
    return app


def test_dashboard_shows_axis_cards_statuses_thresholds_and_downloads(ministry):
    at = ministry.run()
    assert not at.exception
    shown = texts(at)
    assert "A2 — Fabriques de territoire" in shown
    assert "Compromis" in shown and "Atteint" in shown
    assert "Règles de calcul du statut et seuils utilisés" in [e.label for e in at.expander]
    labels = {m.label: m.value for m in at.metric}
    assert labels["Fabriques de territoire labellisées (cumul)"] == "407"
    assert labels["Part des tiers-lieux en commune rurale"] == "34\u202f%"
    assert len(at.get("download_button")) >= 4  # measures, régions, map, series each have their CSV
    assert "Données de démonstration" in shown


def test_dashboard_filters_measures_by_computed_status(ministry):
    at = ministry.run()
    table = at.dataframe[0].value
    everything = len(table)
    status_filter = next(w for w in at.multiselect if w.label == "Statut calculé")
    status_filter.select("atteint").run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < everything
    assert set(filtered["Statut calculé"]) == {"Atteint"}


def test_measure_page_shows_progress_by_region_and_lets_the_ministry_add_a_note(ministry):
    ministry.switch_page("ui/mesures.py")
    ministry.query_params["mesure"] = "M1.1"
    at = ministry.run()
    assert not at.exception
    assert at.header[0].value.startswith("M1.1 — Observer les tiers-lieux")
    labels = {m.label: m.value for m in at.metric}
    assert labels["Avancement"] == "—"  # the 5 000 of 2025 is a projection: no rate against it
    assert "Avancement par région" in [s.value for s in at.subheader]
    at.text_area[0].input("Recensement 2025 lancé avec France Tiers-Lieux")
    at.button(key="FormSubmitter:note-Ajouter la note").click()
    at.run()
    assert not at.exception
    assert "Recensement 2025 lancé avec France Tiers-Lieux" in texts(at)


def test_dashboard_filters_measures_without_recent_data(ministry):
    at = ministry.run()
    everything = len(at.dataframe[0].value)
    next(c for c in at.checkbox if c.label == "Sans données récentes").check().run()
    stale = at.dataframe[0].value
    assert 0 < len(stale) < everything
    assert "M5.1" in set(stale["Mesure"])  # no indicator at all
    assert "M2.1" not in set(stale["Mesure"])  # registry values up to 2025


def test_the_ministry_changes_status_and_meteo_and_the_history_shows_it(ministry):
    ministry.switch_page("ui/mesures.py")
    ministry.query_params["mesure"] = "M4.3"
    at = ministry.run()
    status = next(s for s in at.selectbox if s.label == "Statut")
    meteo = next(s for s in at.selectbox if s.label == "Météo")
    status.select("en_retard")
    meteo.select("orage")
    next(t for t in at.text_input if t.label.startswith("Commentaire")).input("Objectif non atteint fin 2023")
    at.button(key="FormSubmitter:statut-Enregistrer le statut").click()
    at.run()
    assert not at.exception
    assert "Statut et météo enregistrés." in [s.value for s in at.success]
    history = next(
        df.value for df in at.dataframe if "Commentaire" in df.value.columns and "Auteur" in df.value.columns
    )
    assert history.iloc[0]["Statut"] == "En retard" and history.iloc[0]["Auteur"] == "m@x.fr"


def test_measure_page_hides_the_editing_forms_from_anonymous_readers(app):
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M2.1"
    at = app.run()
    assert not at.exception
    assert len(at.text_area) == 0
    assert "ajoutées par l'équipe nationale" in texts(at)


def test_measure_page_explains_an_unknown_code(app):
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M9.9"
    at = app.run()
    assert "n'existe pas" in at.error[0].value


def test_alerts_list_late_measures_and_stale_indicators_with_links(ministry):
    ministry.switch_page("ui/alertes.py")
    at = ministry.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "Mesures en retard ou compromises",
        "Territoires en dessous de leurs pairs",
        "Indicateurs sans données récentes",
    ]
    late = at.dataframe[0].value
    assert "M4.3" in set(late["Mesure"])  # service civique behind its cumulative trajectory
    assert "M2.1" not in set(late["Mesure"])  # the ZRR share is not set against the rural target
    stale = at.dataframe[-1].value
    assert "Part des zones d'emploi sans tiers-lieu" in set(stale["Indicateur"])


def test_completeness_says_who_is_late(ministry):
    ministry.switch_page("ui/completude.py")
    at = ministry.run()
    assert not at.exception
    late = at.dataframe[0].value
    assert "Île-de-France" in set(late["Région"])
    assert "Emplois directs dans les tiers-lieux" in set(late["Indicateur"])


def test_about_page_shows_the_status_thresholds(app):
    app.switch_page("ui/apropos.py")
    at = app.run()
    assert "Statut calculé des mesures : règles et seuils" in [s.value for s in at.subheader]
