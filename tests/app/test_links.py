"""Links between pages on the real app: only to pages the viewer has, and they open on what they name."""

import pytest

from accounts.models import ANONYMOUS, Role, Scope, User
from tests.app.test_access import sign_in

VIEWERS = {
    "anonyme": ANONYMOUS,
    "elu": User(email="elu@exemple.fr", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),)),
    "coordinateur": User(email="c@exemple.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),)),
    "ministere": User(email="m@exemple.fr", scopes=(Scope(role=Role.ministere),)),
    "admin": User(email="a@exemple.fr", scopes=(Scope(role=Role.admin),)),
}


@pytest.mark.parametrize("page", ["ui/completude.py", "ui/alertes.py"])
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_follow_up_pages_open_for_every_viewer_without_a_link_to_a_missing_page(app, viewer, page):
    if VIEWERS[viewer] != ANONYMOUS:
        app.session_state["user"] = VIEWERS[viewer]
    app.run()
    app.switch_page(page)
    at = app.run()
    assert not at.exception, at.exception
    links = [e.proto.page for e in at.get("page_link")]
    may_enter = viewer in ("coordinateur", "ministere")
    assert any("saisie" in link for link in links) == may_enter, links


def test_a_saisir_link_opens_the_grid_on_its_region_indicator_and_period(app):
    app.session_state["user"] = VIEWERS["ministere"]
    app.run()
    app.switch_page("ui/saisie.py")
    app.query_params.update({"region": "11", "indicateur": "EMPLOIS_DIRECTS", "periode": "2024"})
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="saisie_region").value == "11"
    assert at.selectbox(key="saisie_indicator").value == "EMPLOIS_DIRECTS"
    assert at.text_input(key="saisie_period").value == "2024"
    # The address no longer forces them: the person can pick another région afterwards.
    at.selectbox(key="saisie_region").set_value("84")
    assert at.run().selectbox(key="saisie_region").value == "84"


def test_an_elu_lands_on_their_own_territory_after_signing_in(app):
    # The sign-in form (POST /connexion/compte) checks the password, then sends the person to "/".
    at = sign_in(app, "elu.trilport@demo.test", "demo-elu-trilport")
    assert not at.exception
    assert at.title[0].value == "Mon territoire"
    assert "Trilport" in " ".join(str(e.value) for e in (*at.header, *at.subheader, *at.markdown))
    at = app.run()  # the address "/" of a signed-in élu is their territory too
    assert at.title[0].value == "Mon territoire"


def test_a_coordinator_s_completeness_starts_with_their_own_region(app):
    app.session_state["user"] = VIEWERS["coordinateur"]
    app.run()
    app.switch_page("ui/completude.py")
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="completude_region").value == "REG-11"
    assert set(at.dataframe[0].value["Région"]) == {"Île-de-France"}
    at.selectbox(key="completude_region").set_value("").run()
    assert len(set(at.dataframe[0].value["Région"])) > 1


def test_the_national_team_s_completeness_starts_with_every_region(app):
    app.session_state["user"] = VIEWERS["ministere"]
    app.run()
    app.switch_page("ui/completude.py")
    assert app.run().selectbox(key="completude_region").value == ""
