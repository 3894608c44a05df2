"""French numbers, percentages, amounts, dates and CSV, as users read them in pages, the CLI and PDFs."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

NBSP = "\u202f"  # narrow no-break space, the French thousands separator
MINUS = "\u2212"  # the typographic minus sign, not a hyphen
PARIS = ZoneInfo("Europe/Paris")


def number(value: float | None, decimals: int = 0) -> str:
    """1234.5 → '1 234,5' (French separators); None or NaN → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # a value that rounds to zero has no sign
    return text.replace(",", NBSP).replace(".", ",").replace("-", MINUS)


def editable(value: float | None) -> str:
    """A value to edit in a grid cell: French, up to 6 decimals, no trailing zeros; None or NaN → ''."""
    if value is None or value != value:
        return ""
    return number(value, 6).rstrip("0").removesuffix(",")


def percent(value: float | None, decimals: int = 0) -> str:
    """46.07 → '46 %'."""
    return "—" if value is None or value != value else f"{number(value, decimals)}{NBSP}%"


def points(value: float | None) -> str:
    """A gap in percentage points, signed: '+3 pts', '−12 pts'; None or NaN → '—'."""
    if value is None or value != value:
        return "—"
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{number(abs(value))}{NBSP}pts"


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
    """date(2026, 11, 25) → '25/11/2026' (a timestamp is read as UTC and dated in Paris)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, datetime):
        value = paris(value)
    return value.strftime("%d/%m/%Y")


def paris(value: datetime) -> datetime:
    """A stored timestamp (naive UTC, as the database keeps them) in Paris time."""
    stamp = pd.Timestamp(value).to_pydatetime()
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(PARIS)


def moment(value: datetime | None) -> str:
    """A stored timestamp (UTC) as Paris time: '25/11/2026 à 14:05'; None → '—'."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "—"
    return paris(value).strftime("%d/%m/%Y à %H:%M")


ACTORS = {"seed": "chargement initial du plan", "demo": "génération des données de démonstration"}


def actor(value: object) -> str:
    """Who made a change, in words: the build's own actors ('seed', 'demo') are named, not coded."""
    if not isinstance(value, str) or not value.strip():
        return "—"
    return ACTORS.get(value, value)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """French CSV for spreadsheets: ';' separator, decimal comma, UTF-8 with BOM, formulas neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_bool_dtype(series):
            safe[column] = series.map({True: "oui", False: "non"})
        elif pd.api.types.is_float_dtype(series):
            whole = series.dropna()
            safe[column] = (
                series.astype("Int64")
                if len(whole) and (whole % 1 == 0).all() and whole.abs().max() < 2**53
                else series.map(_rounded)
            )
        elif pd.api.types.is_datetime64_any_dtype(series):
            safe[column] = series.map(lambda d: "" if pd.isna(d) else day(d))
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            safe[column] = series.map(_cell).map(_neutralise)
    return safe.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


def _rounded(value: object) -> object:
    """Sensible digits for a spreadsheet: 2 decimals, 3 significant digits below 1 (0,648, not 0,6476836…)."""
    if value is None or value != value:
        return value
    value = float(value)
    return round(value, 2) if abs(value) >= 1 else float(f"{value:.3g}")


def _cell(value: object) -> object:
    """One cell of a mixed column: booleans as oui/non, dates in French, floats rounded."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):  # datetime and Timestamp are dates too
        return day(value)
    if isinstance(value, float):
        return str(_rounded(value)).replace(".", ",") if value == value else ""
    return value


def _neutralise(cell: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
