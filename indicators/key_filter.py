"""Constant filters naming a batch's keys, so that a join with indicator_value reads only the batch's rows.

On PostgreSQL, DuckDB forwards constant IN lists to the scan (the primary key's index then serves them) but
not join conditions: without them every join of a batch with the values copied the whole table (21 M rows,
8 to 17 s) out of PostgreSQL. On the DuckDB file the same lists let the zone maps skip row groups.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

# Above this many territories a filter names the indicators and periods only (a national file).
MAX_LISTED_TERRITORIES = 5_000


def in_lists(alias: str, columns: dict[str, Iterable]) -> tuple[str, list]:
    """`alias.column IN (…) AND …` for each column's distinct values (false when one has none), and its params."""
    clauses, params = [], []
    for column, values in columns.items():
        listed = sorted({v for v in values if v is not None and v == v})
        clauses.append(f"{alias}.{column} IN ({', '.join('?' * len(listed))})" if listed else "false")
        params += listed
    return " AND ".join(clauses), params


def batch_filter(
    frame: pd.DataFrame, alias: str = "v", columns=("indicator_code", "period", "territory_id")
) -> tuple[str, list]:
    """The IN lists of a batch's key columns (territories left out when a national batch names too many)."""
    chosen = {c: frame[c] for c in columns if c != "territory_id" or frame[c].nunique() <= MAX_LISTED_TERRITORIES}
    return in_lists(alias, chosen)
