"""The dashboard, a measure page and the alerts open in Chromium and show their key content."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_dashboard_measure_page_and_alerts(server, page):
    page.goto(server)
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("A2 — Fabriques de territoire")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Carte")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Règles de calcul du statut et seuils utilisés").first).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger les données (CSV)").first).to_be_visible()

    page.goto(f"{server}/mesures?mesure=M2.1")
    expect(page.get_by_role("heading", name="M2.1 — Labelliser 300 Fabriques de territoire d'ici 2022")).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("Statut calculé").first).to_be_visible()
    expect(page.get_by_role("heading", name="Avancement par région")).to_be_visible()

    page.goto(f"{server}/alertes")
    expect(page.get_by_role("heading", name="Mesures en retard ou compromises")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Indicateurs sans données récentes")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("link", name="Observer les tiers-lieux").first).to_be_visible()
