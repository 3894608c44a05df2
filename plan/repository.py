"""SQL of the plan: axes, measures, their indicators, milestones, status and notes (the catalogue is indicators')."""

from __future__ import annotations

import pandas as pd

from indicators import aggregates
from indicators import repository as indicator_repo
from indicators.key_filter import in_lists
from store.db import next_id

# The indicator's rules each (measure, indicator) pair carries, as measure_indicator_frame names them.
_PAIR_RULES = {
    "code": "indicator_code",
    "name": "indicator_name",
    "unit": "unit",
    "kind": "indicator_kind",
    "direction": "direction",
    "territorial_agg": "territorial_agg",
    "temporal_agg": "temporal_agg",
    "period_type": "period_type",
    "per_inhabitants": "per_inhabitants",
    "computed_from": "computed_from",
    "delay_days": "delay_days",
}

# The roll-up series' columns, as rollup_series returns them.
SERIES_COLUMNS = [
    "level",
    "territory_id",
    "indicator_code",
    "kind",
    "period",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "reported",
    "expected",
    "is_demo",
    "updated_at",
]


def axes(cur) -> pd.DataFrame:
    """Axes in plan order."""
    return cur.execute("SELECT code, position, title FROM axis ORDER BY position").df()


def measures(cur) -> pd.DataFrame:
    """Every measure with its axis title, in plan order."""
    return cur.execute(
        "SELECT m.*, a.title AS axis_title FROM measure m JOIN axis a ON a.code = m.axis_code"
        " ORDER BY a.position, m.position"
    ).df()


def measure(cur, code: str) -> dict | None:
    """One measure as a dict (with its axis and source titles), or None."""
    frame = cur.execute(
        "SELECT m.*, a.title AS axis_title FROM measure m JOIN axis a ON a.code = m.axis_code WHERE m.code = ?",
        [code],
    ).df()
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {**row, "source_title": indicator_repo.source_title(cur, row["source_code"])}


def measure_indicators(cur, code: str) -> pd.DataFrame:
    """Indicators of a measure with weight, the periods that count, and their source."""
    # Two reads (the catalogue is the indicators' own, and a few dozen rows): merged here.
    catalogue = indicator_repo.catalogue(cur)
    links = cur.execute(
        "SELECT indicator_code AS code, weight, baseline_period, target_period FROM measure_indicator"
        " WHERE measure_code = ?",
        [code],
    ).df()
    merged = links.merge(catalogue, on="code").sort_values(["weight", "code"], ascending=[False, True], kind="stable")
    columns = [c for c in catalogue.columns if c != "source_title"]
    return merged[[*columns, "weight", "baseline_period", "target_period", "source_title"]].reset_index(drop=True)


def milestones(cur, code: str) -> pd.DataFrame:
    """Dated steps of a measure."""
    return cur.execute(
        "SELECT on_date, title, done FROM measure_milestone WHERE measure_code = ? ORDER BY on_date", [code]
    ).df()


def status_history(cur, code: str) -> pd.DataFrame:
    """Status and météo changes of a measure, newest first."""
    return cur.execute(
        "SELECT changed_at, status, meteo, author, comment FROM measure_status_history"
        " WHERE measure_code = ? ORDER BY changed_at DESC",
        [code],
    ).df()


def measure_indicator_frame(cur) -> pd.DataFrame:
    """Every (measure, indicator) pair with the indicator's rules and the measure's dates, in plan order."""
    pairs = cur.execute(
        "SELECT mi.measure_code, mi.indicator_code, mi.weight, mi.baseline_period, mi.target_period,"
        " mi.cumulative_since, m.start_date, m.end_date"
        " FROM measure_indicator mi JOIN measure m ON m.code = mi.measure_code JOIN axis a ON a.code = m.axis_code"
        " ORDER BY a.position, m.position, mi.weight DESC, mi.indicator_code"
    ).df()
    rules = indicator_repo.catalogue(cur)[list(_PAIR_RULES)].rename(columns=_PAIR_RULES)
    merged = pairs.merge(rules, on="indicator_code", how="inner")  # keeps the pairs' (plan) order
    return merged[[*pairs.columns[:6], *list(_PAIR_RULES.values())[1:], "start_date", "end_date"]]


def indicator_plan_order(cur) -> pd.DataFrame:
    """Per indicator of the plan: its place in plan order (axis, then measure) and its first measure's code."""
    return cur.execute(
        "SELECT mi.indicator_code, min(a.position * 1000 + m.position) AS plan_order, min(m.code) AS measure_code"
        " FROM measure_indicator mi JOIN measure m ON m.code = mi.measure_code JOIN axis a ON a.code = m.axis_code"
        " GROUP BY mi.indicator_code"
    ).df()


def plan_signature(cur) -> tuple:
    """A cheap signature of the plan's weights and periods, to know when cached progress is stale."""
    return tuple(
        cur.execute(
            "SELECT count(*), sum(weight), string_agg(coalesce(baseline_period, '') ||"
            " coalesce(target_period, '') || coalesce(cumulative_since::VARCHAR, ''), ','"
            " ORDER BY measure_code, indicator_code)"
            " FROM measure_indicator"
        ).fetchone()
    )


def budgets(cur, code: str) -> pd.DataFrame:
    """Planned and actual budget of a measure per year."""
    return cur.execute(
        "SELECT year, planned_eur, actual_eur, source_code FROM measure_budget WHERE measure_code = ? ORDER BY year",
        [code],
    ).df()


def notes(cur, code: str) -> pd.DataFrame:
    """Follow-up notes of a measure, newest first."""
    return cur.execute(
        "SELECT id, created_at, author, text FROM measure_note WHERE measure_code = ?"
        " ORDER BY created_at DESC, id DESC",
        [code],
    ).df()


def rollup_series(cur, codes: list[str], levels: tuple[str, ...], published_only: bool) -> pd.DataFrame:
    """Yearly roll-ups of some indicators into the levels' territories (SERIES_COLUMNS), by level and code.

    For each (indicator, kind), only the years rolled up from its finest reporting level below France
    count (a year reported only by coarser territories is left out), as the series always showed.
    """
    rank = "list_position(['commune', 'epci', 'departement', 'region'], r.source_level)"
    # IN lists: PostgreSQL receives them (and its index on level serves them); list_contains it does not.
    named, wanted = in_lists(
        "r",
        {"indicator_code": codes, "level": {*levels, "pays"}},  # France's row of a slice tells its source
    )
    where = f"{named} AND r.kind IN ('actual', 'target', 'baseline') AND r.source_level <> 'pays'"
    visible, params = aggregates.visible(f"r.*, {rank} AS rank", where, wanted, published_only)
    frame = cur.execute(
        f"""
        WITH r AS MATERIALIZED ({visible}),
        src AS (SELECT indicator_code, kind, min(rank) AS rank FROM r WHERE level = 'pays' GROUP BY ALL)
        SELECT r.level, r.territory_id, r.indicator_code, r.kind, r.year::VARCHAR AS period,
               make_date(r.year, 12, 31) AS period_end, r.value, r.numerator, r.denominator, r.reported,
               r.expected, coalesce(r.is_demo, false) AS is_demo, r.updated_at
        FROM r SEMI JOIN src ON src.indicator_code = r.indicator_code AND src.kind = r.kind AND src.rank = r.rank
        WHERE list_contains(?, r.level)
        ORDER BY r.level, r.indicator_code, r.kind, r.territory_id, r.year""",
        [*params, list(levels)],
    ).df()
    return frame[SERIES_COLUMNS]


def measure_state(cur, code: str) -> tuple | None:
    """A measure's (status, meteo, version, updated_by, updated_at), or None for an unknown code."""
    return cur.execute(
        "SELECT status, meteo, version, updated_by, updated_at FROM measure WHERE code = ?", [code]
    ).fetchone()


def measure_exists(cur, code: str) -> bool:
    """Whether a measure code exists."""
    return cur.execute("SELECT count(*) FROM measure WHERE code = ?", [code]).fetchone()[0] > 0


def set_status(cur, code: str, status: str, meteo: str, actor: str, comment: str | None) -> None:
    """Write a measure's new status and météo (version + 1) and keep the change in its history."""
    cur.execute(
        "UPDATE measure SET status = ?, meteo = ?, version = version + 1,"
        " updated_at = current_timestamp, updated_by = ? WHERE code = ?",
        [status, meteo, actor, code],
    )
    cur.execute(
        "INSERT INTO measure_status_history VALUES (?, current_timestamp, ?, ?, ?, ?)",
        [code, status, meteo, actor, comment],
    )


def add_note(cur, code: str, author: str, text: str) -> int:
    """Insert a follow-up note on a measure; returns its id."""
    note_id = next_id(cur, "measure_note_seq")
    cur.execute(
        "INSERT INTO measure_note (id, measure_code, author, text) VALUES (?, ?, ?, ?)", [note_id, code, author, text]
    )
    return note_id


def axis_codes(cur) -> list[str]:
    """The axes' codes, in plan order."""
    return [r[0] for r in cur.execute("SELECT code FROM axis ORDER BY position").fetchall()]


def measure_codes(cur) -> list[str]:
    """The measures' codes, by position."""
    return [r[0] for r in cur.execute("SELECT code FROM measure ORDER BY position").fetchall()]
