"""The registry in the national schema of lieux de médiation numérique, as an open CSV download."""

from __future__ import annotations

from starlette.requests import Request

from api.answers import public_file
from lieux import mediation_export
from lieux import service as lieux_service


def mediation_csv(request: Request):
    """Open lieux in the LaMednum standard (Table Schema 1.0.2); how many were left out is in a header."""
    counted: dict = {}

    def build(db):
        result = mediation_export.export(lieux_service.search(db, ""))
        counted.update(result.excluded)
        return mediation_export.to_csv(result.frame)

    response = public_file(request, build, "lieux-mediation-numerique.csv", "text/csv; charset=utf-8")
    if counted:  # not on a 304
        response.headers["X-Carrefours-Lieux-Ecartes"] = str(sum(counted.values()))
        response.headers["X-Carrefours-Lieux-Ecartes-Detail"] = ",".join(f"{k}={v}" for k, v in counted.items())
    return response
