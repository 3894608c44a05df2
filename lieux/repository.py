"""SQL of the registry of tiers-lieux."""

from __future__ import annotations

import pandas as pd

from lieux.models import ATTESTATION_YEARS

LIEU_COLUMNS = (
    "id",
    "name",
    "address",
    "postal_code",
    "commune_code",
    "lat",
    "lon",
    "types",
    "opened_on",
    "closed_on",
    "attested_on",
    "legal_form",
    "in_qpv",
    "website",
    "source",
    "source_id",
    "placement_rule",
    "review_reason",
    "is_demo",
    "version",
    "updated_by",
)
# What a write sets: every column but the key, the demo flag and the bookkeeping the repository keeps.
WRITE_COLUMNS = tuple(c for c in LIEU_COLUMNS if c not in ("id", "is_demo", "version", "updated_by"))

_LIST_SQL = """
SELECT l.id, l.name, l.address, l.postal_code, l.commune_code, c.name AS commune_name,
       c.departement_code, c.region_code, c.epci_siren, c.typology, c.typology_official, c.dens7,
       coalesce(c.in_metropole, false) AS in_metropole, l.lat, l.lon, l.types,
       coalesce(b.labels, []) AS labels, coalesce(b.label_years, []) AS label_years,
       l.opened_on, l.closed_on, l.attested_on, l.legal_form, l.in_qpv, l.website, l.source, l.source_id,
       l.placement_rule, l.review_reason, l.is_demo, l.version, l.updated_by, l.updated_at,
       (l.closed_on IS NULL OR l.closed_on > current_date) AS is_open,
       greatest(l.opened_on, l.attested_on) AS last_attested,
       (l.closed_on IS NULL OR l.closed_on > current_date) AND l.opened_on IS NULL
           AND year(l.attested_on) + ? < year(current_date) AS unconfirmed
FROM lieu l
LEFT JOIN territory c ON c.level = 'commune' AND c.code = l.commune_code
LEFT JOIN (SELECT lieu_id, list(label ORDER BY label) AS labels,
                  list(label || ':' || year ORDER BY label) AS label_years
           FROM lieu_label GROUP BY lieu_id) b ON b.lieu_id = l.id
WHERE (? = '' OR regexp_replace(lower(strip_accents(l.name)), '[^a-z0-9]+', ' ', 'g') LIKE '%' || ? || '%' OR c.search_name LIKE '%' || ? || '%'
       OR l.commune_code = ? OR l.postal_code = ?)
  AND (? = '' OR list_contains(l.types, ?))
  AND (? = '' OR list_contains(coalesce(b.labels, []), ?))
  AND (? = 'tous' OR (? = 'ouverts') = (l.closed_on IS NULL OR l.closed_on > current_date))
  AND (? = '' OR c.region_code = ? OR c.departement_code = ? OR c.epci_siren = ? OR c.code = ?)
  AND (? = '' OR c.typology = ?)
ORDER BY l.name, l.id
"""


def list_lieux(
    cur,
    *,
    words: str = "",
    code: str = "",
    lieu_type: str = "",
    label: str = "",
    status: str = "tous",
    region: str = "",
    departement: str = "",
    epci: str = "",
    commune: str = "",
    typology: str = "",
) -> pd.DataFrame:
    """Lieux matching the filters, with their commune, typology and labels."""
    territory = region or departement or epci or commune
    return cur.execute(
        _LIST_SQL,
        [
            ATTESTATION_YEARS,
            words,
            words,
            words,
            code,
            code,
            lieu_type,
            lieu_type,
            label,
            label,
            status,
            status,
            territory,
            region or None,
            departement or None,
            epci or None,
            commune or None,
            typology,
            typology,
        ],
    ).df()


def get(cur, lieu_id: str) -> dict | None:
    """One lieu with its labels ({label: year}), or None."""
    row = cur.execute(f"SELECT {', '.join(LIEU_COLUMNS)} FROM lieu WHERE id = ?", [lieu_id]).fetchone()
    if row is None:
        return None
    lieu = dict(zip(LIEU_COLUMNS, row))
    lieu["labels"] = dict(
        cur.execute("SELECT label, year FROM lieu_label WHERE lieu_id = ? ORDER BY label", [lieu_id]).fetchall()
    )
    return lieu


def get_many(cur, ids: list[str]) -> dict[str, dict]:
    """Lieux by id, each shaped as get() returns it (labels as {label: year}), in two queries."""
    if not ids:
        return {}
    wanted = pd.DataFrame({"id": pd.Series(ids, dtype="str")})
    cur.register("wanted_lieux", wanted)
    try:
        rows = cur.execute(
            f"SELECT {', '.join('l.' + c for c in LIEU_COLUMNS)} FROM lieu l JOIN wanted_lieux w ON w.id = l.id"
        ).fetchall()
        labels = cur.execute(
            "SELECT lieu_id, label, year FROM lieu_label WHERE lieu_id IN"
            " (SELECT id FROM wanted_lieux) ORDER BY lieu_id, label"
        ).fetchall()
    finally:
        cur.unregister("wanted_lieux")
    found = {row[0]: {**dict(zip(LIEU_COLUMNS, row)), "labels": {}} for row in rows}
    for lieu_id, label, year in labels:
        found[lieu_id]["labels"][label] = year
    return found


def insert(cur, lieu_id: str, data: dict, actor: str, is_demo: bool = False) -> None:
    """Insert one lieu (labels apart)."""
    columns = ("id", *WRITE_COLUMNS, "is_demo", "updated_by")
    cur.execute(
        f"INSERT INTO lieu ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [lieu_id, *(data[c] for c in WRITE_COLUMNS), is_demo, actor],
    )


def update(cur, lieu_id: str, data: dict, actor: str, expected_version: int) -> bool:
    """Update one lieu if it is still at expected_version; False when someone changed it meanwhile."""
    sets = ", ".join(f"{c} = ?" for c in WRITE_COLUMNS)
    changed = cur.execute(
        f"UPDATE lieu SET {sets}, version = version + 1, updated_by = ?, updated_at = current_timestamp"
        " WHERE id = ? AND version = ?",
        [*(data[c] for c in WRITE_COLUMNS), actor, lieu_id, expected_version],
    ).fetchone()[0]
    return changed == 1


def delete(cur, lieu_id: str, expected_version: int) -> bool:
    """Delete one lieu and its labels if still at expected_version."""
    gone = cur.execute("DELETE FROM lieu WHERE id = ? AND version = ?", [lieu_id, expected_version]).fetchone()[0]
    if gone:
        cur.execute("DELETE FROM lieu_label WHERE lieu_id = ?", [lieu_id])
    return gone == 1


def set_labels(cur, lieu_id: str, labels: dict) -> None:
    """Replace the labels of one lieu."""
    cur.execute("DELETE FROM lieu_label WHERE lieu_id = ?", [lieu_id])
    for label, year in labels.items():
        cur.execute("INSERT INTO lieu_label VALUES (?, ?, ?)", [lieu_id, str(label), int(year)])


def open_places(cur, on, attestation_years: int) -> pd.DataFrame:
    """Positions (lat, lon) of the lieux open on a date; an attested-only place counts for attestation_years."""
    # A place without coordinates stands at its commune's centre, as in the computed indicators.
    return cur.execute(
        "SELECT coalesce(l.lat, c.lat) AS lat, coalesce(l.lon, c.lon) AS lon FROM lieu l"
        " JOIN territory c ON c.level = 'commune' AND c.code = l.commune_code"
        " WHERE coalesce(l.lat, c.lat) IS NOT NULL AND coalesce(l.opened_on, l.attested_on) <= ?"
        " AND (l.closed_on IS NULL OR l.closed_on > ?)"
        " AND (l.opened_on IS NOT NULL OR year(l.attested_on) + ? >= year(?))",
        [on, on, attestation_years, on],
    ).df()


def by_source(cur, source: str) -> pd.DataFrame:
    """Lieux of one source keyed by source_id, with their labels, for idempotent re-imports."""
    return cur.execute(
        f"SELECT {', '.join('l.' + c for c in LIEU_COLUMNS)},"
        " coalesce((SELECT list(label || ':' || year ORDER BY label) FROM lieu_label b WHERE b.lieu_id = l.id), [])"
        " AS label_years FROM lieu l WHERE source = ? AND source_id IS NOT NULL",
        [source],
    ).df()


def existing_ids(cur, ids: list[str]) -> pd.DataFrame:
    """The stored rows of the given lieu ids."""
    frame = pd.DataFrame({"id": pd.Series(ids, dtype="str")})
    cur.register("wanted_ids", frame)
    try:
        return cur.execute(
            f"SELECT {', '.join('l.' + c for c in LIEU_COLUMNS)},"
            " coalesce((SELECT list(label || ':' || year ORDER BY label) FROM lieu_label b WHERE b.lieu_id = l.id), [])"
            " AS label_years FROM lieu l JOIN wanted_ids w ON w.id = l.id"
        ).df()
    finally:
        cur.unregister("wanted_ids")


def bulk_write(cur, inserts: pd.DataFrame, updates: pd.DataFrame, labels: pd.DataFrame, actor: str) -> None:
    """Insert new lieux, update changed ones and replace the labels of both, from frames."""
    columns = ", ".join(WRITE_COLUMNS)
    if len(inserts):
        cur.register("import_inserts", inserts)
        cur.execute(
            f"INSERT INTO lieu (id, {columns}, is_demo, updated_by) SELECT id, {columns}, false, ? FROM import_inserts",
            [actor],
        )
        cur.unregister("import_inserts")
    if len(updates):
        cur.register("import_updates", updates)
        sets = ", ".join(f"{c} = u.{c}" for c in WRITE_COLUMNS)
        cur.execute(
            f"UPDATE lieu SET {sets}, version = lieu.version + 1, updated_by = ?,"
            " updated_at = current_timestamp FROM import_updates u WHERE lieu.id = u.id",
            [actor],
        )
        cur.unregister("import_updates")
    touched = pd.DataFrame(
        {
            "id": pd.concat(
                [inserts.get("id", pd.Series(dtype="str")), updates.get("id", pd.Series(dtype="str"))]
            ).astype("str")
        }
    )
    if len(touched):
        cur.register("import_touched", touched)
        cur.execute("DELETE FROM lieu_label WHERE lieu_id IN (SELECT id FROM import_touched)")
        cur.unregister("import_touched")
    if len(labels):
        cur.register("import_labels", labels)
        cur.execute("INSERT INTO lieu_label SELECT lieu_id, label, year FROM import_labels")
        cur.unregister("import_labels")


def is_demo_registry(cur) -> bool:
    """Whether any demo lieu is in the registry."""
    return bool(cur.execute("SELECT coalesce(bool_or(is_demo), false) FROM lieu").fetchone()[0])


def points(cur) -> pd.DataFrame:
    """Every lieu's id, name, commune and coordinates (for the duplicate check of an import)."""
    return cur.execute("SELECT id, name, commune_code, lat, lon FROM lieu").df()


def in_territory(cur, level: str, code: str, limit: int = 200) -> tuple[int, pd.DataFrame]:
    """Tiers-lieux of the registry located in a territory (count, and the first `limit` by name)."""
    where = {
        "commune": "t.code = ?",
        "epci": "t.epci_siren = ?",
        "departement": "t.departement_code = ?",
        "region": "t.region_code = ?",
        "pays": "? IS NOT NULL",
    }[level]
    base = f" FROM lieu l JOIN territory t ON t.level = 'commune' AND t.code = l.commune_code WHERE {where}"
    total = cur.execute("SELECT count(*)" + base, [code]).fetchone()[0]
    frame = cur.execute(
        "SELECT l.id, l.name, t.name AS commune, array_to_string(l.types, ', ') AS types, l.opened_on,"
        " l.closed_on, l.is_demo, l.source, coalesce((SELECT string_agg(CASE b.label"
        " WHEN 'fabrique_territoire' THEN 'Fabrique de territoire' WHEN 'fabrique_numerique'"
        " THEN 'Fabrique numérique' ELSE 'Manufacture de proximité' END || ' ' || b.year, ', ' ORDER BY b.year)"
        " FROM lieu_label b WHERE b.lieu_id = l.id), '') AS labels"
        + base
        + " ORDER BY l.closed_on IS NOT NULL, l.name LIMIT ?",
        [code, limit],
    ).df()
    return total, frame


def counts(cur) -> tuple[int, int]:
    """How many lieux the registry holds, and how many of them are demo data."""
    return cur.execute("SELECT count(*), count(*) FILTER (is_demo) FROM lieu").fetchone()


def insert_demo(cur, lieux: pd.DataFrame, labels: pd.DataFrame) -> None:
    """The demo registry's lieux (already flagged is_demo) and their labels, from frames."""
    cur.register("demo_lieux", lieux)
    cur.register("demo_labels", labels)
    try:
        cur.execute(
            "INSERT INTO lieu (id, name, postal_code, commune_code, lat, lon, types, opened_on, closed_on,"
            " in_qpv, source, placement_rule, review_reason, is_demo, updated_by) SELECT id, name, postal_code,"
            " commune_code, lat, lon, types, opened_on, closed_on, in_qpv, source, placement_rule, review_reason,"
            " is_demo, updated_by FROM demo_lieux"
        )
        cur.execute("INSERT INTO lieu_label SELECT lieu_id, label, year FROM demo_labels")
    finally:
        cur.unregister("demo_lieux")
        cur.unregister("demo_labels")
