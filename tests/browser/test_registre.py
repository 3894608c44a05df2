"""The registry page opens in a real browser with its map, table and demo label."""

import csv
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_registry_page_shows_places_and_the_demo_label(server, page):
    page.goto(f"{server}/registre")
    expect(page.get_by_role("heading", name="Registre des tiers-lieux")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Données de démonstration").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Lieux trouvés")).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger la sélection (CSV)")).to_be_visible(timeout=30_000)


def test_the_registry_csv_is_built_when_clicked_and_holds_the_selection(server, page):
    page.goto(f"{server}/registre")
    expect(page.get_by_text("Lieux trouvés")).to_be_visible(timeout=60_000)
    found = page.get_by_test_id("stMetric").filter(has_text="Lieux trouvés").get_by_test_id("stMetricValue")
    expect(found).to_have_text(re.compile(r"^[\d\s\u202f]+$"), timeout=30_000)
    count = int(re.sub(r"\D", "", found.inner_text()))
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Télécharger la sélection (CSV)").click()
    download = info.value
    assert download.suggested_filename == "registre_tiers_lieux.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    assert rows[0][:3] == ["id", "name", "address"]
    assert len(rows) - 1 == count  # one row per lieu found, as the page counts them
