"""What the database holds: counts per level and kind, demo flag (for `cli.py status`)."""

from __future__ import annotations

from store.db import Database


def status(db: Database) -> dict:
    """A summary of the database content, as plain data."""
    with db.read() as cur:
        levels = dict(cur.execute("SELECT level, count(*) FROM territory GROUP BY level").fetchall())
        kinds = dict(cur.execute("SELECT kind, count(*) FROM indicator_value GROUP BY kind").fetchall())
        national = cur.execute(
            "SELECT v.indicator_code, v.period, v.kind, v.value, v.numerator, v.denominator,"
            " v.source, s.title FROM indicator_value v LEFT JOIN source s ON s.code = v.source"
            " WHERE v.territory_id = 'FR' AND NOT v.is_demo ORDER BY v.indicator_code, v.period_end, v.kind"
        ).fetchall()
        meta = dict(cur.execute("SELECT key, value FROM app_meta").fetchall())
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        users = cur.execute("SELECT count(*) FROM account").fetchone()[0] if "account" in tables else 0
        return {
            "database": str(db.path) if db.path else ":memory:",
            "built_at": meta.get("built_at"),
            "demo": meta.get("demo") == "true",
            "territories": {lvl: levels.get(lvl, 0) for lvl in ("pays", "region", "departement", "epci", "commune")},
            "typology_official": bool(
                cur.execute("SELECT bool_and(typology_official) FROM territory WHERE level = 'commune'").fetchone()[0]
            ),
            "axes": [r[0] for r in cur.execute("SELECT code FROM axis ORDER BY position").fetchall()],
            "measures": [r[0] for r in cur.execute("SELECT code FROM measure ORDER BY position").fetchall()],
            "indicators": [r[0] for r in cur.execute("SELECT code FROM indicator ORDER BY code").fetchall()],
            "values": {k: kinds.get(k, 0) for k in ("actual", "target", "baseline")},
            "demo_values": cur.execute("SELECT count(*) FROM indicator_value WHERE is_demo").fetchone()[0],
            "duplicate_value_keys": cur.execute(
                "SELECT count(*) FROM (SELECT 1 FROM indicator_value GROUP BY indicator_code, territory_id,"
                " period, kind HAVING count(*) > 1)"
            ).fetchone()[0],
            "lieux": cur.execute("SELECT count(*) FROM lieu").fetchone()[0],
            "demo_lieux": cur.execute("SELECT count(*) FROM lieu WHERE is_demo").fetchone()[0],
            "users": users,
            "national_values": [
                {
                    "indicator": r[0],
                    "period": r[1],
                    "kind": r[2],
                    "value": r[3],
                    "numerator": r[4],
                    "denominator": r[5],
                    "source": r[6],
                    "source_title": r[7],
                }
                for r in national
            ],
        }
