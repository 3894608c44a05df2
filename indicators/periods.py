"""Reporting periods: ISO codes (2024, 2024Q3, 2024-09) and the French ways people type them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[QT]([1-4])$")
_QUARTER_FR = re.compile(r"^[QT]([1-4])\s*[-/ ]?\s*(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_FR = re.compile(r"^(\d{1,2})/(\d{4})$")
FIRST_YEAR, LAST_YEAR = 1990, 2100
# Every form parse_period reads, as one Table Schema pattern (the whole cell must match; plain groups only),
# published in the import contract (indicators.contract); tests/unit/test_import_contracts.py sweeps years,
# quarters and months so the pattern and the parser cannot disagree.
_YEAR_PATTERN = r"(199[0-9]|20[0-9][0-9]|2100)"
_MONTH_PATTERN = r"(0?[1-9]|1[0-2])"
PATTERN = "({})".format(
    "|".join(
        (
            _YEAR_PATTERN,
            _YEAR_PATTERN + r" *-? *[QqTt][1-4]",
            r"[QqTt][1-4] *[-/ ]? *" + _YEAR_PATTERN,
            _YEAR_PATTERN + "-" + _MONTH_PATTERN,
            _MONTH_PATTERN + "/" + _YEAR_PATTERN,
        )
    )
)


class PeriodError(ValueError):
    """A period that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    code: str
    granularity: str  # year, quarter, month

    @property
    def label(self) -> str:
        """French label: 2024, T3 2024, 09/2024."""
        if self.granularity == "quarter":
            return f"T{self.code[-1]} {self.code[:4]}"
        if self.granularity == "month":
            return f"{self.code[5:]}/{self.code[:4]}"
        return self.code


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"année {year} hors de la plage {FIRST_YEAR}–{LAST_YEAR}")
    return year


def parse_period(text: object) -> Period:
    """Read a period as typed (2024, 2024Q3, T3 2024, 2024-09, 09/2024) into its ISO form."""
    raw = str(text).strip().upper() if text is not None else ""
    if raw.endswith(".0") and _YEAR.match(raw[:-2]):
        raw = raw[:-2]  # a year read as a float by a spreadsheet
    if m := _YEAR.match(raw):
        year = _check_year(int(m.group(1)))
        return Period(date(year, 1, 1), date(year, 12, 31), str(year), "year")
    m = _QUARTER.match(raw)
    quarter_fr = _QUARTER_FR.match(raw)
    if m or quarter_fr:
        year, quarter = (
            (int(m.group(1)), int(m.group(2))) if m else (int(quarter_fr.group(2)), int(quarter_fr.group(1)))
        )
        _check_year(year)
        first = 3 * quarter - 2
        return Period(date(year, first, 1), _month_end(year, first + 2), f"{year}Q{quarter}", "quarter")
    m = _MONTH.match(raw)
    month_fr = _MONTH_FR.match(raw)
    if m or month_fr:
        year, month = (int(m.group(1)), int(m.group(2))) if m else (int(month_fr.group(2)), int(month_fr.group(1)))
        _check_year(year)
        if not 1 <= month <= 12:
            raise PeriodError(f"mois {month} invalide")
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}", "month")
    raise PeriodError(f"période « {text} » illisible : écrivez 2024, 2024Q3 (ou T3 2024), 2024-09 (ou 09/2024)")


def period_of_date(day: date, granularity: str) -> Period:
    """The period of the given granularity that contains a day."""
    if granularity == "year":
        return parse_period(str(day.year))
    if granularity == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year}-{day.month:02d}")


def previous(code: str) -> str:
    """The period just before (2024 → 2023, 2024Q1 → 2023Q4, 2024-01 → 2023-12)."""
    period = parse_period(code)
    year = int(code[:4])
    if period.granularity == "year":
        return str(year - 1)
    if period.granularity == "quarter":
        q = int(code[-1])
        return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"
    month = int(code[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
