"""The OpenAPI 3.1 description of the API, built from the route table (summaries are the handlers' docstrings)."""

from __future__ import annotations

PARAMS = {
    "format": ("query", "json (défaut) ou csv (CSV français : « ; », virgule décimale, UTF-8 avec BOM)"),
    "page": ("query", "page, à partir de 1"),
    "per_page": ("query", "lignes par page (500 par défaut, 5000 au plus)"),
    "indicator": ("query", "code indicateur (TL_OUVERTS…)"),
    "territory": ("query", "FR, REG-11, DEP-77, code INSEE de commune (77475) ou SIREN d'EPCI"),
    "level": ("query", "pays, region, departement, epci ou commune"),
    "period": ("query", "2024, 2024Q3, 2024-09"),
    "kind": ("query", "realise, cible ou reference"),
    "date": ("query", "date de situation AAAA-MM-JJ"),
    "peers": ("query", "band (défaut), band=0.3, region ou k=20"),
    "code": ("path", "code INSEE de commune, SIREN d'EPCI, DEP-77 ou REG-11"),
    "region": ("query", "code de région (11)"),
    "departement": ("query", "code de département (77)"),
    "epci": ("query", "SIREN d'EPCI"),
    "commune": ("query", "code INSEE de commune"),
    "status": ("query", "tous, ouverts ou fermes"),
    "km": ("query", "distance en km (10 par défaut)"),
    "top": ("query", "nombre de communes classées"),
    "dry_run": ("query", "1 : tout vérifier sans rien écrire"),
    "filename": ("query", "nom du fichier (son extension dit CSV ou XLSX)"),
    "ignore_versions": ("query", "1 : ne pas comparer la colonne version du fichier aux versions en base"),
    "confirm": (
        "query",
        "1 : enregistrer aussi les valeurs inhabituelles (alertes des règles de contrôle), avec comment",
    ),
    "comment": ("query", "pourquoi les valeurs inhabituelles sont justes (gardé au journal de chaque valeur)"),
    "annee": ("query", "année des indicateurs du registre"),
    "niveau": ("query", "niveaux des valeurs à inclure (répétable) : pays, region, departement, epci, commune"),
}
ERROR = {"type": "object", "properties": {"erreur": {"type": "string"}, "statut": {"type": "integer"}}}


def describe(entries: list[tuple[str, str, object, list[str], bool]], version: str) -> dict:
    """The OpenAPI document of (method, path, handler, parameter names, needs a token) entries."""
    paths: dict = {}
    for method, path, handler, params, private in entries:
        doc = (handler.__doc__ or "").strip()
        operation = {
            "summary": doc.splitlines()[0] if doc else path,
            "operationId": handler.__name__,
            "parameters": [
                {
                    "name": name,
                    "in": PARAMS[name][0],
                    "required": PARAMS[name][0] == "path",
                    "description": PARAMS[name][1],
                    "schema": {"type": "string"},
                }
                for name in params
            ],
            "responses": {
                "200": {"description": "réponse", "headers": {"ETag": {"schema": {"type": "string"}}}},
                "304": {"description": "inchangé depuis l'ETag envoyé (If-None-Match)"},
                "400": {"description": "demande incorrecte", "content": {"application/json": {"schema": ERROR}}},
                "429": {
                    "description": "trop de requêtes (voir Retry-After)",
                    "content": {"application/json": {"schema": ERROR}},
                },
            },
        }
        if private:
            operation["security"] = [{"jeton": []}]
            operation["responses"]["401"] = {
                "description": "jeton absent, inconnu, révoqué ou expiré",
                "content": {"application/json": {"schema": ERROR}},
            }
        if method == "post" and "filename" in params:  # imports carry their file; /notify has no body
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        paths.setdefault("/api/v1" + path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API Carrefours — plan national des tiers-lieux",
            "version": version,
            "description": "Chiffres publiés du plan (lecture libre) ; imports et exports avec un jeton "
            "personnel créé sur la page « Mon compte ».",
            "license": {
                "name": "Licence Ouverte 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },
        "components": {"securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
