"""SQL of the values to check: outlier scores among peers and in a value's own history, and the "vérifié" marks."""

from __future__ import annotations

from datetime import date

import pandas as pd

# Realised values of the typed indicators with their territory (outlier checks read these).
TYPED_VALUES_SQL = (
    "SELECT v.indicator_code, i.name AS indicator_name, v.territory_id, t.name, t.level, t.region_code,"
    " t.departement_code, t.epci_siren, v.period, v.period_start, v.period_end, v.kind, v.value, v.version"
    " FROM indicator_value v JOIN indicator i ON i.code = v.indicator_code AND i.computed_from = 'saisie'"
    " JOIN territory t ON t.id = v.territory_id WHERE v.kind = 'actual' AND v.value IS NOT NULL"
)
_GROUPS = {"peer": "indicator_code, level, kind", "own": "indicator_code, territory_id, kind"}


def latest_typed_period(cur) -> str | None:
    """The latest period holding a realised value of a typed indicator (None when there is none)."""
    row = cur.execute(
        "SELECT v.period FROM indicator_value v JOIN indicator i ON i.code = v.indicator_code"
        " AND i.computed_from = 'saisie' WHERE v.kind = 'actual' AND v.value IS NOT NULL"
        " ORDER BY v.period_end DESC, v.period DESC LIMIT 1"
    ).fetchone()
    return None if row is None else row[0]


def outlier_rows(
    cur,
    *,
    period: str,
    period_start: date,
    since: date,
    until: date,
    regions: list[str] | None,
    factor: float,
    threshold: float,
    min_peers: int,
    min_history: int,
    source: str = TYPED_VALUES_SQL,
) -> pd.DataFrame:
    """Values of one period whose modified z-score M = factor·(x − median)/MAD exceeds the threshold among
    their peers (same indicator, level and kind, whole country) or in their own history (same indicator,
    territory and kind, periods of the same length from `since` to this one), with both scores, medians,
    MADs and group sizes. `regions` limits the values checked (and so the histories read) to those régions.
    `source` is a trusted query of the value columns (TYPED_VALUES_SQL, or a registered frame in the unit
    tests). One period and a bounded history: at national scale a page reads a few hundred thousand values."""
    parts = []
    for name, (keys, rows) in {"peer": (_GROUPS["peer"], "cur_p"), "own": (_GROUPS["own"], "hist")}.items():
        parts.append(
            f"{name}_mid AS (SELECT {keys}, median(value) AS mid, count(*) AS n FROM {rows} GROUP BY {keys}),"
            f" {name}_mad AS (SELECT {keys}, median(abs(r.value - m.mid)) AS mad FROM {rows} r JOIN {name}_mid m"
            f" USING ({keys}) GROUP BY {keys})"
        )
    sql = (
        f"WITH src AS ({source}), cur_p AS (SELECT * FROM src WHERE period = $period),"
        " mine AS (SELECT * FROM cur_p WHERE $regions::VARCHAR[] IS NULL"
        " OR list_contains($regions::VARCHAR[], region_code)),"
        # Periods of the same length (a quarter is 89 to 91 days) inside the window, filtered before the join.
        " window_rows AS (SELECT * FROM src WHERE period_start >= $since::DATE AND period_end <= $until::DATE"
        " AND date_diff('day', period_start, period_end) BETWEEN $days - 3 AND $days + 3),"
        " hist AS (SELECT w.* FROM window_rows w SEMI JOIN mine m USING (indicator_code, territory_id, kind)),"
        f" {', '.join(parts)}, scored AS (SELECT v.*,"
        " pm.mid AS peer_median, pm.n AS peer_n, pd.mad AS peer_mad,"
        " CASE WHEN pm.n >= $min_peers AND pd.mad > 0 THEN $factor * (v.value - pm.mid) / pd.mad END AS peer_score,"
        " om.mid AS own_median, om.n AS own_n, od.mad AS own_mad,"
        " CASE WHEN om.n >= $min_history AND od.mad > 0 THEN $factor * (v.value - om.mid) / od.mad END AS own_score"
        f" FROM mine v JOIN peer_mid pm USING ({_GROUPS['peer']}) JOIN peer_mad pd USING ({_GROUPS['peer']})"
        f" LEFT JOIN own_mid om USING ({_GROUPS['own']}) LEFT JOIN own_mad od USING ({_GROUPS['own']}))"
        " SELECT * FROM scored WHERE abs(peer_score) > $threshold OR abs(own_score) > $threshold"
        " ORDER BY indicator_code, territory_id"
    )
    params = {
        "factor": factor,
        "threshold": threshold,
        "min_peers": min_peers,
        "min_history": min_history,
        "period": period,
        "since": since,
        "until": until,
        "days": (until - period_start).days,
        "regions": regions,
    }
    return cur.execute(sql, params).df()


def value_reviews(cur) -> pd.DataFrame:
    """Every "vérifié" mark: the value key, the version checked, who, when and why."""
    return cur.execute(
        "SELECT indicator_code, territory_id, period, kind, version AS reviewed_version, reviewed_by,"
        " reviewed_at, comment AS review_comment FROM value_review"
    ).df()


def save_review(cur, row: list) -> None:
    """Record (or replace) the check of one value: key, version, who, comment."""
    # reviewed_at given, not left to its default: an INSERT OR REPLACE into PostgreSQL through DuckDB
    # sends the default column as NULL.
    cur.execute(
        "INSERT OR REPLACE INTO value_review (indicator_code, territory_id, period, kind, version, reviewed_by,"
        " comment, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp::TIMESTAMP)",
        row,
    )
