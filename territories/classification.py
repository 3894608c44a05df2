"""Read and apply the official INSEE classifications that replace the approximate typology.

- Grille communale de densité à 7 niveaux: columns CODGEO, DENS7 (LIBGEO, DENS, LIBDENS… optional).
- Aires d'attraction des villes 2020: columns CODGEO, CATEAAV2020 (TAAV2017, AAV2020… optional).
INSEE publishes them as XLSX with a few title lines above the header, or as CSV: the header row is
found wherever it is in the first lines. The import is all-or-nothing and says every faulty line.
Who may import, and the registry indicators that follow, are decided above (lieux/classification_import.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from store.db import Database
from territories import repository
from territories.codes import current_code
from territories.typology import typology_class

KINDS = {
    "densite": {
        "column": "DENS7",
        "alternatives": ("DENS",),
        "allowed": {1, 2, 3, 4, 5, 6, 7},
        "target": "dens7",
        "label": "grille communale de densité à 7 niveaux",
    },
    "aav": {
        "column": "CATEAAV2020",
        "allowed": {11, 12, 13, 20, 30},
        "target": "cateaav",
        "label": "aires d'attraction des villes 2020",
    },
}
MAX_BYTES = 20 * 2**20


@dataclass
class ClassificationReport:
    kind: str
    rows: int = 0
    matched: int = 0
    unknown_communes: int = 0
    carried_over: int = 0  # lines of communes merged since, carried to the commune that absorbed them
    values_changed: int = 0
    errors: list[str] = field(default_factory=list)


def _header(raw: pd.DataFrame) -> pd.DataFrame | None:
    """The table below the first of the first 30 lines that holds CODGEO, or None."""
    for i in range(min(30, len(raw))):
        cells = [str(c).strip().upper() for c in raw.iloc[i].tolist()]
        if "CODGEO" in cells:
            table = raw.iloc[i + 1 :].copy()
            table.columns = cells
            table = table.reset_index(drop=True)
            return table.assign(_line=table.index + i + 2)
    return None


def _read_table(name: str, content: bytes, wanted: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV or XLSX file as text cells, with the header row found among the first 30 lines; in a
    workbook, the first sheet whose header holds CODGEO and one of the wanted columns (INSEE's AAV 2020
    workbook opens on the zones, the 2025 density file on its documentation)."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        sheets = pd.read_excel(io.BytesIO(content), header=None, dtype=str, sheet_name=None)
    else:
        text = content.decode("utf-8-sig") if _is_utf8(content) else content.decode("cp1252")
        sep = max((";", ",", "\t"), key=text[:5000].count)
        sheets = {"": pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False)}
    tables = [t for t in (_header(raw) for raw in sheets.values()) if t is not None]
    for table in tables:
        if any(c in table.columns for c in wanted):
            return table
    if tables:
        return tables[0]
    raise ValueError("aucune ligne d'en-tête avec la colonne CODGEO dans les 30 premières lignes")


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def read_classification(kind: str, file_name: str, content: bytes) -> tuple[ClassificationReport, pd.DataFrame | None]:
    """An official INSEE file checked line by line: the report, and the (code, level) table if it has no error."""
    spec = KINDS[kind]
    report = ClassificationReport(kind=kind)
    if len(content) > MAX_BYTES:
        report.errors.append(f"Fichier trop volumineux ({len(content) // 2**20} Mo, maximum 20 Mo).")
        return report, None
    try:
        table = _read_table(file_name, content, (spec["column"], *spec.get("alternatives", ())))
    except Exception as error:  # any parser failure becomes one French message
        report.errors.append(
            f"Fichier {Path(file_name).name} illisible : {error}. "
            f"Attendu : le fichier INSEE « {spec['label']} » (CSV ou XLSX)."
        )
        return report, None
    if spec["column"] not in table.columns and kind == "densite" and "DENS" in table.columns:
        # The 2019-2024 grids hold the 7-level code in DENS; the 2025 file's DENS is the 3-level grid.
        levels = pd.to_numeric(table["DENS"].fillna("").str.strip(), errors="coerce")
        if levels.max() > 3:
            table = table.rename(columns={"DENS": "DENS7"})
        else:
            report.errors.append(
                "Ce fichier est la grille de densité à 3 niveaux (DENS 1 à 3, sans DENS7) : "
                "importez la grille à 7 niveaux (DENS 1 à 7, ou colonne DENS7)."
            )
            return report, None
    if spec["column"] not in table.columns:
        report.errors.append(
            f"Colonne {spec['column']} absente : ce fichier n'est pas le fichier INSEE « {spec['label']} »."
        )
        return report, None
    codes = table["CODGEO"].fillna("").str.strip().str.zfill(5)
    levels = pd.to_numeric(table[spec["column"]].fillna("").str.strip(), errors="coerce")
    bad = ~levels.isin(spec["allowed"])
    for line, code, raw in zip(table["_line"][bad], codes[bad], table[spec["column"]][bad]):
        report.errors.append(
            f"Ligne {line}, commune {code} : {spec['column']} « {raw} » invalide "
            f"(valeurs permises : {', '.join(map(str, sorted(spec['allowed'])))})."
        )
    dup = codes.duplicated(keep=False) & (codes != "00000")
    for line, code in zip(table["_line"][dup], codes[dup]):
        report.errors.append(f"Ligne {line} : la commune {code} apparaît plusieurs fois.")
    report.rows = len(table)
    if report.errors:
        return report, None
    return report, pd.DataFrame({"code": codes, "level": levels.astype(int)})


def match_communes(cur, frame: pd.DataFrame, report: ClassificationReport) -> pd.DataFrame:
    """The file's lines for current communes (merged communes carried over); counts them in the report."""
    known = repository.commune_codes(cur)
    # A file older than the COG holds communes merged since: each carries its class to the commune that
    # absorbed it, unless that commune has its own line (then the first absorbed line found is kept).
    current = frame["code"].map(lambda c: current_code(c, known))
    carried = frame.assign(code=current)[current.notna() & ~frame["code"].isin(known)]
    carried = carried[~carried["code"].isin(frame["code"])].drop_duplicates("code")
    found = pd.concat([frame[frame["code"].isin(known)], carried], ignore_index=True)
    report.matched = len(found)
    report.carried_over = len(carried)
    report.unknown_communes = int(current.isna().sum())
    return found


def apply_classes(cur, kind: str, found: pd.DataFrame) -> list[str]:
    """Write the official classes, recompute the typology and the aggregates; the communes that changed."""
    changed = repository.set_official_classes(cur, KINDS[kind]["target"], found)
    communes = repository.commune_classes(cur)
    communes["typology"] = typology_class(communes["dens7"].to_numpy(), communes["cateaav"].to_numpy())
    repository.set_typology(cur, communes[["id", "typology"]])
    repository.refresh_aggregates(cur)
    return changed


def approximated_share(db: Database) -> float:
    """Share of communes whose typology is still approximated."""
    with db.read() as cur:
        return repository.approximated_share(cur)
