"""Each table has one owner package: only its SQL writes the table, and others read it only where listed.

The SQL of the app is read from its Python string literals (docstrings left out): a table named after
INSERT INTO, UPDATE, DELETE FROM (or ALTER/DROP/TRUNCATE) is written, one named after FROM, JOIN or
USING is read. Tests, benchmarks and scripts build fixtures as they like and are not checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NOT_CHECKED = {"tests", "benchmarks", "scripts", ".venv"}

OWNERS = {
    "store": {"schema_migration", "app_meta", "audit_log"},
    "territories": {"territory", "classification_import"},
    "accounts": {"account", "account_scope", "account_session", "api_token", "login_attempt"},
    "indicators": {
        "indicator",
        "indicator_rule",
        "value_review",
        "indicator_review",
        "value_state",
        "source",
        "indicator_value",
        "indicator_value_keyless",
        "reference_value",
        "period_lock",
        "rollup_year",
        "rollup_dirty",
        "rollup_state",
        "rollup_unpublished",
        "rollup_deferred",
    },
    "lieux": {"lieu", "lieu_label"},
    "notifications": {"notification_outbox", "notification_item"},
    "plan": {
        "axis",
        "measure",
        "measure_indicator",
        "measure_budget",
        "measure_milestone",
        "measure_status_history",
        "measure_note",
    },
}
OWNER = {table: package for package, tables in OWNERS.items() for table in tables}

# Reads of another package's table that stay, each a join kept inside DuckDB because the query runs over
# national volumes (21 million values, 35 000 communes) where shipping one side to Python and back would
# cost more than the join. The owner of the query's main table exposes it; nothing else reads across.
ALLOWED_READS = {
    ("indicators/rollup.py", "territory"): "roll-ups join every value to its parent territory of each level",
    ("indicators/repository.py", "territory"): "the value export names each value's territory; value sources "
    "group values by their territory's level",
    ("indicators/outlier_repository.py", "territory"): "a value is scored among every value of its level, whole "
    "country, and a coordinator's list keeps the values of their régions",
    ("indicators/soft_rule_repository.py", "territory"): "a région's value is compared with the largest value of "
    "its départements",
    ("indicators/computed_values.py", "territory"): "a computed value is held back when its région's period is locked",
    ("indicators/repository.py", "audit_log"): "a value's history, undo and last version come from its audit rows",
    ("indicators/integrity.py", "audit_log"): "the start-up check compares the latest audit rows with the values",
    ("lieux/computed.py", "territory"): "registry indicators are computed for every commune × year in one query",
    ("lieux/repository.py", "territory"): "lieux of a territory, and the commune centre of a place without one",
}

_TABLE_LIST = r"(\w+(?:\s+(?:AS\s+)?\w+)?(?:\s*,\s*\w+(?:\s+(?:AS\s+)?\w+)?)*)"
_WRITE = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|ALTER\s+TABLE"
    r"|DROP\s+TABLE(?:\s+IF\s+EXISTS)?)\s+(\w+)"
)
_READ = re.compile(r"\b(?:FROM|JOIN|USING)\s+" + _TABLE_LIST)


def tables() -> set[str]:
    """Every table the migrations create, and the migrations' own ledger."""
    created = {"schema_migration"}
    for path in (ROOT / "store" / "migrations").glob("*.sql"):
        created |= set(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", path.read_text(encoding="utf-8")))
    return created


def uses(source: str, known: set[str]) -> set[tuple[str, str]]:
    """(table, "write" | "read") for each table the SQL strings of a Python source name."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
            continue
        found |= {(t, "write") for t in _WRITE.findall(node.value) if t in known}
        for listed in _READ.findall(node.value):
            found |= {(t, "read") for t in re.findall(r"\w+", listed) if t in known}
    return found


def app_modules() -> list[tuple[str, str]]:
    """(path relative to the root, package or top-level module name) of every module of the app."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in NOT_CHECKED:
            continue
        out.append((rel.as_posix(), rel.parts[0] if len(rel.parts) > 1 else rel.stem))
    return out


def crossings() -> tuple[list[str], set[tuple[str, str]]]:
    """Writes of a table by a package other than its owner, and reads of other owners' tables."""
    known = tables()
    writes, reads = [], set()
    for rel, package in app_modules():
        for table, how in uses((ROOT / rel).read_text(encoding="utf-8"), known):
            if OWNER.get(table) == package:
                continue
            if how == "write":
                writes.append(f"{rel} writes {table} (owner: {OWNER.get(table)})")
            else:
                reads.add((rel, table))
    return writes, reads


def test_every_table_has_one_owner():
    assert tables() == set(OWNER), "give each new table an owner package in OWNERS"
    assert sum(len(t) for t in OWNERS.values()) == len(OWNER)


def test_only_the_owner_package_writes_a_table():
    writes, _ = crossings()
    assert writes == [], "call the owner's repository instead:\n" + "\n".join(writes)


def test_other_packages_read_a_table_only_where_listed():
    _, reads = crossings()
    unlisted = sorted(reads - set(ALLOWED_READS))
    assert unlisted == [], "read through the owner's repository, or list the join in ALLOWED_READS with why"
    assert set(ALLOWED_READS) - reads == set(), "these allowed reads are gone: remove them from ALLOWED_READS"


def test_the_reader_of_sql_sees_writes_and_reads_in_every_form():
    sql = '''
def f(cur):
    """INSERT INTO lieu is only a docstring."""
    cur.execute("INSERT OR REPLACE INTO lieu_label VALUES (?)")
    cur.execute(f"UPDATE territory t SET x = 1 FROM {name} WHERE t.id = 1")
    cur.execute("DELETE FROM recompute_diff d USING territory t, period_lock p WHERE 1")
    cur.execute("SELECT * FROM lieu l LEFT JOIN account a ON a.email = l.id")
'''
    known = {"lieu", "lieu_label", "territory", "period_lock", "account"}
    assert uses(sql, known) == {
        ("lieu_label", "write"),
        ("territory", "write"),
        ("territory", "read"),
        ("period_lock", "read"),
        ("lieu", "read"),
        ("account", "read"),
    }
