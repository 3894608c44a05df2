"""First start on an empty folder: from `streamlit run app.py` to a rendered dashboard in Chromium.

Each run uses a new empty folder for the database, so the app builds it (migrations, territories,
plan, demo data) before drawing the dashboard. Prints every run, the median and the maximum.
Usage: python benchmarks/first_start.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SETTLED = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;   // a run in progress
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  return !!document.querySelector('[data-testid="stMain"] h1');
}"""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(browser) -> tuple[float, float]:
    """Seconds to a healthy server and to the dashboard heading, from launch."""
    with tempfile.TemporaryDirectory() as folder:
        port = _port()
        env = {**os.environ, "CARREFOURS_DB": str(Path(folder) / "carrefours.duckdb")}
        started = time.perf_counter()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.05)
            healthy = time.perf_counter() - started
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("heading", name="Tableau de bord national").wait_for(timeout=300_000)
            # Drawn: the dashboard heading is there and Streamlit's run has ended.
            page.wait_for_function(SETTLED, timeout=300_000, polling=50)
            rendered = time.perf_counter() - started
            page.close()
            return healthy, rendered
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        runs = [one_run(browser) for _ in range(args.repeat)]
        browser.close()
    for i, (healthy, rendered) in enumerate(runs, 1):
        print(f"essai {i} : serveur prêt {healthy:.1f} s, tableau de bord affiché {rendered:.1f} s")
    rendered = [r for _, r in runs]
    print(
        f"premier démarrage jusqu'au tableau de bord : médiane {statistics.median(rendered):.1f} s, "
        f"max {max(rendered):.1f} s ({args.repeat} essais, {os.cpu_count()} cœurs)"
    )


if __name__ == "__main__":
    main()
