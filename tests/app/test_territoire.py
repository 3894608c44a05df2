"""Mon territoire as an élu: the shared address opens the territory and its peer comparison."""

from accounts.models import Role, Scope, User

ELU = User(email="elu@x.fr", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),))


def texts(at):
    return " ".join(
        str(e.value) for e in (*at.markdown, *at.header, *at.subheader, *at.caption, *at.warning, *at.info, *at.error)
    )


def open_as_elu(app, **params):
    app.session_state["user"] = ELU
    app.switch_page("ui/territoire.py")
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def test_an_elu_opens_trilport_from_its_address_and_sees_its_comparison(app):
    at = open_as_elu(app, territoire="77475")
    assert not at.exception
    assert at.header[0].value == "Trilport — Commune"
    page = texts(at)
    assert "Comparé à " in page and "territoires comparables" in page
    assert "Même typologie (Périurbain)" in page
    assert "Données de démonstration" in page
    comparison = at.dataframe[1].value
    assert "Tiers-lieux ouverts" in set(comparison["Indicateur"])
    assert comparison["Position"].str.contains("territoire").all()
    labels = {m.label for m in at.metric}
    assert any(label.startswith("Médiane de ") for label in labels)
    assert "Fiche pour le conseil" in page


def test_an_elu_without_address_lands_on_its_own_territory(app):
    at = open_as_elu(app)
    assert not at.exception
    assert at.header[0].value == "Trilport — Commune"


def test_choosing_the_k_most_similar_changes_the_group(app):
    at = open_as_elu(app, territoire="77475")
    at = at.radio(key="peer_mode").set_value("k").run()
    assert not at.exception
    assert "Comparé à 20 territoires comparables" in texts(at)


def test_an_epci_opens_by_its_siren(app):
    at = open_as_elu(app, territoire="200072130")
    assert not at.exception
    assert at.header[0].value.startswith("CA du Pays de Meaux")
    assert "Comparé à " in texts(at)
