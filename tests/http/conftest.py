"""HTTP fixtures: the real app served by `streamlit run` on a free loopback port, with personal tokens."""

from __future__ import annotations

import shutil
from datetime import timedelta

import httpx
import pytest

from accounts import tokens
from accounts.service import find_user
from bootstrap import open_database
from tests import command_line, postgres_backend
from tests.browser.conftest import start_server
from tests.postgres_backend import database_env

COORDINATOR, ELU, NATIONAL = "coordinateur.idf@demo.test", "elu.trilport@demo.test", "ministere@demo.test"


def make_tokens(db_file) -> dict:
    """Tokens created as Mon compte creates them, plus a revoked one and an expired one."""
    db = open_database(db_file)
    try:
        made = {
            who: tokens.create(db, find_user(db, email), f"essai {who}", 30)
            for who, email in (
                ("coordinator", COORDINATOR),
                ("elu", ELU),
                ("national", NATIONAL),
                ("revoked", COORDINATOR),
                ("expired", COORDINATOR),
            )
        }
        coordinator = find_user(db, COORDINATOR)
        tokens.revoke(db, coordinator, made["revoked"][0])
        with db.transaction() as cur:  # an expiry in the past, as time would make it
            cur.execute(
                "UPDATE api_token SET expires_at = created_at - ? WHERE id = ?", [timedelta(days=1), made["expired"][0]]
            )
    finally:
        db.close()
    return {who: secret for who, (_, secret) in made.items()}


class Live:
    """A running server: its address, its database (file, or None on PostgreSQL), the tokens made before it started."""

    def __init__(self, process, url, db_file, secrets):
        self.process, self.url, self.db_file, self.tokens = process, url, db_file, secrets
        self.env = database_env(db_file)  # what names its database for a command run alongside

    def get(self, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {self.tokens[token]}"
        return httpx.get(f"{self.url}/api/v1{path}", headers=headers, timeout=300, **kwargs)

    def post(self, path, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[token]}"} if token else {}
        return httpx.post(f"{self.url}/api/v1{path}", headers=headers, timeout=300, **kwargs)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def serve(db_file, extra_env=None) -> Live:
    secrets = make_tokens(db_file)
    process, url = start_server(db_file, extra_env)
    server = Live(process, url, db_file, secrets)
    assert server.get("/plan").status_code == 200  # the server holds the database from now on
    return server


def _serve_seeded(db_file) -> Live:
    from tests.integration.test_drafts import seed_drafts

    db = open_database(db_file)
    try:
        seed_drafts(db)  # a national and a départemental draft: the public must never see them
    finally:
        db.close()
    return serve(db_file)


@pytest.fixture(scope="module")
def live(built_db_file, tmp_path_factory):
    """One server for a module's read tests, on its own copy of the built database."""
    if postgres_backend.ON_POSTGRES:
        with postgres_backend.copy_of(built_db_file) as url:
            with postgres_backend.named(url):  # only while it starts: the server keeps its own copy of it
                server = _serve_seeded(None)
            yield server
            server.stop()
        return
    db_file = tmp_path_factory.mktemp("live") / "carrefours.duckdb"
    shutil.copy(built_db_file, db_file)
    server = _serve_seeded(db_file)
    yield server
    server.stop()


@pytest.fixture
def live_private(db_file):
    """A server for one test that writes (its database is checked after the server stops)."""
    server = serve(db_file)
    yield server
    server.stop()


def cli(*args, env=None, spawn=False):
    """Run cli.py with the given environment additions: in this process, or as a real subprocess."""
    if spawn:
        return command_line.spawn(*args, env=env, timeout=600)
    return command_line.run(*args, env=env)
