"""Saisie in a real browser: a coordinator imports a file, types in the grid, meets a program writing the same value."""

from __future__ import annotations

import re

import duckdb
import httpx
import pytest
from playwright.sync_api import expect

from bootstrap import open_database
from indicators import grid
from tests.browser.conftest import start_server
from tests.http.conftest import make_tokens

pytestmark = pytest.mark.browser
SLOW = 60_000


def open_saisie_as_coordinator(server, page):
    """Sign in with the form as Île-de-France's coordinator and open Saisie from the menu."""
    open_saisie(server, page, "coordinateur.idf@demo.test", "demo-coordination-idf")


def open_saisie(server, page, email: str, password: str):
    """Sign in with the form as a demo account and open Saisie from the menu."""
    page.goto(f"{server}/connexion")
    page.get_by_role("link", name="Se connecter avec un compte Carrefours").click()  # the server's own form
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Saisie").click()
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)


def test_a_coordinator_imports_a_file_with_preview_then_commit(server, page, tmp_path):
    open_saisie_as_coordinator(server, page)
    page.get_by_role("tab", name="Import").click()

    bad = tmp_path / "valeurs.csv"
    bad.write_text(
        "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;77;2009;4\nEMPLOIS_DIRECTS;DEP-69;2009;4\n",
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("1 problème(s) dans valeurs.csv")).to_be_visible(timeout=SLOW)

    good = tmp_path / "bon.csv"
    good.write_text(
        "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;77;2009;4\nEMPLOIS_DIRECTS;DEP-78;2009;1 500\n",
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("2 nouvelle(s) valeur(s)")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Importer 2 valeur(s)").click()
    expect(page.get_by_text("Import terminé : 2 valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)

    page.get_by_role("tab", name="Historique").click()
    panel = page.locator("[role=tabpanel]:visible")
    panel.get_by_role("combobox", name="Indicateur").click()
    page.get_by_role("option", name=re.compile("^EMPLOIS_DIRECTS")).click()
    panel.get_by_label("Période").fill("2009")
    panel.get_by_placeholder("77475, DEP-77, REG-11").fill("DEP-78")
    panel.get_by_placeholder("77475, DEP-77, REG-11").press("Enter")
    expect(panel.get_by_text(re.compile(r"Valeur actuelle : 1.500 \(version 1"))).to_be_visible(timeout=SLOW)


def test_a_coordinator_types_a_french_number_in_the_grid_and_sees_it_in_french(server, page, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_saisie_as_coordinator(server, page)
    page.get_by_role("textbox", name="Période").first.fill("2012")
    page.keyboard.press("Enter")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)  # the rerun is over
    page.wait_for_timeout(3000)
    assert "None" not in grid.inner_text()  # empty cells are empty
    type_in_seine_et_marne_value(page, "1 234,5", tmp_path)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("1 valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(tmp_path / "saisie_grille_francaise.png"))
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("1\u202f234,5", timeout=SLOW)


def type_in_seine_et_marne_value(page, text: str, shots) -> None:
    """Type a value in the Valeur cell of the grid's second row (Seine-et-Marne) and leave the editor."""
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)  # the rerun is over
    page.wait_for_timeout(3000)
    box = grid.bounding_box()
    editor = page.locator("textarea.gdg-input")  # the grid's cell editor
    # The grid is drawn on a canvas whose column widths follow their content: select the first cell of the
    # second row (Seine-et-Marne) and walk with the keyboard to Valeur, the sixth column, instead of
    # guessing where it is drawn. Enter then opens the editor; a read-only column would open it read-only.
    for _ in range(5):  # the canvas may still be redrawing after the rerun: try again
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 + 17)
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            expect(editor).to_be_editable(timeout=5000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
            page.wait_for_timeout(1000)
    page.screenshot(path=str(shots / "saisie_editeur_ouvert.png"))
    expect(editor).to_be_editable()
    editor.fill(text)
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0, timeout=SLOW)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)  # the edit's rerun is over
    page.wait_for_timeout(1000)


def test_an_api_write_and_an_open_grid_on_the_same_value_refuse_each_other_as_stale(db_file, page, tmp_path):
    """A program writing through the API while a coordinator has the grid open: neither overwrites the other."""
    secrets = make_tokens(db_file)
    db = open_database(db_file)
    try:
        indicator = grid.typed_indicators(db)["code"].iloc[0]  # the grid's first indicator
    finally:
        db.close()

    def api_import(text: str, who: str):
        return httpx.post(
            f"{url}/api/v1/values/import",
            headers={"Authorization": f"Bearer {secrets[who]}"},
            params={"filename": "valeurs.csv"},
            content=text.encode("utf-8"),
            timeout=300,
        )

    process, url = start_server(db_file)
    try:
        page.set_viewport_size({"width": 1440, "height": 900})
        open_saisie_as_coordinator(url, page)
        page.get_by_role("textbox", name="Période").first.fill("2012")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=SLOW)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)  # 2012 is served
        # The grid is open on an empty 2012; the national team's program writes Seine-et-Marne's value.
        written = api_import(f"indicateur;territoire;periode;valeur\n{indicator};DEP-77;2012;999\n", "national")
        assert written.status_code == 200 and written.json()["written"]

        type_in_seine_et_marne_value(page, "1 234,5", tmp_path)
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("1 valeur(s) modifiée(s) par quelqu'un d'autre")).to_be_visible(timeout=SLOW)
        page.screenshot(path=str(tmp_path / "saisie_conflit_api.png"))
        expect(page.get_by_test_id("stDataFrame").nth(1)).to_contain_text("999", timeout=SLOW)  # what is stored
        page.get_by_role("button", name="Recharger les valeurs enregistrées").click()
        expect(page.get_by_test_id("stDataFrame").first).to_contain_text("999", timeout=SLOW)

        type_in_seine_et_marne_value(page, "1 234,5", tmp_path)
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("1 valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)

        # The program still holds the version it wrote (1): its next write is refused, nothing imported.
        stale = api_import(f"indicateur;territoire;periode;valeur;version\n{indicator};DEP-77;2012;5;1\n", "national")
        assert stale.status_code == 409 and "rien n'a été importé" in stale.json()["erreur"]
        conflict = stale.json()["conflicts"][0]
        assert (conflict["their_value"], conflict["their_version"], conflict["your_value"]) == (1234.5, 2, 5.0)
    finally:
        process.terminate()
        process.wait(timeout=30)
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        stored = con.execute(
            "SELECT value, version, updated_by FROM indicator_value"
            " WHERE indicator_code = ? AND territory_id = 'DEP-77' AND period = '2012' AND kind = 'actual'",
            [indicator],
        ).fetchall()
    finally:
        con.close()
    assert stored == [(1234.5, 2, "coordinateur.idf@demo.test")]
