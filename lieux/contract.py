"""The registry's import file (format csv) as a Frictionless Table Schema, built from what the import checks."""

from __future__ import annotations

import json

from annotated_types import Ge, Le, MaxLen, MinLen

from formatting.french import number
from lieux.import_formats import _ID, _MISSING, BOUNDS, CSV_COLUMNS, DATE_FORMATS, FALSE_WORDS, TRUE_WORDS
from lieux.models import (
    _COMMUNE,
    _POSTAL,
    FIRST_LABEL_YEAR,
    LABEL_LABELS,
    LAST_LABEL_YEAR,
    TYPE_LABELS,
    Label,
    LieuIn,
    LieuType,
)

FILENAME = "schema-lieux.json"
MEDIA_TYPE = "application/json"
DIALECT = {"delimiter": ";", "quoteChar": '"', "header": True}
ENCODING = "utf-8"
# Columns of the registry's export that the import reads without a LieuIn field of the same name.
EXTRA = {
    "commune_name": ("Commune", "Nom de la commune : aide à placer le lieu quand le code manque ou a changé."),
    "placement_rule": ("Règle de placement", "Colonne de l'export, ignorée à l'import."),
    "is_demo": ("Démonstration", "Colonne de l'export, ignorée à l'import."),
}
TITLES = {
    "id": "Identifiant",
    "name": "Nom",
    "address": "Adresse",
    "postal_code": "Code postal",
    "commune_code": "Code commune",
    "lat": "Latitude",
    "lon": "Longitude",
    "types": "Types",
    "labels": "Labels",
    "opened_on": "Ouverture",
    "closed_on": "Fermeture",
    "attested_on": "Attestation",
    "legal_form": "Forme juridique",
    "in_qpv": "En QPV",
    "website": "Site web",
    "source": "Source",
    "source_id": "Identifiant dans la source",
}
DESCRIPTIONS = {
    "id": "Identifiant Carrefours du lieu (TL-…) pour modifier un lieu existant ; vide pour un nouveau lieu.",
    "name": "Nom du lieu (colonne obligatoire).",
    "address": "Adresse.",
    "postal_code": "Code postal à 5 chiffres (un zéro de tête perdu, 7700, est remis par l'application).",
    "commune_code": "Code INSEE de la commune (77284, 2A004). Vérifié par l'application, pas par ce schéma : "
    "la commune doit exister (un ancien code est suivi vers la commune fusionnée) et être dans votre "
    "périmètre ; sans code, le lieu est placé par son code postal, sa commune ou ses coordonnées, sinon "
    "il est listé à part et laissé de côté.",
    "lat": "Latitude WGS 84, virgule décimale (48,95 ; l'application lit aussi 48.95) ; avec la longitude (les deux ou aucune, vérifié par "
    "l'application). 0 et 0 valent « inconnues ».",
    "lon": "Longitude WGS 84, virgule décimale (2,87) ; avec la latitude.",
    "types": "Types du lieu séparés par « | » (ou « , ») : {types}.",
    "labels": "Labels et année d'obtention séparés par « | » : label:année, par exemple "
    "fabrique_territoire:2022 ({labels}) ; année de {first} à {last} (vérifiée par l'application).",
    "opened_on": "Date d'ouverture JJ/MM/AAAA (l'application lit aussi AAAA-MM-JJ et JJ-MM-AAAA).",
    "closed_on": "Date de fermeture JJ/MM/AAAA ; ni avant l'ouverture, ni dans le futur (vérifié par l'application).",
    "attested_on": "Date de la dernière attestation JJ/MM/AAAA.",
    "legal_form": "Forme juridique (association, SCIC…).",
    "in_qpv": "Le lieu est-il dans un quartier prioritaire ? oui ou non (casse ignorée par l'application).",
    "website": "Adresse du site web.",
    "source": "Origine de la ligne (vide : « import CSV ») ; avec source_id, une ligne déjà importée est "
    "retrouvée et mise à jour au lieu d'être doublée.",
    "source_id": "Identifiant du lieu dans sa source ; une seule ligne par identifiant.",
}


def _limits(name: str) -> dict:
    """Table Schema constraints from the Pydantic field's own bounds (LieuIn is what every row goes through)."""
    constraints = {}
    for bound in LieuIn.model_fields[name].metadata:
        if isinstance(bound, MinLen):
            constraints["minLength"] = bound.min_length
        elif isinstance(bound, MaxLen):
            constraints["maxLength"] = bound.max_length
        elif isinstance(bound, Ge):
            constraints["minimum"] = bound.ge
        elif isinstance(bound, Le):
            constraints["maximum"] = bound.le
    return constraints


def _words(enum) -> str:
    return "(" + "|".join(member.value for member in enum) + ")"


def _field(name: str) -> dict:
    if name in EXTRA:
        title, description = EXTRA[name]
        return {"name": name, "title": title, "description": description, "type": "string"}
    field = {
        "name": name,
        "title": TITLES[name],
        "description": DESCRIPTIONS[name].format(
            types=", ".join(f"{k} ({v})" for k, v in TYPE_LABELS.items()),
            labels=", ".join(f"{k} : {v}" for k, v in LABEL_LABELS.items()),
            first=FIRST_LABEL_YEAR,
            last=LAST_LABEL_YEAR,
        ),
        "type": "string",
    }
    constraints = _limits(name) if name in LieuIn.model_fields else {}
    if name == "name":
        constraints["required"] = True
    elif name == "id":
        constraints["pattern"] = _ID.pattern.strip("^$")
        field["description"] += " Lettres, chiffres, « _ . : - », 64 caractères au plus."
    elif name == "postal_code":
        constraints["pattern"] = _POSTAL.pattern.strip("^$")
    elif name == "commune_code":
        constraints["pattern"] = _COMMUNE.pattern.strip("^$")
    elif name in ("lat", "lon"):
        field.update(type="number", decimalChar=",")
    elif name == "types":
        constraints["pattern"] = f"{_words(LieuType)}( *[|,] *{_words(LieuType)})*"
    elif name == "labels":
        one = _words(Label) + ":[0-9]{4}"
        constraints["pattern"] = f"{one}( *[|,] *{one})*"
    elif name.endswith("_on"):
        field.update(type="date", format=DATE_FORMATS[0])
    elif name == "in_qpv":
        field.update(type="boolean", trueValues=list(TRUE_WORDS), falseValues=list(FALSE_WORDS))
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema() -> dict:
    """The Table Schema of a registry file in the format csv (the registry's own export re-imports as it is)."""
    columns = [*CSV_COLUMNS[:5], "commune_name", *CSV_COLUMNS[5:], *(c for c in EXTRA if c != "commune_name")]
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": "carrefours-import-lieux",
        "title": "Carrefours — fichier de lieux à importer (format csv)",
        "description": (
            "Une ligne par lieu, page Registre (format « csv »), `cli.py import lieux --format csv` ou "
            "POST /api/v1/lieux/import?format=csv ; l'export du registre se réimporte tel quel. CSV UTF-8 "
            "(avec ou sans BOM), séparateur « ; » (dialecte ci-dessous ; l'application lit aussi « , » et la "
            f"tabulation, et le Windows-1252), {BOUNDS.max_bytes // 2**20} Mo, {number(BOUNDS.max_rows)} lignes et "
            f"{BOUNDS.max_columns} colonnes au plus. En-têtes en minuscules ou majuscules, dans n'importe quel "
            "ordre ; seule la colonne name est obligatoire, les autres colonnes sont ignorées : validez avec "
            f"`frictionless validate --schema {FILENAME} fichier.csv` (colonnes reconnues par leur nom : "
            "fieldsMatch partial ; un outil plus ancien demande --schema-sync). Ni formule de tableur "
            "(= + - @ en tête) ni caractère de contrôle dans le texte. Cellules lues comme vides : "
            f"{', '.join(repr(m) for m in sorted(_MISSING))}. L'import est tout ou rien : chaque ligne fautive "
            "est signalée et rien n'est écrit. Le recensement CGET 2019 (format cget2019) a ses propres "
            "colonnes, que ce schéma ne décrit pas."
        ),
        "fields": [_field(name) for name in columns],
        "fieldsMatch": "partial",
        "missingValues": sorted(_MISSING),
        "dialect": DIALECT,
        "encoding": ENCODING,
    }


def schema_bytes() -> bytes:
    """The Table Schema as the JSON file people download."""
    return json.dumps(table_schema(), ensure_ascii=False, indent=2).encode("utf-8")
