"""First start on an empty folder, in Chromium: the page shows the build's steps, then the dashboard."""

import pytest

from tests.browser.conftest import start_server
from tests.conftest import whole_france

pytestmark = pytest.mark.browser


def test_first_visit_shows_the_build_steps_then_the_dashboard(page, tmp_path):
    path = tmp_path / "neuve" / "carrefours.duckdb"
    # The server starts building at launch: the whole of France keeps the build long enough to be seen.
    with whole_france():
        process, url = start_server(path, {"CARREFOURS_DEMO": "0"})
    try:
        page.goto(url)
        page.get_by_role("heading", name="Préparation de la base Carrefours").wait_for(timeout=60_000)
        assert page.get_by_role("progressbar").count() == 1
        page.screenshot(path=str(tmp_path / "premier-demarrage.png"))
        page.get_by_role("heading", name="Tableau de bord national").wait_for(timeout=300_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert path.exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
