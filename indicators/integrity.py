"""Start-up check that the audit trail and the values agree (a damaged write-ahead log breaks that).

bootstrap hands it to store.lifecycle, which runs it on the read-only file before opening it.
"""

from __future__ import annotations

from pathlib import Path

# How many of the latest audit rows are compared with the values at each start: a damaged log loses the
# latest transactions, and a short window keeps the check cheap on a trail of millions of rows.
RECENT_AUDIT_ROWS = 5_000

_MISSING_SQL = """
WITH recent AS (
    SELECT id, created_at, actor,
           split_part(entity_key, '|', 1) AS indicator_code, split_part(entity_key, '|', 2) AS territory_id,
           split_part(entity_key, '|', 3) AS period, split_part(entity_key, '|', 4) AS kind,
           coalesce(TRY_CAST(json_extract(new_data, '$.version') AS INTEGER), 0) AS version
    FROM audit_log
    WHERE id > (SELECT coalesce(max(id), 0) FROM audit_log) - ? AND entity = 'value'
      AND action IN ('insert', 'update', 'delete') AND entity_key IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY entity_key ORDER BY id DESC) = 1 AND action <> 'delete'
),
found AS (  -- an inner join, so the few recent rows are the hashed side, not the millions of values
    SELECT r.id FROM recent r JOIN indicator_value v
        ON v.indicator_code = r.indicator_code AND v.territory_id = r.territory_id AND v.period = r.period
       AND v.kind = r.kind AND v.version >= r.version
)
SELECT count(*), max(created_at), arg_max(actor, id) FROM recent ANTI JOIN found USING (id)
"""


def damage_report(con, path: Path) -> str | None:
    """A French explanation if recent audited writes of values are missing from the values, else None."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if not {"audit_log", "indicator_value"} <= tables:
        return None
    missing, last_at, actor = con.execute(_MISSING_SQL, [RECENT_AUDIT_ROWS]).fetchone()
    if not missing:
        return None
    when = last_at.strftime("%d/%m/%Y à %H:%M") if last_at else "date inconnue"
    count = f"{missing:,}".replace(",", "\u202f")
    return (
        f"La base {path} est incohérente : {count} valeur(s) parmi les dernières inscrites au journal des "
        f"modifications (la dernière le {when}, par {actor}) sont absentes des valeurs enregistrées. Le journal d'écriture "
        f"({path.name}.wal) a probablement été endommagé (arrêt brutal, disque plein). Carrefours n'a rien "
        "modifié et ne démarre pas sur cette base. Arrêtez l'application, mettez ce fichier et son .wal de "
        "côté, restaurez la dernière sauvegarde (voir « Sauvegardes » dans le README) et réimportez les "
        "fichiers importés depuis cette sauvegarde."
    )
