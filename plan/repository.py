"""SQL of the plan: axes, measures, their indicators, milestones, sources, status and notes."""

from __future__ import annotations

import pandas as pd

from indicators import aggregates
from territories.levels import FRANCE

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
    """One measure as a dict, or None."""
    frame = cur.execute(
        "SELECT m.*, a.title AS axis_title, s.title AS source_title FROM measure m"
        " JOIN axis a ON a.code = m.axis_code LEFT JOIN source s ON s.code = m.source_code"
        " WHERE m.code = ?",
        [code],
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def measure_indicators(cur, code: str) -> pd.DataFrame:
    """Indicators of a measure with weight, the periods that count, and their source."""
    return cur.execute(
        "SELECT i.*, mi.weight, mi.baseline_period, mi.target_period, s.title AS source_title"
        " FROM measure_indicator mi JOIN indicator i ON i.code = mi.indicator_code"
        " LEFT JOIN source s ON s.code = i.source_code WHERE mi.measure_code = ?"
        " ORDER BY mi.weight DESC, i.code",
        [code],
    ).df()


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


def indicators(cur) -> pd.DataFrame:
    """The indicator catalogue with source titles."""
    return cur.execute(
        "SELECT i.*, s.title AS source_title FROM indicator i"
        " LEFT JOIN source s ON s.code = i.source_code ORDER BY i.code"
    ).df()


def sources(cur) -> pd.DataFrame:
    """Every public source cited by the plan."""
    return cur.execute("SELECT * FROM source ORDER BY code").df()


def values(cur, indicator_code: str, territory_id: str = FRANCE) -> pd.DataFrame:
    """Values, targets and baselines of one indicator in one territory, by period."""
    return cur.execute(
        "SELECT v.period, v.period_end, v.kind, v.value, v.numerator, v.denominator, v.source,"
        " coalesce(s.title, v.source) AS source_title, v.comment, v.is_demo, v.updated_at, v.published,"
        " v.territory_id FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
        " WHERE v.indicator_code = ? AND v.territory_id = ? ORDER BY v.period_end, v.kind",
        [indicator_code, territory_id],
    ).df()


def reference_values(cur, indicator_code: str, territory_id: str = FRANCE) -> pd.DataFrame:
    """Figures other sources give that the plan does not use, each with its source."""
    return cur.execute(
        "SELECT r.period, r.value, r.source, coalesce(s.title, r.source) AS source_title, r.comment"
        " FROM reference_value r LEFT JOIN source s ON s.code = r.source"
        " WHERE r.indicator_code = ? AND r.territory_id = ? ORDER BY r.period, r.value",
        [indicator_code, territory_id],
    ).df()


def is_demo_database(cur) -> bool:
    """Whether the database was built with demo data."""
    row = cur.execute("SELECT value FROM app_meta WHERE key = 'demo'").fetchone()
    return bool(row) and row[0] == "true"


def measure_indicator_frame(cur) -> pd.DataFrame:
    """Every (measure, indicator) pair with the indicator's rules and the measure's dates."""
    return cur.execute(
        "SELECT mi.measure_code, mi.indicator_code, mi.weight, mi.baseline_period, mi.target_period, mi.cumulative_since,"
        " i.name AS indicator_name, i.unit, i.kind AS indicator_kind, i.direction, i.territorial_agg,"
        " i.temporal_agg, i.period_type, i.per_inhabitants, i.computed_from, m.start_date, m.end_date"
        " FROM measure_indicator mi JOIN indicator i ON i.code = mi.indicator_code"
        " JOIN measure m ON m.code = mi.measure_code JOIN axis a ON a.code = m.axis_code"
        " ORDER BY a.position, m.position, mi.weight DESC, mi.indicator_code"
    ).df()


def direct_values(cur, territory_id: str = FRANCE) -> pd.DataFrame:
    """Every value stored directly on one territory (national sourced figures for FR), with source titles."""
    return cur.execute(
        "SELECT v.indicator_code, v.kind, v.period, v.period_end, v.value, v.numerator, v.denominator,"
        " v.source, coalesce(s.title, v.source) AS source_title, v.is_demo, v.published, v.updated_at"
        " FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
        " WHERE v.territory_id = ? ORDER BY v.indicator_code, v.kind, v.period_end",
        [territory_id],
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


def territories_of(cur, levels: list[str]) -> pd.DataFrame:
    """Id, level, code, name, typology and population of every territory of some levels."""
    return cur.execute(
        "SELECT id, level, code, name, typology, population FROM territory WHERE list_contains(?, level)"
        " ORDER BY level, code",
        [levels],
    ).df()


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


def indicator(cur, code: str) -> dict | None:
    """One indicator's definition with its source title, or None."""
    frame = cur.execute(
        "SELECT i.*, s.title AS source_title FROM indicator i"
        " LEFT JOIN source s ON s.code = i.source_code WHERE i.code = ?",
        [code],
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def subnational_periods(cur, code: str) -> pd.DataFrame:
    """Years holding actual values of an indicator below France, with the finest level holding them."""
    return cur.execute(
        "SELECT year::VARCHAR AS period, make_date(year, 12, 31) AS period_end,"
        " list_position(['commune', 'epci', 'departement', 'region'], any_value(source_level)) - 1 AS rank"
        " FROM rollup_year WHERE indicator_code = ? AND kind = 'actual' AND source_level <> 'pays'"
        # France's row counts the source territories that reported, like the source rows would.
        " AND level = 'pays' AND reported > 0 AND NOT published_only"
        " GROUP BY year ORDER BY year",
        [code],
    ).df()


def rollup_series(cur, codes: list[str], levels: tuple[str, ...], published_only: bool) -> pd.DataFrame:
    """Yearly roll-ups of some indicators into the levels' territories (SERIES_COLUMNS), by level and code.

    For each (indicator, kind), only the years rolled up from its finest reporting level below France
    count (a year reported only by coarser territories is left out), as the series always showed.
    """
    rank = "list_position(['commune', 'epci', 'departement', 'region'], r.source_level)"
    where = (
        "list_contains(?, r.indicator_code) AND list_contains(['actual', 'target', 'baseline'], r.kind)"
        " AND r.source_level <> 'pays' AND list_contains(?, r.level)"
    )
    wanted = [codes, sorted({*levels, "pays"})]  # every slice has one row for France: it tells its source
    visible = aggregates.visible_sql(f"r.*, {rank} AS rank", where)
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
        [published_only, *wanted, published_only, *wanted, list(levels)],
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
    return cur.execute(
        "INSERT INTO measure_note (measure_code, author, text) VALUES (?, ?, ?) RETURNING id", [code, author, text]
    ).fetchone()[0]
