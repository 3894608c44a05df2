"""Shared fixtures: a small real database (a few départements) built once per run (one build shared by the
xdist workers), copied per test; the national one is built only if a test marked `national` runs."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootstrap import create, open_database  # noqa: E402
from indicators.aggregates import ensure_fresh  # noqa: E402
from tests import postgres_backend  # noqa: E402

# The départements of the small database (a fifth of the communes): every commune, EPCI, département a
# test names (Trilport 77475 and Meaux, Paris 75056 and its arrondissements, the rest of Île-de-France,
# Lyon 69123, Marseille 13055, Ajaccio 2A004, Mende 48095, Brest 29019, Bordeaux 33063…), and one at
# least in each of the 18 régions (Guadeloupe, Martinique, Guyane, La Réunion and Mayotte included).
TEST_DEPARTEMENTS = ",".join(
    [
        "75",
        "77",
        "78",
        "91",
        "92",
        "93",
        "94",
        "95",  # Île-de-France, whole
        "01",
        "42",
        "43",
        "69",
        "06",
        "13",
        "2A",
        "2B",  # Auvergne-Rhône-Alpes, Provence, Corse
        "10",
        "14",
        "16",
        "29",
        "33",
        "36",
        "44",
        "48",
        "59",
        "85",
        "90",
        "971",
        "972",
        "973",
        "974",
        "976",
    ]
)
# Every database a test builds (here, in the CLI or a served app it starts) is limited to them, unless
# the caller chose otherwise or the test is marked national.
os.environ.setdefault("CARREFOURS_DEPARTEMENTS", TEST_DEPARTEMENTS)


@contextmanager
def whole_france() -> Iterator[None]:
    """Within it, a database built here or by a subprocess started here holds the whole of France."""
    scope = os.environ.pop("CARREFOURS_DEPARTEMENTS", None)
    try:
        yield
    finally:
        if scope is not None:
            os.environ["CARREFOURS_DEPARTEMENTS"] = scope


def is_national(request) -> bool:
    """Whether the requesting test is marked national (it needs the whole of France)."""
    return request.node.get_closest_marker("national") is not None


def _build(path: Path) -> Path:
    """A demo database built with the real migrations, territories and plan, rolled up like the app does."""
    create(path, demo=True)
    # As the app does once its dashboard is shown: roll up the communal rows the build deferred,
    # so that each test's copy does not redo it.
    database = open_database(path)
    ensure_fresh(database)
    database.checkpoint()
    database.close()
    return path


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, the tests about the DuckDB file itself are skipped, saying why."""
    if postgres_backend.ON_POSTGRES:
        skip = pytest.mark.skip(reason=postgres_backend.SKIP_REASON)
        for item in items:
            if item.get_closest_marker("duckdb_file"):
                item.add_marker(skip)


def pytest_sessionfinish(session):
    """On PostgreSQL, the run's databases (templates included) are dropped once every worker is done."""
    if postgres_backend.ON_POSTGRES and not hasattr(session.config, "workerinput"):
        postgres_backend.drop_run(session.config._tmp_path_factory.getbasetemp())


@pytest.fixture(autouse=True)
def _national_scope(request):
    """A test marked national builds (and its subprocesses build) the whole of France."""
    if is_national(request):
        with whole_france():
            yield
    else:
        yield


def _built_once(tmp_path_factory, name: str) -> Path:
    """The database `name`, built by the first worker of the run that asks; the others wait and reuse it.

    pytest-xdist's pattern for a session resource: the workers' temporary folders share a parent, where
    the first one builds under a file lock (the build is written aside, then renamed into place). Every
    test works on a copy, or opens it read-only, so one file serves every worker.
    """
    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = folder.parent
    folder = folder / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    path = folder / "carrefours.duckdb"
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the build fails
        if not path.exists():
            aside = tmp_path_factory.mktemp(name) / "carrefours.duckdb"
            os.replace(_build(aside), path)
    return path


@pytest.fixture(scope="session")
def built_db_file(tmp_path_factory) -> Path:
    """The small demo database, built once per run."""
    return _built_once(tmp_path_factory, "built")


@pytest.fixture(scope="session")
def national_db_file(tmp_path_factory) -> Path:
    """The national demo database (34 875 communes), built once per run and only if a national test asks."""
    with whole_france():
        return _built_once(tmp_path_factory, "national")


@pytest.fixture
def source_db_file(request) -> Path:
    """The built database this test starts from: the national one for a test marked national."""
    return request.getfixturevalue("national_db_file" if is_national(request) else "built_db_file")


@pytest.fixture(scope="session")
def app_db_file(built_db_file, tmp_path_factory) -> Path:
    """The copy the app under test (AppTest) opens; CARREFOURS_DB points at it for the whole run."""
    path = tmp_path_factory.mktemp("app") / "carrefours.duckdb"
    shutil.copy(built_db_file, path)
    os.environ["CARREFOURS_DB"] = str(path)
    return path


@pytest.fixture
def db_file(source_db_file, tmp_path) -> Iterator[Path | None]:
    """A private copy of the built database for one test.

    On PostgreSQL, no file (None): CARREFOURS_DATABASE_URL names the test's own database instead, which
    open_database(None), the CLI and the servers the test starts all open."""
    if postgres_backend.ON_POSTGRES:
        with postgres_backend.copy_of(source_db_file) as url, postgres_backend.named(url):
            yield None
        return
    path = tmp_path / "carrefours.duckdb"
    shutil.copy(source_db_file, path)
    yield path


@contextmanager
def opened_copy(source: Path, folder: Path) -> Iterator:
    """A copy of a built database for a module's tests, opened like the app opens it (a database on PostgreSQL)."""
    if postgres_backend.ON_POSTGRES:
        with postgres_backend.copy_of(source) as url:
            with postgres_backend.named(url):
                database = open_database()
            yield database
            database.close()
        return
    path = folder / "carrefours.duckdb"
    shutil.copy(source, path)
    database = open_database(path)
    yield database
    database.close()


@pytest.fixture
def db(db_file):
    """The private copy, opened and locked down like the app opens it."""
    database = open_database(db_file)
    yield database
    database.close()
