"""The registry and coverage pages on the real app: filters, demo label, editing and import by role."""

from accounts.models import Role, Scope, User
from tests.app.test_pages import texts

NATIONAL = User(email="anct@exemple.fr", name="ANCT", scopes=(Scope(role=Role.ministere),))


def test_registry_page_lists_demo_places_with_the_demo_label(app):
    app.switch_page("ui/registre.py")
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Registre des tiers-lieux"
    assert "Données de démonstration" in texts(at)
    found = {m.label: m.value for m in at.metric}
    assert int(found["Lieux trouvés"].replace("\u202f", "")) > 4000
    assert len(at.dataframe) == 1
    assert not at.tabs  # an anonymous reader sees no editing


def test_registry_filters_narrow_the_list(app):
    app.switch_page("ui/registre.py")
    at = app.run()
    label = next(s for s in at.selectbox if s.label == "Label")
    label.set_value("manufacture_proximite")
    at = at.run()
    assert not at.exception
    found = {m.label: m.value for m in at.metric}
    assert found["Lieux trouvés"] == "116"


def test_national_team_sees_the_edit_and_import_tabs(app):
    app.switch_page("ui/registre.py")
    app.session_state["user"] = NATIONAL
    at = app.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Nouveau lieu", "Modifier ou fermer", "Importer un fichier"]


def test_coverage_page_shows_the_share_and_the_ranking(app):
    app.switch_page("ui/couverture.py")
    at = app.run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Population à moins de 10 km"].endswith("%")
    assert len(at.dataframe) == 3
    assert "Données de démonstration" in texts(at)


def test_national_team_adds_a_place_through_the_form(app):
    app.switch_page("ui/registre.py")
    app.session_state["user"] = NATIONAL
    at = app.run()
    next(t for t in at.text_input if t.label == "Nom *").set_value("Tiers-lieu de la gare")
    next(t for t in at.text_input if t.label == "Code INSEE de la commune").set_value("77475")
    at = next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception
    assert any("Tiers-lieu de la gare" in s.value and "77475" in s.value for s in at.success)


def test_the_form_flags_a_typed_code_that_the_coordinates_contradict(app):
    app.switch_page("ui/registre.py")
    app.session_state["user"] = NATIONAL
    at = app.run()
    next(t for t in at.text_input if t.label == "Nom *").set_value("Coworking du canal de l'Ourcq")
    next(t for t in at.text_input if t.label == "Code INSEE de la commune").set_value("77284")  # Meaux
    next(n for n in at.number_input if n.label == "Latitude").set_value(48.9586)  # Trilport
    next(n for n in at.number_input if n.label == "Longitude").set_value(2.9663)
    at = next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception
    assert any("Coworking du canal de l'Ourcq" in s.value and "77284" in s.value for s in at.success)
    flagged = [w.value for w in at.warning if w.value.startswith("À vérifier")]
    assert flagged and "Trilport (77475)" in flagged[0] and "Meaux (77284)" in flagged[0]
