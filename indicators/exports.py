"""Exports of indicator values (CSV, XLSX, Parquet), logged in the audit log, safe to open in a spreadsheet."""

from __future__ import annotations

import io
from typing import Literal

import pandas as pd

from accounts import policy
from accounts.models import ANONYMOUS, User
from indicators import repository, visibility
from store import audit
from store.db import Database
from territories import repository as territory_repo

Format = Literal["csv", "xlsx", "parquet"]
FORMATS = ("csv", "xlsx", "parquet")
XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows including the header
MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(ValueError):
    """An export that cannot be produced, explained in French."""


def neutralise(cell: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe


def values_frame(
    db: Database, user: User | None, indicator: str | None = None, territory: str | None = None
) -> pd.DataFrame:
    """Values to export (published ones only for readers), re-importable as a long-format file."""
    ids = None
    if territory:
        from indicators.imports import resolve_code

        try:
            territory_id = resolve_code(db, territory)
        except ValueError as error:
            raise ExportError(str(error)) from error
        with db.read() as cur:
            ids = territory_repo.territories_within(cur, territory_id)
    code = indicator.strip().upper() if indicator else None
    with db.read() as cur:
        if code and not cur.execute("SELECT 1 FROM indicator WHERE code = ?", [code]).fetchone():
            raise ExportError(f"Indicateur inconnu : {indicator}.")
        frame = repository.export(cur, code, ids, published_only=policy.sees_no_draft(user))
        return visibility.readable(cur, user, frame, "territoire").drop(columns=["published"])


def to_bytes(frame: pd.DataFrame, fmt: Format) -> bytes:
    """The frame as a file; csv and xlsx cells that look like formulas are neutralised."""
    if fmt == "csv":
        return _safe(frame).to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise ExportError(
                f"{len(frame):,} lignes : trop pour une feuille Excel (1 048 575 au plus). "
                "Filtrez par indicateur ou par territoire, ou choisissez CSV ou Parquet.".replace(",", "\u202f")
            )
        buffer = io.BytesIO()
        _safe(frame).to_excel(buffer, index=False, sheet_name="valeurs", engine="openpyxl")
        return buffer.getvalue()
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    raise ExportError(f"Format inconnu : {fmt} (csv, xlsx ou parquet).")


def export_values(
    db: Database, user: User | None, fmt: Format, indicator: str | None = None, territory: str | None = None
) -> tuple[bytes, int]:
    """Build an export and record it in the audit log (who exported what); returns the bytes and row count."""
    frame = values_frame(db, user, indicator, territory)
    data = to_bytes(frame, fmt)
    log_export(db, user, fmt, indicator, territory, len(frame))
    return data, len(frame)


def log_export(
    db: Database, user: User | None, fmt: str, indicator: str | None, territory: str | None, rows: int
) -> None:
    """Record an export in the audit log: who took which values, in which format."""

    def work(cur):
        audit.append_export(
            cur,
            actor=(user or ANONYMOUS).email,
            fmt=fmt,
            key=f"{indicator or '*'}|{territory or '*'}",
            what=f"valeurs {indicator or 'tous indicateurs'} {territory or 'tous territoires'}",
            details={"format": fmt, "indicator": indicator, "territory": territory, "rows": rows},
        )

    db.write(work)
