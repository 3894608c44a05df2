"""French formatting of numbers, percentages, amounts and dates, and French CSV export."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

NBSP = "\u202f"  # narrow no-break space, the French thousands separator


def number(value: float | None, decimals: int = 0) -> str:
    """1234.5 → '1 234,5' (French separators); None or NaN → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def percent(value: float | None, decimals: int = 0) -> str:
    """46.07 → '46 %'."""
    return "—" if value is None or value != value else f"{number(value, decimals)}{NBSP}%"


def euros(value: float | None) -> str:
    """45e6 → '45 M€', 250000 → '250 000 €'."""
    if value is None or value != value:
        return "—"
    if abs(value) >= 1e6:
        return f"{number(value / 1e6, 1 if value % 1e6 else 0)}{NBSP}M€"
    return f"{number(value)}{NBSP}€"


def by_kind(value: float | None, kind: str | None = None) -> str:
    """A value in French by indicator kind: 46,1 %, 45 M€, 3,25 (ratio, score), 1 234 (count)."""
    if value is None or value != value:
        return "—"
    if kind == "percentage":
        return percent(value, 1)
    if kind == "amount_eur":
        return euros(value)
    if kind in ("ratio", "score"):
        return number(value, 2)
    return number(value, 0 if float(value).is_integer() else 1)


def day(value: date | datetime | None) -> str:
    """date(2026, 11, 25) → '25/11/2026'."""
    return "—" if value is None or value is pd.NaT else value.strftime("%d/%m/%Y")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """French CSV for spreadsheets: ';' separator, decimal comma, UTF-8 with BOM, formulas neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutralise)
    return safe.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


def _neutralise(cell: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
