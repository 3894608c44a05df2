"""An élu opens the shared address of Trilport, sees its comparison and downloads the council sheet."""

import io

import pypdf
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_trilport_comparison_and_council_sheet_pdf(server, page):
    page.goto(f"{server}/territoire?territoire=77475")
    expect(page.get_by_role("heading", name="Trilport — Commune")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Comparé à ").first).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Comparaison avec les territoires comparables")).to_be_visible()
    peers = page.get_by_text("Comparé à ").first.inner_text()
    button = page.get_by_role("button", name="Télécharger la fiche (PDF)")
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    path = download.value.path()
    reader = pypdf.PdfReader(io.BytesIO(open(path, "rb").read()))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Trilport" in text
    count = peers.split("Comparé à ")[1].split(" ")[0]
    assert f"Territoires comparables : {count}" in text
