"""Every page renders on the real app and shows its key content."""


def texts(at):
    return " ".join(
        str(e.value)
        for e in (*at.markdown, *at.title, *at.header, *at.subheader, *at.caption, *at.warning, *at.info, *at.error)
    )


def test_dashboard_shows_sourced_national_figures_and_the_demo_label(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Tableau de bord national"
    assert "Données de démonstration" in texts(at)
    labels = {m.label: m.value for m in at.metric}
    assert labels["Tiers-lieux ouverts"] == "3\u202f500"
    assert "Recensement des tiers-lieux 2023" in texts(at)


def test_plan_page_shows_a_measure_with_its_indicators_and_sources(app):
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M2.1"
    at = app.run()
    assert not at.exception
    assert at.header[0].value.startswith("M2.1 — Labelliser 300 Fabriques")
    assert any("FAB_LABELLISEES" in e.label for e in at.expander)
    assert "Fabriques de territoire" in texts(at)


def test_territory_page_opens_trilport_from_its_address(app):
    app.switch_page("ui/territoire.py")
    app.query_params["territoire"] = "77475"
    at = app.run()
    assert not at.exception
    assert at.header[0].value == "Trilport — Commune"
    assert "(approché)" in " ".join(m.label for m in at.metric)


def test_territory_page_explains_an_unknown_code(app):
    app.switch_page("ui/territoire.py")
    app.query_params["territoire"] = "99999"
    at = app.run()
    assert "est inconnu" in at.error[0].value


def test_data_page_lists_sources_and_licences(app):
    app.switch_page("ui/donnees.py")
    at = app.run()
    assert not at.exception
    assert "Licence Ouverte" in texts(at)
    assert len(at.dataframe) >= 2


def test_about_page_shows_the_approximation_thresholds(app):
    app.switch_page("ui/apropos.py")
    at = app.run()
    assert not at.exception
    assert "approchée" in texts(at)


def test_entry_page_renders(app):
    from accounts.models import Role, Scope, User

    app.session_state["user"] = User(
        email="coordination@exemple.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),)
    )
    app.switch_page("ui/saisie.py")
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Saisie des indicateurs"


def test_data_page_says_how_much_of_the_typology_is_approximated(app):
    app.switch_page("ui/donnees.py")
    at = app.run()
    assert "100 % des communes ont encore une typologie" in texts(at).replace("\u202f", " ")
    assert not any("classification officielle" in e.label for e in at.expander)  # national team only


def test_the_national_team_sees_the_insee_import(app):
    from accounts.models import Role, Scope, User

    app.session_state["user"] = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))
    app.switch_page("ui/donnees.py")
    at = app.run()
    assert any("classification officielle" in e.label for e in at.expander)
