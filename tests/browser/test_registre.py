"""The registry page opens in a real browser with its map, table and demo label."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_registry_page_shows_places_and_the_demo_label(server, page):
    page.goto(f"{server}/registre")
    expect(page.get_by_role("heading", name="Registre des tiers-lieux")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Données de démonstration").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Lieux trouvés")).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger la sélection (CSV)")).to_be_visible(timeout=30_000)
