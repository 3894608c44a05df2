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


# --- Control rules of an indicator (data/plan.toml, table indicator_rule) -------------------------------
# Hard rules (min, max, integer) refuse a value; soft rules (change from the previous period, a département
# above its région) only warn: the value is saved once the writer confirms it with a comment.
OUTLIER_FACTOR = 0.6745  # makes the MAD comparable to a standard deviation for normal data
OUTLIER_THRESHOLD = 3.5  # |M| above this is "à vérifier" (Iglewicz and Hoaglin's cut-off)
MIN_PEERS = 5  # fewer territories of a level, or fewer periods of a history, say nothing about outliers
MIN_HISTORY = 5
HISTORY_PERIODS = 8  # a value's history: itself and the 7 periods of the same length before it
RULE_COLUMNS = ("min_value", "max_value", "integer_only", "max_change_pct")


def below_min(value: str, limit: str) -> str:
    """The message of a value under the indicator's declared minimum (both already shown)."""
    return f"valeur inférieure au minimum de l'indicateur ({limit}) : {value}"


def above_max(value: str, limit: str) -> str:
    """The message of a value over the indicator's declared maximum (both already shown)."""
    return f"valeur supérieure au maximum de l'indicateur ({limit}) : {value}"


def not_integer(value: str) -> str:
    """The message of a fraction where the indicator takes whole numbers only."""
    return f"cet indicateur ne prend que des nombres entiers ({value})"


def declared_problems(
    value: float | None, min_value: float | None, max_value: float | None, integer_only: bool | None
) -> list[tuple[str, str]]:
    """(column, message) of each declared hard rule one value breaks: the scalar form of the file checks.

    indicators.validation.check_shape applies the same rules to a frame; tests/unit/test_validation_parity.py
    holds the two together.
    """
    if value is None or value != value:
        return []
    problems = []
    if min_value is not None and min_value == min_value and value < min_value:
        problems.append(("valeur", below_min(shown(value), shown(min_value))))
    if max_value is not None and max_value == max_value and value > max_value:
        problems.append(("valeur", above_max(shown(value), shown(max_value))))
    if integer_only and value != math.floor(value):
        problems.append(("valeur", not_integer(shown(value))))
    return problems


def change_pct(previous: float, value: float) -> float | None:
    """Relative change from the previous period, in percent (None when the previous value is 0 or missing)."""
    if previous is None or previous != previous or previous == 0 or value is None or value != value:
        return None
    return 100.0 * (value - previous) / abs(previous)


def large_change(period: str, previous: str, value: str, change: float, limit: float) -> str:
    """The warning of a change from the previous period above the indicator's threshold."""
    sign = "+" if change > 0 else "−"
    return (
        f"variation de {sign}{shown(round(abs(change), 1))} % par rapport à {period} ({previous} → {value}) : "
        f"au-delà de {shown(limit)} %, vérifiez la valeur"
    )


def above_region(value: str, region: str, region_name: str) -> str:
    """The warning of a département above its région for the same indicator and period."""
    return (
        f"la valeur du département ({value}) dépasse celle de sa région {region_name} ({region}) "
        "pour la même période : vérifiez l'une ou l'autre"
    )


def below_departement(value: str, departement: str, departement_name: str) -> str:
    """The warning of a région below one of its départements for the same indicator and period."""
    return (
        f"la valeur de la région ({value}) est inférieure à celle de son département {departement_name} "
        f"({departement}) pour la même période : vérifiez l'une ou l'autre"
    )


def confirm_needed(count: int) -> str:
    """What to do when a write has warnings and was not confirmed: nothing was written."""
    return (
        f"{count} valeur(s) inhabituelle(s) : rien n'a été enregistré. Vérifiez-les ; si elles sont justes, "
        "confirmez l'enregistrement et expliquez-les dans un commentaire."
    )


COMMENT_NEEDED = (
    "une valeur inhabituelle ne s'enregistre qu'avec un commentaire qui l'explique : "
    "ajoutez un commentaire, puis confirmez"
)


def threshold_text() -> str:
    """The outlier rule in French, as every page that flags values shows it."""
    return (
        f"score modifié |M| > {shown(OUTLIER_THRESHOLD)}, avec M = {shown(OUTLIER_FACTOR)} × (valeur − médiane) "
        f"/ MAD (écart absolu médian), parmi les territoires du même niveau pour le même indicateur et la même "
        f"période (au moins {MIN_PEERS}), ou dans l'historique du territoire (au moins {MIN_HISTORY} des {HISTORY_PERIODS} dernières périodes)"
    )


def describe(
    kind: str,
    territorial_agg: str,
    min_value: float | None = None,
    max_value: float | None = None,
    integer_only: bool | None = False,
    max_change_pct: float | None = None,
) -> list[str]:
    """The control rules of one indicator, in French, as the measure page lists them."""

    def given(x) -> bool:
        return x is not None and x == x

    lines = []
    if kind == "count":
        lines.append("Refus : un comptage est un nombre entier positif ou nul.")
    elif kind in ("amount_eur", "ratio"):
        lines.append("Refus : la valeur ne peut pas être négative.")
    elif kind == "percentage":
        lines.append(
            "Refus : un pourcentage est compris entre 0 et 100 ; le numérateur ne dépasse pas le dénominateur."
        )
    if given(min_value):
        lines.append(f"Refus : au moins {shown(min_value)}.")
    if given(max_value):
        lines.append(f"Refus : au plus {shown(max_value)}.")
    if integer_only and kind != "count":
        lines.append("Refus : nombres entiers seulement.")
    if given(max_change_pct):
        lines.append(
            f"Alerte : variation de plus de {shown(max_change_pct)} % par rapport à la période précédente "
            "(enregistrée seulement après confirmation, avec un commentaire)."
        )
    if territorial_agg == "sum":
        lines.append(
            "Alerte : la valeur d'un département ne dépasse pas celle de sa région pour la même période "
            "(enregistrée seulement après confirmation, avec un commentaire)."
        )
    lines.append(f"À vérifier : valeur éloignée de ses pairs ou de son historique ({threshold_text()}).")
    return lines
