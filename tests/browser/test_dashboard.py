"""The national dashboard opens in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_dashboard_opens_with_figures_and_the_demo_label(server, page):
    page.goto(server)
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Données de démonstration").first).to_be_visible()
    page.get_by_role("tab", name="Axes").click()  # the axis cards are one tap away from the summary
    expect(page.get_by_text("Tiers-lieux ouverts").first).to_be_visible()


def test_a_territory_opens_from_a_shared_address(server, page):
    page.goto(f"{server}/territoire?territoire=77475")
    expect(page.get_by_role("heading", name="Trilport — Commune")).to_be_visible(timeout=60_000)
