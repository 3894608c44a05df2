"""A browser session and an API client on the same value: whichever writes second from an old version is refused."""

from __future__ import annotations

import csv
import io

import duckdb
import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_saisie import SLOW, open_saisie_as_coordinator
from tests.http.conftest import serve

pytestmark = pytest.mark.browser
# The grid opens on its first indicator and the région's départements; Seine-et-Marne is its second row.
INDICATOR, TERRITORY, PERIOD = "CA_TOTAL", "DEP-77", "2012"
KEY = f"{INDICATOR}|{TERRITORY}|{PERIOD}|realise"


@pytest.fixture
def served(db_file):
    """The real app on a private copy, with personal tokens made as Mon compte makes them."""
    server = serve(db_file)
    yield server
    server.stop()


def api_import(url, token, text):
    return httpx.post(f"{url}/api/v1/values/import", params={"filename": "valeurs.csv"}, content=text.encode(),
                      headers={"Authorization": f"Bearer {token}"}, timeout=300)


def exported_version(url, token) -> int:
    """The version of the value in an export, as a partner's script reads it before preparing its file."""
    answer = httpx.get(f"{url}/api/v1/values/export", params={"indicator": INDICATOR, "territory": TERRITORY},
                       headers={"Authorization": f"Bearer {token}"}, timeout=300)
    assert answer.status_code == 200
    lines = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    return int(next(r["version"] for r in lines if r["periode"] == PERIOD and r["type"] == "realise"))


def stored(url, token) -> tuple[float, int]:
    answer = httpx.get(f"{url}/api/v1/history", params={"indicator": INDICATOR, "territory": TERRITORY,
                                                         "period": PERIOD}, headers={"Authorization": f"Bearer {token}"},
                       timeout=300)
    assert answer.status_code == 200
    current = answer.json()["current"]
    return current["value"], current["version"]


def type_in_seine_et_marne(page, text):
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)  # no rerun under way
    page.wait_for_timeout(2000)
    box = grid.bounding_box()
    # The grid is drawn on a canvas: open the Valeur cell of the second row, clear it, type.
    page.mouse.dblclick(box["x"] + 0.755 * box["width"], box["y"] + 35 + 35 + 17)
    page.wait_for_timeout(1000)
    page.keyboard.press("End")
    for _ in range(8):
        page.keyboard.press("Backspace")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)


def test_a_write_from_an_outdated_version_is_refused_whether_it_comes_from_the_api_or_the_browser(served, page):
    url, token, db_file = served.url, served.tokens["coordinator"], served.db_file
    assert api_import(url, token, f"indicateur;territoire;periode;valeur\n{INDICATOR};77;{PERIOD};100\n").status_code == 200
    page.set_viewport_size({"width": 1440, "height": 900})
    open_saisie_as_coordinator(url, page)
    page.get_by_role("textbox", name="Période").first.fill(PERIOD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("Seine-et-Marne", timeout=SLOW)
    # The browser now holds version 1. A script reads the same version 1 and writes first: accepted.
    read = exported_version(url, token)
    assert read == 1
    first = api_import(url, token, f"indicateur;territoire;periode;valeur;version\n{INDICATOR};77;{PERIOD};200;{read}\n")
    assert first.status_code == 200 and first.json()["updated"] == 1
    # The browser saves second, from the version it loaded: refused, said in French, nothing overwritten.
    type_in_seine_et_marne(page, "300")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("1 valeur(s) modifiée(s) par quelqu'un d'autre")).to_be_visible(timeout=SLOW)
    assert stored(url, token) == (200.0, 2)

    # Now the other way round: the script reads version 2, the browser reloads and saves first…
    read = exported_version(url, token)
    page.reload()  # a fresh page: the signed-in session goes on, the grid reads the stored versions
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    page.get_by_role("textbox", name="Période").first.fill(PERIOD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("200", timeout=SLOW)
    type_in_seine_et_marne(page, "400")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("1 valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)
    # …and the script's write from version 2 comes second: refused with a French message, nothing written.
    late = api_import(url, token, f"indicateur;territoire;periode;valeur;version\n{INDICATOR};77;{PERIOD};500;{read}\n")
    assert late.status_code == 409
    answer = late.json()
    assert not answer["written"] and answer["updated"] == 0
    assert "modifiée" in answer["erreur"] and "rien n'a été importé" in answer["erreur"]
    conflict = answer["conflicts"][0]
    assert (conflict["read_version"], conflict["their_version"], conflict["their_value"]) == (2, 3, 400.0)
    assert stored(url, token) == (400.0, 3)

    page.context.close()
    served.stop()
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        value = con.execute("SELECT value, version FROM indicator_value WHERE indicator_code = ? AND territory_id = ?"
                            " AND period = ? AND kind = 'realise'", [INDICATOR, TERRITORY, PERIOD]).fetchall()
        trail = con.execute("SELECT how, json_extract(new_data, '$.value')::DOUBLE FROM audit_log"
                            " WHERE entity = 'value' AND entity_key LIKE ? ORDER BY id", [KEY + "%"]).fetchall()
    finally:
        con.close()
    assert value == [(400.0, 3)]
    # Three accepted writes, and neither refused one, in the one audit trail.
    assert trail == [("import", 100.0), ("import", 200.0), ("saisie", 400.0)]
