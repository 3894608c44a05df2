"""An élu opens the shared address of Trilport, sees its comparison and downloads the council sheet."""

import io
import re

import pypdf
import pytest
from playwright.sync_api import expect

from bootstrap import open_database
from tests.browser.conftest import start_server

pytestmark = pytest.mark.browser


def test_trilport_comparison_and_council_sheet_pdf(db_file, page):
    process, server = start_server(db_file)
    try:
        page.goto(f"{server}/territoire?territoire=77475")
        expect(page.get_by_role("heading", name="Trilport — Commune")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Comparé à ").first).to_be_visible(timeout=60_000)
        expect(page.get_by_role("heading", name="Comparaison avec les territoires comparables")).to_be_visible()
        peers = page.get_by_text("Comparé à ").first.inner_text()
        button = page.get_by_role("button", name="Télécharger la fiche (PDF)")
        expect(button).to_be_visible(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        content = open(download.value.path(), "rb").read()
    finally:
        process.terminate()
        process.wait(timeout=20)
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Trilport" in text
    # The page writes 1 474 with a narrow no-break space, the PDF with its own font's space: compare digits.
    count = re.match(r"[\d\s\u202f\u00a0]+", peers.split("Comparé à ")[1]).group()
    in_sheet = re.search(r"Territoires comparables : ([\d\s\u202f\u00a0]+)", text)
    assert in_sheet and re.sub(r"\D", "", in_sheet.group(1)) == re.sub(r"\D", "", count)
    db = open_database(db_file)
    try:
        with db.read() as cur:
            logged = cur.execute("SELECT comment FROM audit_log WHERE entity = 'export'").fetchall()
    finally:
        db.close()
    assert any("fiche conseil COM-77475" in row[0] and row[0].endswith("PDF") for row in logged)
