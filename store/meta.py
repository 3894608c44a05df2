"""The database's own facts (table app_meta): when it was built, and whether with demo data."""

from __future__ import annotations

from datetime import datetime


def record_build(cur, demo: bool) -> None:
    """Mark the database as built now (a file without this mark is an interrupted build)."""
    cur.execute(
        "INSERT INTO app_meta VALUES ('built_at', ?), ('demo', ?)",
        [datetime.now().isoformat(timespec="seconds"), "true" if demo else "false"],
    )


def is_built(cur) -> bool:
    """Whether the build finished (record_build ran)."""
    return cur.execute("SELECT count(*) FROM app_meta WHERE key = 'built_at'").fetchone()[0] > 0


def read(cur) -> dict[str, str]:
    """Every fact, by key."""
    return dict(cur.execute("SELECT key, value FROM app_meta").fetchall())


def record(cur, key: str, value: str) -> None:
    """Set one fact (replacing its earlier value)."""
    forget(cur, key)
    cur.execute("INSERT INTO app_meta VALUES (?, ?)", [key, value])


def forget(cur, key: str) -> None:
    """Remove one fact."""
    cur.execute("DELETE FROM app_meta WHERE key = ?", [key])


def is_demo(cur) -> bool:
    """Whether the database was built with demo data."""
    return read(cur).get("demo") == "true"
