"""What every API route shares: the database, the data version (ETag, 304), JSON or CSV, French errors, pages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from api.frames import csv_bytes, json_bytes
from bootstrap import open_database
from indicators import aggregates
from store import audit
from store.db import Database
from store.shared import shared_database
from territories import repository as territory_repo

MAX_PER_PAGE = 5000
DEFAULT_PER_PAGE = 500
# Audit entities whose events change published data (exports, sign-ins and token uses do not).
DATA_ENTITIES = ("value", "lieu", "measure", "measure_note", "period_lock", "territory")


class ApiError(Exception):
    """A request the API refuses, with its HTTP status and a French message saying what to do."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def database() -> Database:
    """The process's one database, shared with the pages."""
    return shared_database(open_database)


def data_version(db: Database) -> str:
    """A short fingerprint that moves whenever published figures may have changed."""
    version = aggregates.version(db)
    with db.read() as cur:
        last = audit.latest(cur, DATA_ENTITIES)
        territories = territory_repo.fingerprint(cur)
    return f"{version}.{last[0] or 0}.{territories[0]}.{territories[1]}"


def wants_csv(request: Request) -> bool:
    """CSV when ?format=csv or when the client accepts text/csv and not JSON."""
    fmt = request.query_params.get("format", "").lower()
    if fmt:
        if fmt not in ("json", "csv"):
            raise ApiError(400, f"Format « {fmt} » inconnu : écrivez format=json ou format=csv.")
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def cached(request: Request, build: Callable, filename: str) -> Response:
    """Answer a read: 304 when the client's ETag is current, else JSON (or CSV of the rows).

    build(db, user) returns (data, rows). Without a token the answer is the public one; with a token it is
    what that account may see (its tag differs, and the use is audited).
    """
    from accounts import tokens
    from api.auth import token_user  # auth needs the errors defined here

    db = database()
    user, token_id = token_user(db, request, required=False)
    version = data_version(db)
    csv = wants_csv(request)
    who = token_id or "public"
    tag = (
        '"'
        + hashlib.sha256(f"{version}|{who}|{request.url.path}|{request.url.query}|{csv}".encode()).hexdigest()[:32]
        + '"'
    )
    headers = {
        "ETag": tag,
        "Cache-Control": ("private" if token_id else "public") + ", max-age=0, must-revalidate",
        "Vary": "Accept, Authorization",
        "X-Carrefours-Data-Version": version,
    }
    presented = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    if tag in presented or "*" in presented:
        return Response(status_code=304, headers=headers)
    data, rows = build(db, user)
    if token_id:
        tokens.record_use(db, user, token_id, "read", {"path": request.url.path, "query": request.url.query})
    return render(data, rows, csv, filename, headers)


def render(data, rows: list[dict] | None, csv: bool, filename: str, headers: dict | None = None) -> Response:
    """JSON of `data`, or the French CSV of `rows` (the table inside it)."""
    headers = dict(headers or {})
    if csv:
        if rows is None:
            raise ApiError(400, "Cette réponse n'a pas de forme tabulaire : demandez format=json.")
        headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return Response(csv_bytes(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(json_bytes(data), media_type="application/json", headers=headers)


def error_response(error: ApiError) -> Response:
    """A refused request: its status, a French message, and headers (Retry-After, WWW-Authenticate)."""
    return Response(
        json_bytes({"erreur": error.message, "statut": error.status}),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def page_of(request: Request, rows: list, base: dict | None = None) -> tuple[dict, list]:
    """One page of rows (?page=1&per_page=500) with total, page count and the next page's address."""
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", str(DEFAULT_PER_PAGE)))
    except ValueError:
        raise ApiError(400, "page et per_page doivent être des nombres entiers (page=1&per_page=500).") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(400, f"page commence à 1 ; per_page va de 1 à {MAX_PER_PAGE}.")
    total = len(rows)
    chunk = rows[(page - 1) * per_page : page * per_page]
    more = page * per_page < total
    following = str(request.url.include_query_params(page=page + 1, per_page=per_page)) if more else None
    return {
        **(base or {}),
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "next": following,
        "data": chunk,
    }, chunk


def int_param(request: Request, name: str, default: int | None = None, low: int = 1, high: int = 10_000) -> int | None:
    """An integer query parameter within bounds, or a French 400."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} doit être un nombre entier.") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} doit être compris entre {low} et {high}.")
    return value


def public_file(request: Request, build: Callable, filename: str, media_type: str) -> Response:
    """A public download (published data only, whoever asks): 304 when the client's ETag is current."""
    db = database()
    version = data_version(db)
    tag = '"' + hashlib.sha256(f"{version}|{request.url.path}|{request.url.query}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=0, must-revalidate", "X-Carrefours-Data-Version": version}
    presented = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    if tag in presented:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(build(db), media_type=media_type, headers=headers)


def fixed_file(request: Request, data: bytes, filename: str, media_type: str) -> Response:
    """A file that changes only with the code (a published schema): its ETag is its content's digest."""
    tag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=0, must-revalidate"}
    presented = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    if tag in presented:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(data, media_type=media_type, headers=headers)
