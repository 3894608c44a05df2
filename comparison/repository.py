"""Reads for the peer comparison (set-based over the roll-ups: one query for all indicators)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import aggregates
from indicators import repository as indicator_repo
from indicators.key_filter import in_lists
from plan import repository as plan_repo


def indicators(cur) -> pd.DataFrame:
    """The indicator catalogue with its source title and publisher, in plan order (axis, measure) then code."""
    # Three small reads (a few dozen rows each), one per owner: the catalogue, its sources, the plan's order.
    publishers = indicator_repo.sources(cur)[["code", "publisher"]]
    publishers = publishers.rename(columns={"code": "source_code", "publisher": "source_publisher"})
    order = plan_repo.indicator_plan_order(cur).rename(columns={"indicator_code": "code"})
    frame = (
        indicator_repo.catalogue(cur)
        .merge(publishers, on="source_code", how="left")
        .merge(order, on="code", how="left")
    )
    return frame.sort_values(["plan_order", "code"], na_position="last", kind="stable").reset_index(drop=True)


def rolled_slices(cur, published_only: bool) -> pd.DataFrame:
    """Every yearly roll-up slice of actual values: indicator, year and the level it was rolled up from."""
    where = "r.kind = 'actual' AND r.level = 'pays'"  # one row per slice: France's
    return cur.execute(*aggregates.visible("r.indicator_code, r.year, r.source_level", where, [], published_only)).df()


def rolled_values(cur, level: str, wanted: pd.DataFrame, territories: pd.DataFrame, published_only: bool) -> dict:
    """Rolled-up actual values of a level's territories, for the (indicator_code, source_level, year) rows
    of `wanted` (with their matrix column `col` and whether they are the `latest` year).

    Returns numpy arrays: row of the territory in `territories` (id, row), col, latest, value,
    reported, expected, is_demo. No strings cross over, which keeps a national read fast.
    """
    if wanted.empty:  # nothing to read (and an empty frame has no column types to join on)
        return {name: np.array([]) for name in ("row", "col", "latest", "value", "reported", "expected", "is_demo")}
    # The wanted indicators and years as constants too: PostgreSQL receives those, not the EXISTS.
    named, named_params = in_lists(
        "r", {"indicator_code": wanted["indicator_code"], "year": wanted["year"].astype(int)}
    )
    where = (
        f"r.kind = 'actual' AND r.level = ? AND {named} AND EXISTS (SELECT 1 FROM rolled_wanted w WHERE"
        " w.indicator_code = r.indicator_code AND w.year = r.year AND w.source_level = r.source_level)"
    )
    visible, params = aggregates.visible(
        "r.indicator_code, r.year, r.territory_id, r.value, r.reported, r.expected, r.is_demo",
        where,
        [level, *named_params],
        published_only,
    )
    cur.register("rolled_wanted", wanted)
    cur.register("rolled_territories", territories)
    try:
        return cur.execute(
            f"SELECT t.row, w.col, w.latest, r.value, r.reported, r.expected, coalesce(r.is_demo, false) AS is_demo"
            f" FROM ({visible}) r JOIN rolled_wanted w ON w.indicator_code = r.indicator_code AND w.year = r.year"
            " JOIN rolled_territories t ON t.id = r.territory_id",
            params,
        ).fetchnumpy()
    finally:
        cur.unregister("rolled_wanted")
        cur.unregister("rolled_territories")


def rolled_series(cur, level: str, indicator_code: str, source_level: str, published_only: bool) -> pd.DataFrame:
    """Every year of one indicator rolled up from one source level into a level's territories."""
    where = "r.kind = 'actual' AND r.level = ? AND r.indicator_code = ? AND r.source_level = ?"
    params = [level, indicator_code, source_level]
    return cur.execute(*aggregates.visible("r.year, r.territory_id, r.value", where, params, published_only)).df()
