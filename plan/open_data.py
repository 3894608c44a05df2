"""The published figures as a Frictionless Data Package: values, registry and indicator catalogue, with sources."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pandas as pd

from indicators import exports
from lieux import service as lieux_service
from plan import service as plan_service
from store.db import Database

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# name, Table Schema type, description (French: the package is read by people too)
VALUE_FIELDS = [
    ("indicateur", "string", "code de l'indicateur (voir indicateurs.csv)"),
    (
        "territoire",
        "string",
        ("identifiant du territoire : FR, REG-<code région>, DEP-<code département>, EPCI-<SIREN>, COM-<code INSEE>"),
    ),
    ("nom", "string", "nom du territoire"),
    ("niveau", "string", "pays, region, departement, epci ou commune"),
    ("periode", "string", "période : 2024, 2024Q3 ou 2024-09"),
    ("type", "string", "realise, cible ou reference"),
    ("valeur", "number", "valeur de l'indicateur"),
    ("numerateur", "number", "numérateur d'un ratio"),
    ("denominateur", "number", "dénominateur d'un ratio"),
    ("source", "string", "code de la source"),
    ("commentaire", "string", "commentaire de la saisie"),
    ("demo", "boolean", "valeur générée pour la démonstration"),
    ("version", "integer", "version de la valeur"),
]
LIEU_FIELDS = [
    ("id", "string", "identifiant du lieu dans Carrefours"),
    ("name", "string", "nom du lieu"),
    ("address", "string", "adresse"),
    ("postal_code", "string", "code postal"),
    ("commune_code", "string", "code INSEE de la commune"),
    ("commune_name", "string", "commune"),
    ("epci_siren", "string", "SIREN de l'EPCI"),
    ("departement_code", "string", "code du département"),
    ("region_code", "string", "code de la région"),
    ("lat", "number", "latitude (WGS 84)"),
    ("lon", "number", "longitude (WGS 84)"),
    ("types", "string", "types de lieu, séparés par |"),
    ("labels", "string", "labels, séparés par |"),
    ("opened_on", "date", "date d'ouverture"),
    ("closed_on", "date", "date de fermeture"),
    ("attested_on", "date", "date de dernière attestation"),
    ("is_open", "boolean", "ouvert aujourd'hui"),
    ("is_demo", "boolean", "lieu généré pour la démonstration"),
]
INDICATOR_FIELDS = [
    ("code", "string", "code de l'indicateur"),
    ("name", "string", "nom"),
    ("unit", "string", "unité"),
    ("kind", "string", "nature : count, percentage, ratio, score, amount_eur"),
    ("direction", "string", "up : plus haut = mieux ; down : plus bas = mieux"),
    ("source_code", "string", "code de la source"),
    ("source_title", "string", "source"),
    ("period_type", "string", "périodicité : year (annuelle), quarter (trimestrielle), month (mensuelle)"),
    ("delay_days", "integer", "délai de remontée : jours après la fin de la période où la valeur est due"),
    ("contact", "string", "service qui fournit la donnée"),
    ("contact_confirmed", "boolean", "contact confirmé par le service (sinon : contact à confirmer)"),
]


def _csv(frame: pd.DataFrame, fields: list[tuple]) -> bytes:
    """A plain CSV (comma, dot decimal, UTF-8) with exactly the described fields."""
    out = frame[[name for name, _, _ in fields]].copy()
    for name, kind, _ in fields:
        column = out[name]
        if kind == "date":
            out[name] = pd.to_datetime(column).dt.strftime("%Y-%m-%d")
        elif kind == "boolean":
            out[name] = column.map(lambda v: "" if v is None or v != v else ("true" if v else "false"))
        elif kind == "integer":
            out[name] = column.astype("Int64")
        elif column.map(lambda v: isinstance(v, (list, tuple)) or hasattr(v, "tolist")).any():
            out[name] = column.map(lambda v: "|".join(map(str, list(v))) if v is not None else "")
    return out.to_csv(index=False).encode("utf-8")


def _schema(fields: list[tuple]) -> dict:
    return {"fields": [{"name": n, "type": t, "description": d} for n, t, d in fields]}


def package(db: Database, levels: list[str] | None = None) -> bytes:
    """A zip holding datapackage.json and its CSV files: published values (of `levels`, all by default),
    the registry and the indicator catalogue."""
    values = exports.values_frame(db, None)
    if levels:
        values = values[values["niveau"].isin(levels)]
    registry = lieux_service.search(db, "")
    catalogue = plan_service.catalogue(db)
    sources = catalogue["sources"]
    files = {
        "valeurs.csv": (_csv(values, VALUE_FIELDS), VALUE_FIELDS, "Valeurs publiées des indicateurs du plan"),
        "lieux.csv": (_csv(registry, LIEU_FIELDS), LIEU_FIELDS, "Registre des tiers-lieux"),
        "indicateurs.csv": (
            _csv(catalogue["indicators"], INDICATOR_FIELDS),
            INDICATOR_FIELDS,
            "Catalogue des indicateurs",
        ),
    }
    descriptor = {
        "name": "carrefours-plan-tiers-lieux",
        "title": "Carrefours — plan national des tiers-lieux",
        "description": "Valeurs publiées des indicateurs par territoire, registre des tiers-lieux et catalogue "
        "des indicateurs. Les données marquées demo = true sont générées pour la démonstration.",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENCE],
        "sources": [
            {"title": r["title"], **({"path": r["url"]} if r.get("url") else {})} for r in sources.to_dict("records")
        ],
        "resources": [
            {
                "name": name.removesuffix(".csv"),
                "path": name,
                "title": title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(fields),
            }
            for name, (_, fields, title) in files.items()
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for name, (data, _, _) in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
