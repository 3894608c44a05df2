"""Browser fixtures: the real app served by `streamlit run`, driven in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.postgres_backend import database_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CARREFOURS_REQUIRE_BROWSER"):
        raise pytest.UsageError("Chromium est introuvable : installez-le (apt-get install chromium).")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="Chromium absent : apt-get install chromium"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_file, extra_env: dict | None = None):
    """Start `streamlit run app.py` on a free loopback port (on db_file, None: CARREFOURS_DATABASE_URL); returns (process, base_url)."""
    port = _free_port()
    env = {**os.environ, **database_env(db_file), **(extra_env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("le serveur Streamlit n'a pas démarré en 60 s")


@pytest.fixture
def server(db_file):
    """The real app on a private copy of the built database."""
    process, url = start_server(db_file)
    yield url
    process.terminate()
    process.wait(timeout=20)
