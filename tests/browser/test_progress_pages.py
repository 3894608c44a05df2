"""The dashboard, a measure page and the alerts open in Chromium and show their key content."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_dashboard_measure_page_and_alerts(server, page):
    page.goto(server)
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Règles de calcul du statut et seuils utilisés").first).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="Axes").click()  # the dashboard's details are one tap from its summary
    expect(page.get_by_text("A2 — Fabriques de territoire")).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="Carte").click()
    expect(page.get_by_role("heading", name="Carte")).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="Mesures").click()
    expect(page.get_by_role("button", name="Télécharger les données (CSV)").first).to_be_visible()

    page.goto(f"{server}/mesures?mesure=M2.1")
    expect(page.get_by_role("heading", name="M2.1 — Labelliser 300 Fabriques de territoire d'ici 2022")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("Statut calculé").first).to_be_visible()
    expect(page.get_by_role("heading", name="Avancement par région")).to_be_visible()

    page.goto(f"{server}/alertes")
    expect(page.get_by_role("heading", name="Mesures en retard ou compromises")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Indicateurs sans données récentes")).to_be_visible(timeout=60_000)
    # The late measures are a table whose rows open their measure in the same tab (followed, and the person
    # checked still signed in, by test_every_page.py::test_links_in_tables_keep_the_person_signed_in).
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
