"""Freshness on the real app: Complétude says how late a région is, the measure and data pages show each
indicator's periodicity, delay and contact."""

from datetime import date

from plan.freshness import today_paris
from tests.app.test_links import VIEWERS
from tests.app.test_pages import texts


def test_a_coordinator_s_completeness_says_how_late_their_own_region_is(app):
    app.session_state["user"] = VIEWERS["coordinateur"]
    app.run()
    app.switch_page("ui/completude.py")
    at = app.run()
    assert not at.exception
    late = at.dataframe[0].value
    assert set(late["Région"]) == {"Île-de-France"}  # their own région first
    # Emplois directs 2025 (annual survey, 180 days): due 31/12/2025 + 180 days = 29/06/2026.
    row = late[(late["Indicateur"] == "Emplois directs dans les tiers-lieux") & (late["Période"] == "2025")].iloc[0]
    assert row["Échéance"] == "29/06/2026"
    days = (today_paris() - date(2026, 6, 29)).days
    assert row["Retard"] == f"en retard de {days} jours"
    assert row["Gravité"] == ("Très en retard" if days > 365 else "En retard")
    # Every row states its delay the same way: its due date, then the days since.
    for due, said in zip(late["Échéance"], late["Retard"]):
        d, m, y = map(int, due.split("/"))
        n = (today_paris() - date(y, m, d)).days
        assert said == f"en retard de {n} jour{'s' if n > 1 else ''}"
    assert "très en retard quand l'échéance est dépassée de plus d'une durée de sa période" in texts(at)
    # Counts read as French numbers (1 266, not 1266) in every table of the page.
    for frame in (late, at.dataframe[2].value):
        for column in ("Reçues", "Attendues"):
            assert frame[column].str.fullmatch(r"\d{1,3}(\u202f\d{3})*").all(), frame[column].tolist()
    assert at.dataframe[2].value["Attendues"].str.contains("\u202f").any()  # Île-de-France: over 1 000 communes


def test_the_measure_page_shows_periodicity_delay_and_contact(app):
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M4.2"
    at = app.run()
    assert not at.exception
    shown = texts(at)
    assert (
        "Périodicité : annuelle ; donnée attendue 180 jours après la fin de la période ; contact : "
        "France Tiers-Lieux — Observatoire des tiers-lieux (contact à confirmer)."
    ) in shown


def test_the_data_page_catalogue_lists_delay_and_contact(app):
    app.switch_page("ui/donnees.py")
    at = app.run()
    assert not at.exception
    catalog = next(df.value for df in at.dataframe if "Contact" in df.value.columns).set_index("Code")
    assert catalog.at["TL_OUVERTS", "Donnée attendue"] == "dès la fin de la période"
    assert catalog.at["FAB_CREDITS", "Donnée attendue"] == "90 jours après la fin de la période"
    assert catalog.at["FAB_CREDITS", "Contact"] == "ANCT — Programme Fabriques de territoire (contact à confirmer)"
    assert catalog.at["FAB_CREDITS", "Périodicité"] == "annuelle"


def test_alerts_say_how_late_a_stale_indicator_is_by_the_same_rule(app):
    app.session_state["user"] = VIEWERS["ministere"]
    app.run()
    app.switch_page("ui/alertes.py")
    at = app.run()
    assert not at.exception
    stale = at.dataframe[-1].value
    # Zones d'emploi sans tiers-lieu, 180 days after 31/12: due on 29/06 (28/06 in a leap year); France has
    # no value for the latest year past due (the plan sources only 2018).
    today = today_paris()
    due = date(today.year, 6, 28 if today.year % 4 == 0 else 29)
    year = today.year - 1 if today > due else today.year - 2
    due = date(year + 1, 6, 28 if (year + 1) % 4 == 0 else 29)
    row = stale[(stale["Indicateur"] == "Part des zones d'emploi sans tiers-lieu") & (stale["Territoire"] == "France")]
    row = row.iloc[0]
    assert (row["Période due jusqu'au"], row["Échéance"]) == (f"31/12/{year}", f"{due:%d/%m/%Y}")
    assert row["Retard"] == f"en retard de {(today - due).days} jours"  # today (03/12/2026): 157 jours
    assert "très en retard quand l'échéance est dépassée de plus d'une durée de sa période" in texts(at)
