"""Inserts that fill a new database's indicator tables: sources, the catalogue, the plan's and demo values.

Only a database build calls them (plan.seed, demo.generator), inside its one transaction; every later
change of a value goes through indicators.writes.apply.
"""

from __future__ import annotations

import pandas as pd

from indicators.models import Indicator


def insert_source(cur, code: str, source: dict) -> None:
    """One public source of the catalogue (title, publisher, publication date, licence)."""
    cur.execute(
        "INSERT INTO source VALUES (?, ?, ?, ?, ?)",
        [code, source["title"], source.get("publisher"), source.get("published_on"), source.get("licence")],
    )


def insert_indicator(cur, i: Indicator) -> None:
    """One indicator of the catalogue."""
    cur.execute(
        "INSERT INTO indicator (code, name, unit, kind, direction, territorial_agg, temporal_agg, period_type,"
        " per_inhabitants, computed_from, source_code, method, delay_days, contact, contact_confirmed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            i.code,
            i.name,
            i.unit,
            i.kind,
            i.direction,
            i.territorial_agg,
            i.temporal_agg,
            i.period_type,
            i.per_inhabitants,
            i.computed_from,
            i.source_code,
            i.method,
            i.delay_days,
            i.contact,
            i.contact_confirmed,
        ],
    )
    if i.checks.declared:
        c = i.checks
        cur.execute(
            "INSERT INTO indicator_rule VALUES (?, ?, ?, ?, ?)", [i.code, c.min, c.max, c.integer, c.max_change_pct]
        )
    if i.reviewed:
        cur.execute("INSERT INTO indicator_review VALUES (?)", [i.code])


def insert_value(cur, row: list, actor: str) -> None:
    """One sourced value: indicator, territory, period, start, end, kind, value, numerator, denominator,
    source, comment (never demo data)."""
    cur.execute(
        "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end,"
        " kind, value, numerator, denominator, source, comment, is_demo, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?)",
        [*row, actor],
    )


def insert_demo_values(cur, values: pd.DataFrame, source: str, actor: str) -> None:
    """Demo values of a frame (indicator_code, territory_id, period, period_start, period_end, kind, value)."""
    cur.register("demo_values", values)
    try:
        cur.execute(
            "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end,"
            " kind, value, source, is_demo, updated_by) SELECT indicator_code, territory_id, period,"
            " period_start, period_end, kind, value, ?, true, ? FROM demo_values",
            [source, actor],
        )
    finally:
        cur.unregister("demo_values")


def insert_reference_value(cur, row: list) -> None:
    """A figure another source gives, kept beside the plan's: indicator, territory, period, value, source, comment."""
    cur.execute("INSERT INTO reference_value VALUES (?, ?, ?, ?, ?, ?)", row)


def indicator_codes(cur) -> set[str]:
    """The codes of the catalogue's indicators in the database."""
    return {row[0] for row in cur.execute("SELECT code FROM indicator").fetchall()}


def rule_rows(cur) -> list[tuple]:
    """The stored control rules, by indicator code (to compare with the catalogue file)."""
    return cur.execute(
        "SELECT indicator_code, min_value, max_value, integer_only, max_change_pct FROM indicator_rule ORDER BY 1"
    ).fetchall()


def replace_rules(cur, rows: list[tuple]) -> None:
    """Replace every control rule with the catalogue's rows (code, min, max, integer, max_change_pct)."""
    cur.execute("DELETE FROM indicator_rule")
    if rows:
        cur.executemany("INSERT INTO indicator_rule VALUES (?, ?, ?, ?, ?)", rows)
