"""The national dashboard on a phone (390×844): the summary on the first screen, short, the map full width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page import PHONE, SHOTS, settle

pytestmark = pytest.mark.browser
MAIN_HEIGHT = "document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
MAX_HEIGHT = 3_000  # px: about three and a half screens of a phone


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(server)
    settle(page)
    yield page
    context.close()


def test_the_first_screen_of_the_dashboard_on_a_phone_says_what_is_on_track_late_and_compromised(phone):
    summary = phone.get_by_test_id("stMain").get_by_text(re.compile(r"^\d+ mesures? sur \d+ ont"))
    expect(summary.first).to_be_in_viewport(timeout=30_000)
    for status in ("Dans les temps", "En retard", "Compromis"):
        expect(phone.get_by_test_id("stMetric").filter(has_text=status).first).to_be_in_viewport()
    height = phone.evaluate(MAIN_HEIGHT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "telephone-tableau-de-bord-premier-ecran.png"))
    assert height < MAX_HEIGHT, f"le tableau de bord mesure {height} px de haut sur un téléphone"
    # A measure to watch opens with one tap.
    watched = phone.get_by_test_id("stPageLink").filter(has_text=re.compile(r"Compromis|En retard")).first
    code = watched.inner_text().split(" — ")[0].split()[-1]
    watched.click()
    settle(phone)
    expect(phone.get_by_role("heading", name=re.compile(rf"^{re.escape(code)} — "))).to_be_visible(timeout=30_000)


def test_the_map_fills_the_width_of_a_phone(phone):
    phone.get_by_role("tab", name=re.compile("Carte")).click()
    settle(phone)
    chart = phone.locator('[role="tabpanel"]:not([hidden]) [data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible(timeout=30_000)
    phone.wait_for_timeout(1_000)  # Vega draws the outlines once the geojson has arrived
    # What Vega draws (SVG): the outlines' group, France and the overseas insets, without the legend.
    width = chart.locator("g.mark-shape").first.bounding_box()["width"]
    phone.screenshot(path=str(SHOTS / "telephone-tableau-de-bord-carte.png"), full_page=True)
    assert width >= 0.8 * PHONE["width"], f"la carte fait {width:.0f} px de large sur {PHONE['width']}"
