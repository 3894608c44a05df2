"""Review before publication in a real browser: a coordinator imports two values, the national team returns
one with a reason and publishes the other, the coordinator reads why and corrects, the public sees only
what is published (through the open API the public reads)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_saisie import SLOW, open_saisie, open_saisie_as_coordinator

pytestmark = pytest.mark.browser
REASON = "Yvelines : 1 500 emplois directs ? Vérifiez l'unité (emplois, pas euros)."


def public_values(server) -> dict:
    """EMPLOIS_DIRECTS 2010 of Île-de-France départements as the open API gives them to anyone."""
    answer = httpx.get(
        f"{server}/api/v1/values",
        params={"indicator": "EMPLOIS_DIRECTS", "period": "2010", "level": "departement"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return {row["territoire"]: row["valeur"] for row in answer.json()["data"]}


def import_file(page, tmp_path, name: str, lines: str, count: int) -> None:
    page.get_by_role("tab", name="Import").click()
    path = tmp_path / name
    path.write_text("indicateur;territoire;periode;valeur\n" + lines, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name=f"Importer {count} valeur(s)").click()
    expect(page.get_by_text(f"Import terminé : {count} valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)


def open_validation_as_national_team(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = context.new_page()
    open_saisie(server, page, "ministere@demo.test", "demo-equipe-nationale")
    page.get_by_role("tab", name="Validation").click()
    return context, page


def choose_period(page, period: str) -> None:
    panel = page.locator("[role=tabpanel]:visible")
    panel.get_by_role("combobox", name="Période").click()
    page.get_by_role("option", name=f"{period} (", exact=False).first.click()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)


def test_submit_return_publish_correct_publish_with_the_public_seeing_only_what_is_published(
    server, page, browser, tmp_path
):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_saisie_as_coordinator(server, page)
    import_file(page, tmp_path, "releve.csv", "EMPLOIS_DIRECTS;DEP-77;2010;40\nEMPLOIS_DIRECTS;DEP-78;2010;1 500\n", 2)
    expect(page.get_by_text("2 en attente de validation par l'équipe nationale")).to_be_visible(timeout=SLOW)
    assert public_values(server) == {}  # submitted, not published

    context, national = open_validation_as_national_team(browser, server)
    try:
        choose_period(national, "2010")
        panel = national.locator("[role=tabpanel]:visible")
        expect(panel.get_by_text("2 valeur(s) soumise(s) en Île-de-France pour 2010")).to_be_visible(timeout=SLOW)
        panel.get_by_role("combobox", name="Valeur").click()
        national.get_by_role("option", name="Yvelines — EMPLOIS_DIRECTS — 2010 : 1 500").click()
        panel.get_by_label("Motif (le coordinateur le verra)").fill(REASON)
        panel.get_by_role("button", name="Renvoyer pour correction").click()
        expect(national.get_by_text("Yvelines — EMPLOIS_DIRECTS — 2010 renvoyée au coordinateur.")).to_be_visible(
            timeout=SLOW
        )
        choose_period(national, "2010")
        national.get_by_role("button", name="Publier les 1 valeur(s) de la liste").click()
        expect(national.get_by_text("1 valeur(s) publiée(s).")).to_be_visible(timeout=SLOW)
        national.screenshot(path=str(tmp_path / "validation_nationale.png"), full_page=True)
        assert public_values(server) == {"DEP-77": 40}

        # the coordinator reads why, corrects by a new import, and the national team publishes the fix
        page.reload()
        expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
        page.get_by_role("tab", name="Validation").click()
        panel = page.locator("[role=tabpanel]:visible")
        expect(panel.get_by_text("0 valeur(s) soumise(s), 1 à corriger.")).to_be_visible(timeout=SLOW)
        expect(panel.get_by_test_id("stDataFrame")).to_be_visible(timeout=SLOW)
        page.screenshot(path=str(tmp_path / "validation_coordinateur.png"), full_page=True)
        import_file(page, tmp_path, "correction.csv", "EMPLOIS_DIRECTS;DEP-78;2010;15\n", 1)
        assert public_values(server) == {"DEP-77": 40}

        national.reload()
        expect(national.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
        national.get_by_role("tab", name="Validation").click()
        choose_period(national, "2010")
        national.get_by_role("button", name="Publier les 1 valeur(s) de la liste").click()
        expect(national.get_by_text("1 valeur(s) publiée(s).")).to_be_visible(timeout=SLOW)
        assert public_values(server) == {"DEP-77": 40, "DEP-78": 15}

        # each step is in the value's history
        national.get_by_role("tab", name="Historique").click()
        panel = national.locator("[role=tabpanel]:visible")
        panel.get_by_role("combobox", name="Indicateur").click()
        national.get_by_role("option", name=re.compile("^EMPLOIS_DIRECTS")).click()
        panel.get_by_label("Période").fill("2010")
        panel.get_by_placeholder("77475, DEP-77, REG-11").fill("DEP-78")
        panel.get_by_placeholder("77475, DEP-77, REG-11").press("Enter")
        expect(panel.get_by_text("Valeur actuelle : 15 (version 2")).to_be_visible(timeout=SLOW)
        national.screenshot(path=str(tmp_path / "validation_historique.png"), full_page=True)
    finally:
        context.close()
