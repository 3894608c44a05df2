"""Every page of every role's menu, in Chromium on a desk and on a phone: no crash, French, signed in.

One server and, per role, one browser context: the person signs in once and goes everywhere by clicking,
as people do (a reload would be a new Streamlit session). Screenshots go to test-results/pages/.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_server
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SLOW = 90_000
SHOTS = ROOT / "test-results" / "pages"
DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
ACCOUNTS = {
    "anonyme": None,
    "elu": ("elu.trilport@demo.test", "demo-elu-trilport"),
    "coordinateur": ("coordinateur.idf@demo.test", "demo-coordination-idf"),
    "ministere": ("ministere@demo.test", "demo-equipe-nationale"),
    "admin": ("admin@demo.test", "demo-gestion-comptes"),
}
NAMES = {
    "anonyme": None,
    "elu": "Élu de Trilport (démo)",
    "coordinateur": "Coordinatrice Île-de-France (démo)",
    "ministere": "Équipe nationale (démo)",
    "admin": "Administrateur (démo)",
}
# Streamlit's own English, as a person would read it (whole words, visible text and placeholders).
ENGLISH = [
    "Choose options",
    "Choose an option",
    "Drag and drop",
    "Browse files",
    "Upload",
    "per file",
    "Running...",
    "Stop",
    "No results",
    "View more",
    "Rerun",
    "Comment",
    "Press Enter",
    "Select all",
    "Traceback",
    "Error",
    "Exception",
    "True",
    "False",
    "NaN",
    "nan",
    "None",
    "null",
    "undefined",
]
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")
PLACEHOLDER_RE = re.compile(r"yyyy|dd / mm|mm / dd|Choose|Select|Search", re.I)

SETTLED = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;   // a run in progress
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  return !!document.querySelector('[data-testid="stMain"] h1');
}"""
# What a person reads: visible text, placeholders, and the cells of every table (canvas-drawn by
# Streamlit, so read from its accessible grid).
READ = """() => ({
  lang: document.documentElement.lang,
  text: document.querySelector('[data-testid="stApp"]').innerText,
  placeholders: [...document.querySelectorAll('input[placeholder], textarea[placeholder]')].map(e => e.placeholder),
  cells: [...document.querySelectorAll('[data-testid="stDataFrame"] table td, [data-testid="stDataFrame"] table th')]
           .map(e => e.innerText.trim()),
  exceptions: document.querySelectorAll('[data-testid="stException"]').length,
})"""


def settle(page) -> None:
    """Wait until Streamlit has finished running the page and drawing it."""
    for _ in range(2):  # twice: a run may trigger another (a link's switch_page, a widget's default)
        page.wait_for_function(SETTLED, timeout=SLOW, polling=200)
        page.wait_for_timeout(400)


def problems(page) -> list[str]:
    """Everything a person should not see on this page."""
    seen = page.evaluate(READ)
    found = []
    if seen["lang"] != "fr":
        found.append(f"lang={seen['lang']!r}")
    if seen["exceptions"]:
        found.append(f"{seen['exceptions']} exception(s)")
    found += [f"anglais : {m!r}" for m in sorted(set(ENGLISH_RE.findall(seen["text"])))]
    found += [f"indication : {p!r}" for p in seen["placeholders"] if PLACEHOLDER_RE.search(p)]
    found += [f"cellule : {c!r}" for c in sorted(set(seen["cells"])) if ENGLISH_RE.fullmatch(c)]
    return found


def screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window grows to its height a moment."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 12_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def open_menu(page) -> None:
    """Show the sidebar (collapsed on a phone)."""
    first = page.get_by_test_id("stSidebarNavLink").first
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():  # collapsed (a phone): the button that opens it shows in the header
        expand.click()
    expect(first).to_be_in_viewport(ratio=1, timeout=SLOW)
    page.wait_for_timeout(300)  # the sidebar slides in


def go(page, title: str) -> None:
    """Open a page of the menu by clicking it, as a person does."""
    open_menu(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(rf"{re.escape(title)}$")).first.click()
    settle(page)


def still_signed_in(page, role: str) -> None:
    name = NAMES[role]
    if name is None:
        return
    open_menu(page)
    expect(sidebar(page).get_by_text(name)).to_be_visible(timeout=SLOW)
    if page.viewport_size["width"] < 768:
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()


def menu(page) -> list[str]:
    open_menu(page)
    titles = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [t.strip().splitlines()[-1].strip() for t in titles]  # after the icon's ligature name


@pytest.fixture(scope="module")
def app_url(built_db_file, tmp_path_factory):
    """One real server for every role (a private copy of the built database)."""
    db_file = tmp_path_factory.mktemp("every-page") / "carrefours.duckdb"
    shutil.copy(built_db_file, db_file)
    process, url = start_server(db_file)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module", autouse=True)
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def signed_in(browser, app_url, role):
    """A new browser context for one role, signed in through the form when the role has an account."""
    context = browser.new_context(viewport=DESK, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{app_url}/connexion" if ACCOUNTS[role] else app_url)
    settle(page)
    if ACCOUNTS[role]:
        email, password = ACCOUNTS[role]
        page.get_by_role("link", name="Se connecter avec un compte Carrefours").click()  # the server's own form
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        settle(page)
        still_signed_in(page, role)
    return context, page


def click_first_button_cell(page, table_index: int = 0) -> None:
    """Click the button in the first column of a table's first row (Streamlit draws tables on a canvas)."""
    grid = page.get_by_test_id("stDataFrame").nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.move(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_of_the_menu_works_in_french_on_a_desk_and_a_phone(browser, app_url, role):
    context, page = signed_in(browser, app_url, role)
    try:
        titles = menu(page)
        assert titles, "menu vide"
        failures = []
        for size_name, size in (("bureau", DESK), ("telephone", PHONE)):
            page.set_viewport_size(size)
            page.wait_for_timeout(500)
            for index, title in enumerate(titles):
                go(page, title)
                slug = re.sub(r"\W+", "-", title.lower()).strip("-")
                screenshot(page, SHOTS / f"{role}-{size_name}-{index:02d}-{slug}.png")
                failures += [f"{size_name} · {title} · {p}" for p in problems(page)]
                still_signed_in(page, role)
        assert not failures, "\n".join(failures)
    finally:
        context.close()


@pytest.mark.parametrize(
    "role, start, table, heading",
    [
        ("anonyme", "Tableau de bord national", 0, re.compile(r"^M1\.1 — ")),
        ("ministere", "Tableau de bord national", 0, re.compile(r"^M1\.1 — ")),
        ("ministere", "Alertes", 0, re.compile(r"^M\d\.\d — ")),
        ("coordinateur", "Complétude", 0, re.compile(r"^Saisie des indicateurs$")),
    ],
)
def test_links_in_tables_keep_the_person_signed_in(browser, app_url, role, start, table, heading):
    context, page = signed_in(browser, app_url, role)
    try:
        go(page, start)
        if start == "Tableau de bord national":
            page.get_by_role("tab", name="Mesures").click()  # the measures table is one tap from the summary
            page.wait_for_timeout(300)
        click_first_button_cell(page, table)
        settle(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=SLOW)
        slug = re.sub(r"\W+", "-", start.lower())
        page.screenshot(path=str(SHOTS / f"lien-{role}-{slug}.png"), full_page=True)
        assert not problems(page)
        still_signed_in(page, role)
        if start == "Complétude":  # the grid opens on the late row's région, not the first one
            expect(page.get_by_test_id("stSelectbox").filter(has_text="Région").first).to_match_aria_snapshot(
                '- combobox "Région": Île-de-France'
            )
    finally:
        context.close()
