"""The main entry flow in a real browser: a coordinator signs in, imports a file, previews, commits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SLOW = 60_000


def test_a_coordinator_imports_a_file_with_preview_then_commit(server, page, tmp_path):
    page.goto(f"{server}/connexion")
    page.get_by_label("Adresse e-mail").fill("coordinateur.idf@demo.test")
    page.get_by_label("Mot de passe").fill("demo-coordination-idf")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau de bord national")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Saisie").click()
    expect(page.get_by_role("heading", name="Saisie des indicateurs")).to_be_visible(timeout=SLOW)
    page.get_by_role("tab", name="Import").click()

    bad = tmp_path / "valeurs.csv"
    bad.write_text("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;77;2029;4\n"
                   "EMPLOIS_DIRECTS;DEP-69;2029;4\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("1 problème(s) dans valeurs.csv")).to_be_visible(timeout=SLOW)

    good = tmp_path / "bon.csv"
    good.write_text("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;77;2029;4\n"
                    "EMPLOIS_DIRECTS;DEP-78;2029;1 500\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("2 nouvelle(s) valeur(s)")).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="Importer 2 valeur(s)").click()
    expect(page.get_by_text("Import terminé : 2 valeur(s) enregistrée(s).")).to_be_visible(timeout=SLOW)

    page.get_by_role("tab", name="Historique").click()
    panel = page.locator("[role=tabpanel]:visible")
    panel.get_by_role("combobox", name="Indicateur").click()
    page.get_by_role("option", name=re.compile("^EMPLOIS_DIRECTS")).click()
    panel.get_by_label("Période").fill("2029")
    panel.get_by_placeholder("77475, DEP-77, REG-11").fill("DEP-78")
    panel.get_by_placeholder("77475, DEP-77, REG-11").press("Enter")
    expect(panel.get_by_text(re.compile(r"Valeur actuelle : 1.500 \(version 1"))).to_be_visible(timeout=SLOW)
