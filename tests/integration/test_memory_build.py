"""A first start built in memory then copied into its file equals a build written straight into the file."""

import shutil

import duckdb
import pytest

from bootstrap import build, create, open_database
from store.audit import append
from store.db import Database
from store.memory_build import build_in_memory
from store.migrations import discover
from tests.conftest import whole_france

# The counts below are those of the whole of France; the build in memory is written to a file.
pytestmark = [pytest.mark.national, pytest.mark.duckdb_file]

# Sequence, and the table and column whose ids it gives.
SEQUENCES = {
    "audit_seq": ("audit_log", "id"),
    "measure_note_seq": ("measure_note", "id"),
    "login_attempt_seq": ("login_attempt", "id"),
}
# Tables compared row for row, by key (the build's clock column updated_at left out).
COMPARED = {
    "territory": ["id"],
    "lieu": ["id"],
    "indicator": ["code"],
    "measure": ["code"],
    "indicator_value": ["indicator_code", "territory_id", "period", "kind"],
    "rollup_year": ["indicator_code", "year", "kind", "level", "territory_id", "published_only"],
}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The same demo build twice: written straight into its file (as before), and in memory then copied."""
    folder = tmp_path_factory.mktemp("two_builds")
    direct, copied = folder / "direct.duckdb", folder / "copied.duckdb"
    with whole_france():
        db = Database(direct)
        build(db, demo=True)
        db.checkpoint()
        db.close()
        create(copied, demo=True)
    return direct, copied


def _schema(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {
            r[0]: con.execute(f'SELECT count(*) FROM "{r[0]}"').fetchone()[0]
            for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        columns = con.execute(
            "SELECT table_name, column_index, column_name, data_type, column_default, is_nullable"
            " FROM duckdb_columns() ORDER BY ALL"
        ).fetchall()
        constraints = con.execute(
            "SELECT table_name, constraint_type, constraint_text, constraint_column_names"
            " FROM duckdb_constraints() ORDER BY ALL"
        ).fetchall()
        migrations = con.execute("SELECT number, name, checksum FROM schema_migration ORDER BY number").fetchall()
    finally:
        con.close()
    return tables, columns, constraints, migrations


def test_the_copy_has_the_same_tables_columns_constraints_and_row_counts(two_builds):
    direct, copied = (_schema(p) for p in two_builds)
    assert direct[0] == copied[0]
    assert direct[1] == copied[1]
    assert direct[2] == copied[2]
    tables = copied[0]
    # Hand-known figures of the build: the whole geography, the plan's indicators, no sign-in yet.
    assert tables["territory"] == 34875 + 1255 + 101 + 18 + 1
    assert tables["login_attempt"] == 0 and tables["measure_note"] == 0
    assert tables["indicator_value"] > 34875 * 12  # every commune gets its registry values


def test_the_copy_keeps_every_migration_record_and_checksum(two_builds):
    expected = [(m.number, m.name, m.checksum) for m in discover()]
    for path in two_builds:
        assert _schema(path)[3] == expected


def test_the_copy_holds_the_same_rows(two_builds):
    direct, copied = two_builds
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{direct}' AS direct (READ_ONLY)")
        con.execute(f"ATTACH '{copied}' AS copied (READ_ONLY)")
        for table, key in COMPARED.items():
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'direct'"
                " AND table_name = ? AND column_name <> 'updated_at'",
                [table],
            ).fetchall()
            # Sums of doubles run in parallel, in no fixed order: they may differ in their last bits.
            same = " AND ".join(
                f"(a.{c} IS NULL AND b.{c} IS NULL OR abs(a.{c} - b.{c}) <= 1e-9 * greatest(1, abs(a.{c})))"
                if kind == "DOUBLE"
                else f"a.{c} IS NOT DISTINCT FROM b.{c}"
                for c, kind in columns
            )
            on = " AND ".join(f"a.{c} = b.{c}" for c in key)
            count, matched, equal = con.execute(
                f"SELECT (SELECT count(*) FROM direct.{table}), count(*), count(*) FILTER ({same})"
                f" FROM direct.{table} a JOIN copied.{table} b ON {on}"
            ).fetchone()
            assert count == matched == equal, table
    finally:
        con.close()


def test_sequences_give_the_next_id_after_the_copy(two_builds, tmp_path):
    for path in two_builds:
        probe = tmp_path / path.name
        shutil.copy(path, probe)
        con = duckdb.connect(str(probe))
        try:
            for sequence, (table, column) in SEQUENCES.items():
                highest = con.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]
                # Next id: one past the highest given, 1 for a sequence never used.
                assert con.execute(f"SELECT nextval('{sequence}')").fetchone()[0] == highest + 1, (path, sequence)
        finally:
            con.close()
    con = duckdb.connect(str(two_builds[1]), read_only=True)
    try:
        assert con.execute("SELECT max(id) FROM audit_log").fetchone()[0] >= 5  # the build audits itself
    finally:
        con.close()


def test_the_copied_file_opens_and_takes_new_audit_rows(two_builds, tmp_path):
    probe = tmp_path / "carrefours.duckdb"
    shutil.copy(two_builds[1], probe)
    db = open_database(probe)  # identity, damage and migration checks of every start
    try:
        with db.read() as cur:
            highest = cur.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        with db.transaction() as cur:
            append(cur, actor="test", entity="value", action="update", comment="après la copie")
        with db.read() as cur:
            assert cur.execute("SELECT id FROM audit_log WHERE comment = 'après la copie'").fetchone()[0] == highest + 1
    finally:
        db.close()


def test_a_failed_fill_writes_no_file(tmp_path):
    target = tmp_path / "carrefours.duckdb"

    def fill(db):
        with db.transaction() as cur:
            cur.execute("CREATE TABLE t (x INTEGER)")
        raise RuntimeError("construction interrompue")

    with pytest.raises(RuntimeError):
        build_in_memory(target, fill)
    assert not target.exists()
