"""CARREFOURS_DATABASE_URL refused in French when it cannot work (no PostgreSQL server needed)."""

from __future__ import annotations

import socket

import pytest

from store.db import StoreError
from store.postgres import PostgresDatabase
from tests.command_line import run


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed once the socket is: nothing listens there


@pytest.mark.parametrize("url", ["mysql://hote/base", "postgresql://", "postgresql://hote:port/base", "bonjour"])
def test_a_malformed_url_says_what_is_expected(url):
    with pytest.raises(StoreError, match="n'est pas une adresse PostgreSQL valide") as caught:
        PostgresDatabase(url)
    assert "postgresql://utilisateur:motdepasse@hôte:5432/base" in str(caught.value)


def test_an_unreachable_server_is_named_without_its_password():
    url = f"postgresql://carrefours:secret@127.0.0.1:{_closed_port()}/carrefours"
    result = run("status", env={"CARREFOURS_DATABASE_URL": url})
    assert result.returncode != 0
    assert "Connexion à PostgreSQL impossible" in result.stderr
    assert "PostgreSQL est démarré" in result.stderr and "CARREFOURS_DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr and "carrefours:***@" in result.stderr
