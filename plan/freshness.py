"""Freshness of indicator values: when a period's value is due, and how late it is (one rule for every page)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from indicators.periods import Period, parse_period, period_of_date
from plan.thresholds import THRESHOLDS

PARIS = ZoneInfo("Europe/Paris")
PERIOD_TYPE_LABELS = {"year": "annuelle", "quarter": "trimestrielle", "month": "mensuelle"}


def today_paris(now: datetime | None = None) -> date:
    """Today's date in Paris (the plan's days are French days, whatever the server's clock zone)."""
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def delay_of(delay_days, thresholds: dict = THRESHOLDS) -> int:
    """An indicator's delay in days, or the default delay when it states none (a database built before it)."""
    if pd.isna(delay_days):  # None, NaN or pandas' NA
        return int(thresholds["delai_saisie_jours"])
    return int(delay_days)


def due_date(period_end: date, delay_days: int) -> date:
    """The day a period's value is due: the period's last day plus the indicator's delay."""
    return period_end + timedelta(days=int(delay_days))


def days_late(period_end: date, delay_days: int, on: date) -> int:
    """Days since the due date on `on` (0 while the value is not yet due or due that very day)."""
    return max(0, (on - due_date(period_end, delay_days)).days)


def period_days(period: Period) -> int:
    """Length of a period in days (366 for a leap year, 29 for February 2028)."""
    return (period.end - period.start).days + 1


def lateness(period: Period | str, delay_days: int, on: date, thresholds: dict = THRESHOLDS) -> str | None:
    """None if a missing value is not late on `on`; 'en_retard' once past due; 'tres_en_retard' once past
    due by more than tres_en_retard_periodes lengths of its period."""
    period = parse_period(period) if isinstance(period, str) else period
    late = days_late(period.end, delay_days, on)
    if late < int(thresholds["retard_jours_min"]):
        return None
    if late > float(thresholds["tres_en_retard_periodes"]) * period_days(period):
        return "tres_en_retard"
    return "en_retard"


def last_due_period_end(period_type: str, on: date, delay_days: int, thresholds: dict = THRESHOLDS) -> date:
    """End of the latest period of this type whose value is late on `on` if still missing."""
    last_ok = on - timedelta(days=int(delay_days) + int(thresholds["retard_jours_min"]))
    current = period_of_date(last_ok, period_type)
    return current.end if current.end <= last_ok else current.start - timedelta(days=1)


def late_text(days: int) -> str:
    """'en retard de 42 jours' (1 jour, in the singular)."""
    return f"en retard de {days} jour{'s' if days > 1 else ''}"


def delay_text(delay_days: int) -> str:
    """The delay as a sentence part: 'dès la fin de la période' for 0, else 'N jours après la fin de la période'."""
    if int(delay_days) == 0:
        return "dès la fin de la période"
    return f"{int(delay_days)} jour{'s' if int(delay_days) > 1 else ''} après la fin de la période"


def contact_text(contact, confirmed) -> str:
    """The data contact as shown to a reader, flagged when the service has not confirmed it."""
    if pd.isna(contact) or not contact:
        return "contact à confirmer"
    sure = not pd.isna(confirmed) and bool(confirmed)  # unknown counts as unconfirmed
    return str(contact) if sure else f"{contact} (contact à confirmer)"


def rule_text(thresholds: dict = THRESHOLDS) -> str:
    """The lateness rule in French, as every page that shows lateness states it."""
    periods = float(thresholds["tres_en_retard_periodes"])
    many = "d'une durée" if periods == 1 else f"de {periods:g} durées".replace(".", ",")
    return (
        "Une valeur est due à la fin de sa période plus le délai propre à l'indicateur (délai par défaut : "
        f"{int(thresholds['delai_saisie_jours'])} jours). Elle est en retard dès le lendemain de son échéance, "
        f"très en retard quand l'échéance est dépassée de plus {many} de sa période "
        "(un an pour une donnée annuelle)."
    )
