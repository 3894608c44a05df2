"""The rules of one value, written once: limits and French messages read by the Pydantic model and the file checks."""

from __future__ import annotations

import math

MAX_INDICATOR_CODE = 40
MIN_TERRITORY_ID, MAX_TERRITORY_ID = 2, 20
MAX_SOURCE, MAX_COMMENT = 500, 2000
TEXT_LIMITS = {"source": MAX_SOURCE, "comment": MAX_COMMENT}
MAX_ABS = 1e12  # no figure of the plan comes near a thousand billion: beyond, roll-ups would overflow
FIGURES = ("value", "numerator", "denominator")
# French column names used in every error message (they are also the import headers).
COLUMN_LABELS = {
    "indicator_code": "indicateur",
    "territory_id": "territoire",
    "period": "periode",
    "kind": "type",
    "value": "valeur",
    "numerator": "numerateur",
    "denominator": "denominateur",
    "source": "source",
    "comment": "commentaire",
    "read_version": "version",
}

NOT_FINITE = "n'est pas un nombre fini"
TOO_BIG = "nombre trop grand (plus de mille milliards) : vérifiez l'unité et les séparateurs"
RATIO_PAIR = "numérateur et dénominateur vont ensemble : renseignez les deux"
DENOMINATOR_POSITIVE = "le dénominateur doit être strictement positif"
NUMERATOR_NEGATIVE = "le numérateur ne peut pas être négatif"
NO_VALUE = "aucune valeur : renseignez une valeur (ou numérateur et dénominateur)"


def shown(number: float) -> str:
    """A figure in a message, the French way (1 234,5), or « vide »."""
    return f"{number:,.10g}".replace(",", "\u202f").replace(".", ",") if number == number else "vide"


def numerator_over(numerator: str, denominator: str) -> str:
    """The message of a numerator above its denominator, both already shown."""
    return f"le numérateur ({numerator}) dépasse le dénominateur ({denominator})"


def text_too_long(limit: int) -> str:
    """The message of a source or comment over its limit."""
    return f"texte trop long ({limit} caractères au plus)"


def figure_problems(value: float | None, numerator: float | None, denominator: float | None) -> list[tuple[str, str]]:
    """(column label, message) of each rule one value's figures break, in the order they are checked.

    The scalar form of the file checks (indicators.validation.check_shape), which apply the same rules
    to a whole frame at once; tests/unit/test_validation_parity.py holds the two together.
    """
    figures = {"value": value, "numerator": numerator, "denominator": denominator}
    problems = []
    for name, number in figures.items():
        if number is None:
            continue
        if math.isinf(number) or number != number:
            problems.append((COLUMN_LABELS[name], NOT_FINITE))
        elif abs(number) > MAX_ABS:
            problems.append((COLUMN_LABELS[name], TOO_BIG))
    if (numerator is None) != (denominator is None):
        problems.append(("denominateur", RATIO_PAIR))
    if numerator is not None and denominator is not None:
        if denominator <= 0:
            problems.append(("denominateur", DENOMINATOR_POSITIVE))
        if numerator < 0:
            problems.append(("numerateur", NUMERATOR_NEGATIVE))
        if numerator > denominator:
            problems.append(("numerateur", numerator_over(shown(numerator), shown(denominator))))
    elif value is None and numerator is None and denominator is None:
        problems.append(("valeur", NO_VALUE))
    return problems


def sentence(column: str, message: str) -> str:
    """A problem as one sentence where no column is shown beside it (a page's form, the command line)."""
    return f"{column} : {message}" if message in (NOT_FINITE, TOO_BIG) else message
