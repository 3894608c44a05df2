"""Shared fixtures: one real database built once per run from the real migrations and data, copied per test."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootstrap import create, open_database  # noqa: E402
from indicators.aggregates import ensure_fresh  # noqa: E402


@pytest.fixture(scope="session")
def built_db_file(tmp_path_factory) -> Path:
    """A demo database built once with the real migrations, territories and plan."""
    path = tmp_path_factory.mktemp("built") / "carrefours.duckdb"
    create(path, demo=True)
    # As the app does once its dashboard is shown: roll up the communal rows the build deferred,
    # so that each test's copy does not redo it.
    database = open_database(path)
    ensure_fresh(database)
    database.checkpoint()
    database.close()
    return path


@pytest.fixture(scope="session")
def app_db_file(built_db_file, tmp_path_factory) -> Path:
    """The copy the app under test (AppTest) opens; CARREFOURS_DB points at it for the whole run."""
    path = tmp_path_factory.mktemp("app") / "carrefours.duckdb"
    shutil.copy(built_db_file, path)
    os.environ["CARREFOURS_DB"] = str(path)
    return path


@pytest.fixture
def db_file(built_db_file, tmp_path) -> Path:
    """A private copy of the built database for one test."""
    path = tmp_path / "carrefours.duckdb"
    shutil.copy(built_db_file, path)
    return path


@pytest.fixture
def db(db_file):
    """The private copy, opened and locked down like the app opens it."""
    database = open_database(db_file)
    yield database
    database.close()
