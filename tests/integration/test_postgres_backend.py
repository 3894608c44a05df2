"""The PostgreSQL backend: same migrations, same ledger, real keys, and init loading everything into it.

Runs only when CARREFOURS_TEST_POSTGRES_URL names a PostgreSQL cluster where its user may create databases
(.ci/run starts a throwaway one and sets it); each test gets an empty database of its own.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator

import pytest

from store.db import Database, StoreError
from store.migrations import MIGRATIONS_DIR, migrate
from store.postgres import CATALOG, PostgresDatabase
from store.postgres_lifecycle import load_file
from tests import postgres_backend
from tests.command_line import run, spawn

URL = os.environ.get("CARREFOURS_TEST_POSTGRES_URL", "").strip()
pytestmark = pytest.mark.skipif(
    not URL, reason="CARREFOURS_TEST_POSTGRES_URL n'est pas défini (aucun PostgreSQL de test)"
)

# DuckDB types PostgreSQL stores under another name, as DuckDB reads them back from PostgreSQL.
SAME_TYPE = {"TINYINT": "SMALLINT", "JSON": "VARCHAR"}


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty database of the test's own on the test cluster, dropped afterwards."""
    with postgres_backend.empty_database() as url:
        yield url


def _pg(cur, sql: str) -> list[tuple]:
    """Rows of a query run by PostgreSQL itself (its own catalogs)."""
    return cur.execute(f"SELECT * FROM postgres_query('{CATALOG}', ?)", [sql]).fetchall()


def _columns(cur, catalog: str) -> dict[str, list[tuple]]:
    rows = cur.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns()"
        " WHERE database_name = ? AND schema_name IN ('main', 'public') ORDER BY table_name, column_index",
        [catalog],
    ).fetchall()
    tables: dict[str, list[tuple]] = {}
    for table, column, kind, nullable in rows:
        tables.setdefault(table, []).append((column, SAME_TYPE.get(kind, kind), nullable))
    return tables


def _keys_in_duckdb(cur) -> set[tuple[str, str, tuple]]:
    rows = cur.execute(
        "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()"
        " WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
    ).fetchall()
    return {(t, kind, tuple(cols)) for t, kind, cols in rows}


def _keys_in_postgres(cur) -> set[tuple[str, str, tuple]]:
    rows = _pg(
        cur,
        "SELECT tc.table_name::text, tc.constraint_type::text,"
        " string_agg(k.column_name::text, ',' ORDER BY k.ordinal_position)"
        " FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k"
        " ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema"
        " WHERE tc.table_schema = 'public' AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        " GROUP BY 1, 2, tc.constraint_name",
    )
    return {(t, kind, tuple(cols.split(","))) for t, kind, cols in rows}


def test_migrations_build_the_duckdb_schema_with_real_keys_and_the_same_ledger(pg_url, tmp_path):
    pg = PostgresDatabase(pg_url)
    duck = Database(tmp_path / "reference.duckdb")
    assert migrate(pg) == migrate(duck)
    with duck.read() as cur:
        duck_columns = _columns(cur, cur.execute("SELECT current_database()").fetchone()[0])
        duck_keys = _keys_in_duckdb(cur)
        duck_ledger = cur.execute("SELECT number, name, checksum FROM schema_migration ORDER BY number").fetchall()
    with pg.read() as cur:
        pg_columns = _columns(cur, CATALOG)
        pg_keys = _keys_in_postgres(cur)
        pg_ledger = cur.execute("SELECT number, name, checksum FROM schema_migration ORDER BY number").fetchall()
        variants = dict(cur.execute("SELECT number, checksum FROM schema_migration_variant").fetchall())
    assert pg_ledger == duck_ledger
    assert set(variants) == {int(p.name[:3]) for p in MIGRATIONS_DIR.glob("*.postgres.sql")}
    assert pg_columns.pop("schema_migration_variant") == [("number", "INTEGER", False), ("checksum", "VARCHAR", False)]
    assert pg_columns == duck_columns
    # Every key of the DuckDB file is a real key in PostgreSQL, and the values' key DuckDB dropped (006) too.
    values_key = ("indicator_value", "PRIMARY KEY", ("indicator_code", "territory_id", "period", "kind"))
    assert pg_keys == duck_keys | {values_key, ("schema_migration_variant", "PRIMARY KEY", ("number",))}
    assert ("territory", "UNIQUE", ("level", "code")) in pg_keys
    assert ("api_token", "UNIQUE", ("secret_hash",)) in pg_keys
    assert migrate(pg) == []  # nothing pending the second time
    pg.close()
    duck.close()


def test_an_edited_postgres_variant_is_refused(pg_url, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    pg = PostgresDatabase(pg_url)
    migrate(pg, folder)
    variant = folder / "002_plan.postgres.sql"
    variant.write_text(variant.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(StoreError, match="002_plan a été modifiée"):
        migrate(pg, folder)
    pg.close()


def test_a_duckdb_file_copied_in_keeps_every_row_and_ids_follow_on(pg_url, built_db_file):
    pg = PostgresDatabase(pg_url)
    counts = load_file(pg, built_db_file)
    with pg.read() as cur:
        cur.execute(f"ATTACH '{built_db_file}' AS reference (READ_ONLY)")
        for table, count in counts.items():
            assert cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == count, table
            assert cur.execute(f'SELECT count(*) FROM reference."{table}"').fetchone()[0] == count, table
        top = cur.execute("SELECT max(id) FROM reference.audit_log").fetchone()[0] or 0
        cur.execute("DETACH reference")
    assert counts["indicator_value"] > 0 and counts["territory"] > 0
    with pg.transaction() as cur:
        cur.execute("INSERT INTO audit_log (actor, entity, action) VALUES ('test', 'value', 'check')")
        assert cur.execute("SELECT max(id) FROM audit_log").fetchone()[0] > top
    with pytest.raises(StoreError, match="contient déjà une base Carrefours"):
        load_file(pg, built_db_file)
    pg.close()


def test_init_and_status_run_on_postgres_like_on_the_file(pg_url, db_file):
    env = {"CARREFOURS_DATABASE_URL": pg_url}
    result = spawn("init", env=env)  # the real entry point, its territories and plan into PostgreSQL
    assert result.returncode == 0, result.stderr
    assert "Base créée dans PostgreSQL" in result.stdout
    on_postgres = json.loads(run("status", "--json", env=env).stdout)
    on_file = json.loads(run("status", "--json", db_file=db_file).stdout)
    for report in (on_postgres, on_file):
        report.pop("database"), report.pop("built_at")
    assert on_postgres == on_file
    again = run("init", env=env)
    assert again.returncode != 0 and "--force" in again.stderr
