"""The value import file as a Frictionless Table Schema, built from the limits and words the import checks use."""

from __future__ import annotations

import json

import pandas as pd

from formatting.french import number
from indicators import rules
from indicators.import_files import ALIASES, IGNORED, MAX_BYTES, OPTIONAL
from indicators.import_territories import FRANCE_WORDS, LEVEL_WORDS
from indicators.imports import KINDS, MAX_CELL
from indicators.periods import FIRST_YEAR, LAST_YEAR, PATTERN
from territories.levels import PREFIX

FILENAME = "schema-valeurs.json"
MEDIA_TYPE = "application/json"
# The CSV the app writes and reads first (it also reads ',' or tab, and Windows-1252): a Frictionless dialect.
DIALECT = {"delimiter": ";", "quoteChar": '"', "header": True}
ENCODING = "utf-8"
# French numbers as the app writes them: decimal comma, space between thousands.
NUMBER = {"type": "number", "decimalChar": ",", "groupChar": " "}
# The three words the app answers with (KINDS also reads their synonyms, listed in the enum).
KIND_WORDS = ("realise", "cible", "reference")
# Territory codes as typed: the whole country, a prefixed id, or a bare INSEE code or SIREN.
_PREFIXES = "|".join(prefix.removesuffix("-") for level, prefix in PREFIX.items() if level != "pays")
TERRITORY_PATTERN = "({})".format(
    "|".join([*FRANCE_WORDS, f"({_PREFIXES})-[0-9AB]{{1,9}}", "[0-9]{1,9}", "2[AB][0-9]{0,3}"])
)
# The file offered for download on the Saisie page: one line that imports as it is.
TEMPLATE = pd.DataFrame(
    {
        "indicateur": ["EMPLOIS_DIRECTS"],
        "territoire": ["77475"],
        "periode": ["2025"],
        "valeur": ["12"],
        "type": ["realise"],
        "source": [""],
        "commentaire": [""],
    }
)


def _also(column: str) -> str:
    """The other headers the import reads for a column, as a French sentence (empty when none)."""
    names = sorted(alias for alias, canonical in ALIASES.items() if canonical == column and alias != column)
    return f" En-têtes acceptés aussi : {', '.join(names)} (casse et accents ignorés)." if names else ""


def _figure(name: str, title: str, description: str, minimum: float) -> dict:
    return {
        "name": name,
        "title": title,
        "description": description
        + " Nombre à la française : virgule décimale, espace entre les milliers (1 234,5) ; l'application lit "
        f"aussi 1.234,5, 1,234.5, 12 % et 12 €. Entre {number(minimum)} et {number(rules.MAX_ABS)}." + _also(name),
        **NUMBER,
        "constraints": {"minimum": minimum, "maximum": rules.MAX_ABS},
    }


def _text(name: str, title: str, limit: int, description: str) -> dict:
    return {
        "name": name,
        "title": title,
        "description": f"{description} {number(limit)} caractères au plus.{_also(name)}",
        "type": "string",
        "constraints": {"maxLength": limit},
    }


def table_schema() -> dict:
    """The Table Schema of a value file in the long layout (one value per line), as the import checks it."""
    labels = rules.COLUMN_LABELS
    fields = [
        {
            "name": labels["indicator_code"],
            "title": "Indicateur",
            "description": "Code de l'indicateur (catalogue : page Données ou /api/v1/plan), par exemple "
            "EMPLOIS_DIRECTS ; lu en majuscules. Vérifié par l'application, pas par ce schéma : le code doit "
            "exister et ne pas être calculé à partir du registre des lieux." + _also("indicateur"),
            "type": "string",
            "constraints": {"required": True, "maxLength": rules.MAX_INDICATOR_CODE},
        },
        {
            "name": labels["territory_id"],
            "title": "Territoire",
            "description": "Code du territoire : FR, REG-11, DEP-77, EPCI-<SIREN>, COM-77475, ou le code nu "
            "(77475, 1053 pour 01053, 2A004, 971, un SIREN d'EPCI à 9 chiffres, 11 ou 77 avec la colonne niveau). "
            "Vérifié par l'application, pas par ce schéma : le territoire doit exister, un code à un ou deux "
            "chiffres à la fois région et département est refusé sans niveau, et il doit être dans votre "
            "périmètre." + _also("territoire"),
            "type": "string",
            "constraints": {"required": True, "maxLength": rules.MAX_TERRITORY_ID, "pattern": TERRITORY_PATTERN},
        },
        {
            "name": labels["period"],
            "title": "Période",
            "description": f"Année (2024), trimestre (2024Q3 ou T3 2024) ou mois (2024-09 ou 09/2024), de "
            f"{FIRST_YEAR} à {LAST_YEAR}. Vérifié par l'application, pas par ce schéma : une valeur réalisée a la "
            "périodicité de son indicateur (une cible ou une référence peut être plus longue, jamais plus "
            "courte), et la période ne doit pas être close." + _also("periode"),
            "type": "string",
            "constraints": {"required": True, "pattern": PATTERN},
        },
        _figure(
            labels["value"],
            "Valeur",
            "Valeur de l'indicateur. Une ligne porte une valeur, ou bien un numérateur et un dénominateur "
            "(vérifié par l'application, pas par ce schéma).",
            -rules.MAX_ABS,
        ),
        _figure(
            labels["numerator"],
            "Numérateur",
            "Numérateur d'un ratio, avec le dénominateur ; pas plus grand que lui (vérifié par l'application).",
            0,
        ),
        _figure(
            labels["denominator"],
            "Dénominateur",
            "Dénominateur d'un ratio, avec le numérateur ; strictement positif (le zéro est refusé par "
            "l'application, pas par ce schéma).",
            0,
        ),
        {
            "name": "niveau",
            "title": "Niveau",
            "description": "Facultatif : niveau du territoire quand son code seul est ambigu (11 : région ou "
            "département). Casse et accents ignorés par l'application.",
            "type": "string",
            "constraints": {"enum": sorted(LEVEL_WORDS)},
        },
        {
            "name": labels["kind"],
            "title": "Type",
            "description": f"Facultatif : {', '.join(KIND_WORDS)} (vide : realise) ; les synonymes de la liste "
            "sont lus aussi. Casse et accents ignorés par l'application.",
            "type": "string",
            "constraints": {"enum": sorted(k for k in KINDS if k)},
        },
        _text(labels["source"], "Source", rules.MAX_SOURCE, "Facultatif : d'où vient le chiffre."),
        _text(labels["comment"], "Commentaire", rules.MAX_COMMENT, "Facultatif : commentaire de la saisie."),
    ]
    ignored = ", ".join(sorted(IGNORED))
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": "carrefours-import-valeurs",
        "title": "Carrefours — fichier de valeurs à importer",
        "description": (
            "Une ligne par valeur (format long), page Saisie, `cli.py import values` ou "
            "POST /api/v1/values/import. CSV UTF-8 (avec ou sans BOM), séparateur « ; » (dialecte ci-dessous ; "
            "l'application lit aussi « , » et la tabulation, et le Windows-1252), ou XLSX (première feuille), "
            f"{MAX_BYTES // 2**20} Mo au plus. Les colonnes vont dans n'importe quel ordre et les facultatives "
            f"({', '.join(OPTIONAL)}, numerateur, denominateur) peuvent manquer : validez avec "
            f"`frictionless validate --schema {FILENAME} fichier.csv` (colonnes reconnues par leur nom : "
            "fieldsMatch partial ; un outil plus ancien demande --schema-sync). Colonnes d'un export lues "
            f"puis ignorées : {ignored} ; toute autre colonne est refusée par l'application. Aucune cellule de "
            f"plus de {number(MAX_CELL)} caractères, ni formule de tableur (= + - @ en tête), ni caractère de contrôle. "
            "Autre format accepté, que ce schéma ne décrit pas : indicateur, territoire puis une colonne par "
            "période (2023, 2024…). L'import est tout ou rien : chaque ligne fautive est signalée et rien "
            "n'est écrit."
        ),
        "fields": fields,
        "fieldsMatch": "partial",
        "missingValues": [""],
        "dialect": DIALECT,
        "encoding": ENCODING,
    }


def schema_bytes() -> bytes:
    """The Table Schema as the JSON file people download."""
    return json.dumps(table_schema(), ensure_ascii=False, indent=2).encode("utf-8")
