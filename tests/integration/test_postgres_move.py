"""`cli.py migrate-to-postgres`: an existing DuckDB file moved into PostgreSQL, verified, the file untouched.

Runs only when CARREFOURS_TEST_POSTGRES_URL names a PostgreSQL cluster where its user may create databases
(.ci/run starts a throwaway one and sets it); each test gets an empty database of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator

import duckdb
import pytest

from store.db import StoreError
from store.postgres import CATALOG, PostgresDatabase
from store.postgres_lifecycle import load_file
from store.postgres_move import FINGERPRINT_KEY, checksums
from tests import postgres_backend
from tests.command_line import run, spawn

URL = os.environ.get("CARREFOURS_TEST_POSTGRES_URL", "").strip()
pytestmark = [
    pytest.mark.skipif(not URL, reason="CARREFOURS_TEST_POSTGRES_URL n'est pas défini (aucun PostgreSQL de test)"),
    # The source of a move is a DuckDB file: these run in .ci/run's PostgreSQL block, on the file fixtures,
    # not in the pass where every test's own database is in PostgreSQL.
    pytest.mark.duckdb_file,
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty database of the test's own on the test cluster, dropped afterwards."""
    with postgres_backend.empty_database() as url:
        yield url


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pg_tables(url: str) -> list[str]:
    db = PostgresDatabase(url)
    with db.read() as cur:
        rows = cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'public'",
            [CATALOG],
        ).fetchall()
    db.close()
    return sorted(r[0] for r in rows)


def _rows(cur, relation: str, columns: list[str], kinds: dict[str, str]) -> list[tuple]:
    """Every row, sorted, JSON and TINYINT read as the text and integers PostgreSQL keeps."""
    shown = ", ".join(f'"{c}"::VARCHAR' if kinds[c] == "JSON" else f'"{c}"' for c in columns)
    return cur.execute(f"SELECT {shown} FROM {relation} ORDER BY ALL").fetchall()


def test_migrate_copies_every_row_leaves_the_file_untouched_and_the_product_writes_on(pg_url, db_file):
    before = _digest(db_file)
    result = spawn("migrate-to-postgres", "--source", db_file, env={"CARREFOURS_DATABASE_URL": pg_url})
    assert result.returncode == 0, result.stderr
    assert "Base copiée dans PostgreSQL" in result.stdout and "somme de contrôle" in result.stdout
    assert "indicator_value" in result.stdout and "durée" in result.stdout
    assert _digest(db_file) == before  # opened read-only, never written
    assert not db_file.with_name(db_file.name + ".wal").exists()

    # The test's own comparison, independent of the command's checksum: every row of every table.
    pg = PostgresDatabase(pg_url)
    with pg.read() as cur:
        cur.execute(f"ATTACH '{db_file}' AS reference (READ_ONLY)")
        tables = cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'reference' ORDER BY table_name"
        ).fetchall()
        compared = 0
        for (table,) in tables:
            described = cur.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'reference'"
                " AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            kinds = dict(described)
            columns = ["number", "name", "checksum"] if table == "schema_migration" else [c for c, _ in described]
            ours = _rows(cur, f'reference."{table}"', columns, kinds)
            theirs = _rows(cur, f'{CATALOG}.public."{table}"', columns, kinds)
            if table == "app_meta":  # the copy records the source's fingerprint, and nothing else
                assert [r for r in theirs if r[0] == FINGERPRINT_KEY] and len(theirs) == len(ours) + 1
                theirs = [r for r in theirs if r[0] != FINGERPRINT_KEY]
            assert theirs == ours, table
            compared += len(ours)
        assert cur.execute("SELECT count(*) FROM reference.indicator_value").fetchone()[0] > 0
        top = cur.execute("SELECT max(id) FROM reference.audit_log").fetchone()[0] or 0
        cur.execute("DETACH reference")
    pg.close()
    assert compared > 10_000

    # A write through the product after the move: a new account, its audit line numbered after the file's.
    env = {"CARREFOURS_DATABASE_URL": pg_url}
    added = run("users", "add", "apres.migration@exemple.fr", "--role", "admin", "--oidc-only", "--json", env=env)
    assert added.returncode == 0, added.stderr
    listed = json.loads(run("users", "list", "--json", env=env).stdout)
    assert "apres.migration@exemple.fr" in json.dumps(listed)
    pg = PostgresDatabase(pg_url)
    with pg.read() as cur:
        assert cur.execute("SELECT max(id) FROM audit_log").fetchone()[0] > top
    pg.close()
    assert _digest(db_file) == before


def test_a_target_holding_carrefours_is_replaced_only_with_force(pg_url, db_file):
    env = {"CARREFOURS_DATABASE_URL": pg_url}
    assert run("migrate-to-postgres", db_file=db_file, env=env).returncode == 0
    again = run("migrate-to-postgres", db_file=db_file, env=env)
    assert again.returncode == 2 and "contient déjà une base Carrefours" in again.stderr and "--force" in again.stderr
    forced = run("migrate-to-postgres", "--force", db_file=db_file, env=env)
    assert forced.returncode == 0, forced.stderr


def test_a_target_with_foreign_tables_is_refused_even_with_force(pg_url, db_file):
    db = PostgresDatabase(pg_url)
    with db.transaction() as cur:
        db.execute_native(cur, "CREATE TABLE facture (id integer)")
    db.close()
    for extra in ([], ["--force"]):
        refused = run("migrate-to-postgres", "--to", pg_url, *extra, db_file=db_file)
        assert refused.returncode == 2
        assert "pas celles de Carrefours (facture)" in refused.stderr and "base vide" in refused.stderr
    assert _pg_tables(pg_url) == ["facture"]


def test_a_source_not_carrefours_missing_or_half_built_is_refused(pg_url, db_file, tmp_path):
    env = {"CARREFOURS_DATABASE_URL": pg_url}
    other = tmp_path / "autre.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE facture (id INTEGER)")
    con.close()
    refused = run("migrate-to-postgres", "--source", other, env=env)
    assert refused.returncode == 2 and "n'est pas une base Carrefours" in refused.stderr

    missing = run("migrate-to-postgres", "--source", tmp_path / "absente.duckdb", env=env)
    assert missing.returncode == 2 and "n'existe pas" in missing.stderr and "--source" in missing.stderr

    half = tmp_path / "interrompue.duckdb"
    shutil.copy(db_file, half)
    con = duckdb.connect(str(half))
    con.execute("DELETE FROM app_meta WHERE key = 'built_at'")
    con.close()
    refused = run("migrate-to-postgres", "--source", half, env=env)
    assert refused.returncode == 2 and "incomplète" in refused.stderr

    nowhere = run("migrate-to-postgres", "--source", db_file, env={"CARREFOURS_DATABASE_URL": ""})
    assert nowhere.returncode == 2 and "--to" in nowhere.stderr
    assert _pg_tables(pg_url) == []  # nothing written by any refusal


def test_the_checksum_sees_a_changed_value_and_a_failed_check_rolls_the_copy_back(pg_url, db_file):
    db = PostgresDatabase(pg_url)

    def refuse(cur, counts):
        assert counts["indicator_value"] > 0
        raise StoreError("vérification refusée")

    with pytest.raises(StoreError, match="vérification refusée"):
        load_file(db, db_file, verify=refuse)
    db.close()
    assert _pg_tables(pg_url) == []  # the copy and the migrations were rolled back together

    assert run("migrate-to-postgres", "--source", db_file, "--to", pg_url).returncode == 0
    db = PostgresDatabase(pg_url)
    with db.read() as cur:
        cur.execute(f"ATTACH '{db_file}' AS reference (READ_ONLY)")
        in_file = {c.table: c for c in checksums(cur, "reference")}
        copied = {c.table: c for c in checksums(cur, "reference", prefix=f"{CATALOG}.public")}
        assert {t for t in in_file if in_file[t] != copied[t]} == {"app_meta"}  # + the recorded fingerprint
        key = cur.execute(
            "SELECT indicator_code, territory_id, period, kind FROM reference.indicator_value"
            " WHERE value IS NOT NULL ORDER BY ALL LIMIT 1"
        ).fetchone()
        cur.execute(
            "UPDATE indicator_value SET value = value + 1"
            " WHERE indicator_code = ? AND territory_id = ? AND period = ? AND kind = ?",
            list(key),
        )
        changed = {c.table: c for c in checksums(cur, "reference", prefix=f"{CATALOG}.public")}
        cur.execute("DETACH reference")
    db.close()
    assert changed["indicator_value"].rows == in_file["indicator_value"].rows
    assert changed["indicator_value"].checksum != in_file["indicator_value"].checksum
    assert {t for t in changed if changed[t] != copied[t]} == {"indicator_value"}
