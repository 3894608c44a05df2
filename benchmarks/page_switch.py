"""Page-switch times in Chromium: from a click in the menu to the page drawn, warm, per page and role.

One server on the national-scale benchmark database (run.py's, generated on first use), one signed-in
browser per role; each page is opened once unmeasured (warm-up), then --repeat times going back and forth
from the dashboard. Prints the median and the maximum per page.
Usage: python benchmarks/page_switch.py [--scale 1] [--repeat 5] [--db PATH] [--roles R …] [--pages P …]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accounts.demo import create_demo_accounts  # noqa: E402
from benchmarks.first_start import CHROMIUM_ARGS  # noqa: E402
from benchmarks.run import database_for  # noqa: E402
from bootstrap import open_database  # noqa: E402
from tests.browser.conftest import start_server  # noqa: E402
from tests.browser.test_every_page import ACCOUNTS, NAMES, SETTLED, menu, open_menu  # noqa: E402

ROLES = ["anonyme", "elu", "coordinateur", "ministere", "admin"]


def switch(page, title: str) -> float:
    """Seconds from the click on a menu entry to the end of Streamlit's run and drawing."""
    open_menu(page)
    link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has_text=title).first
    before = page.locator('[data-testid="stMain"] h1').first.inner_text()
    start = time.perf_counter()
    link.click()
    # Every page has its own title: done when the new one shows and Streamlit's run has ended.
    try:
        page.wait_for_function(
            f"""() => {{
      const h1 = document.querySelector('[data-testid="stMain"] h1');
      return h1 && h1.innerText !== {before!r} && ({SETTLED})();
    }}""",
            timeout=120_000,
            polling=20,
        )
    except PlaywrightTimeout:
        now = page.locator('[data-testid="stMain"] h1').first.inner_text()
        raise SystemExit(
            f"« {title} » ne s'est pas affichée en 120 s (titre avant : {before!r}, après : {now!r})."
        ) from None
    return time.perf_counter() - start


def sign_in(page, url: str, role: str) -> None:
    """Sign in through the server's password form (it sets the session cookie), then open the app."""
    if ACCOUNTS[role]:
        email, password = ACCOUNTS[role]
        page.goto(f"{url}/connexion/compte")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda address: "/connexion" not in address, timeout=60_000)  # the post's redirect
    page.goto(url)
    page.wait_for_function(SETTLED, timeout=300_000, polling=100)
    if NAMES[role] and NAMES[role] not in page.get_by_test_id("stSidebar").inner_text():
        raise SystemExit(f"Connexion impossible pour le rôle {role} : les temps seraient ceux d'un anonyme.")


def with_demo_accounts(db_file: Path) -> None:
    """The generated benchmark database has no account: give it the demo ones, so each role is really measured."""
    db = open_database(db_file)
    try:
        with db.transaction() as cur:
            if not cur.execute("SELECT count(*) FROM account").fetchone()[0]:
                create_demo_accounts(cur)
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Temps de changement de page dans Chromium.")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, help="une base déjà construite (sinon celle de run.py)")
    parser.add_argument("--roles", nargs="+", choices=ROLES, default=ROLES, help="rôles mesurés (tous sinon)")
    parser.add_argument("--pages", nargs="+", help="titres de pages mesurées (toutes celles du menu sinon)")
    args = parser.parse_args()
    source = args.db or database_for(args.scale)
    work = Path(tempfile.mkdtemp(prefix="carrefours-switch-"))
    db_file = work / "carrefours.duckdb"
    shutil.copy(source, db_file)  # the server writes (sessions, audit): never into the shared file
    with_demo_accounts(db_file)
    process, url = start_server(db_file)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for role in args.roles:
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                sign_in(page, url, role)
                titles = menu(page)
                home = titles[0]
                titles = [home, *(t for t in titles[1:] if not args.pages or t in args.pages)]
                for title in titles[1:]:
                    switch(page, title)  # warm-up: caches and the page's first run
                    switch(page, home)
                for title in titles[1:]:
                    times = []
                    for _ in range(args.repeat):
                        times.append(switch(page, title))
                        switch(page, home)
                    rows.append((role, title, statistics.median(times), max(times)))
                back = []
                for _ in range(args.repeat):
                    switch(page, titles[1])
                    back.append(switch(page, home))
                rows.append((role, home, statistics.median(back), max(back)))
                page.context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"Base : {source} ; {args.repeat} passages à chaud par page, Chromium 1440×900.")
    print(f"{'rôle':<14}{'page':<28}{'médiane (ms)':>14}{'max (ms)':>10}")
    for role, title, median, worst in rows:
        print(f"{role:<14}{title:<28}{median * 1000:>14.0f}{worst * 1000:>10.0f}")
    slow = [r for r in rows if r[2] > 1.0]
    print("Aucune page au-dessus de 1 s à chaud." if not slow else f"{len(slow)} page(s) au-dessus de 1 s à chaud.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
