"""The HTTP API under /api/v1: open reads of published figures, token-authenticated imports and exports."""

from __future__ import annotations

import functools
import inspect
from contextlib import asynccontextmanager

import duckdb
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from api import mediation, private, public
from api.answers import ApiError, error_response
from api.frames import json_bytes
from api.openapi import describe
from api.rate_limit import RateLimit
from bootstrap import start
from store.db import StoreError, explain_failure, is_failure

VERSION = "1.0.0"
# method, path, handler, query/path parameters, needs a token
ENTRIES = [
    ("get", "/plan", public.plan, ["format"], False),
    (
        "get",
        "/values",
        public.values,
        ["indicator", "territory", "level", "period", "kind", "page", "per_page", "format"],
        False,
    ),
    ("get", "/progress", public.progress, ["territory", "date", "format"], False),
    ("get", "/territories/{code}/comparison", public.compare, ["code", "indicator", "peers", "format"], False),
    (
        "get",
        "/lieux",
        public.registry,
        ["region", "departement", "epci", "commune", "status", "page", "per_page", "format"],
        False,
    ),
    ("get", "/coverage", public.coverage, ["km", "top", "format"], False),
    ("get", "/open-data.zip", public.data_package, ["niveau"], False),
    ("get", "/lieux/mediation-numerique.csv", mediation.mediation_csv, [], False),
    ("get", "/schemas/values.json", public.values_schema, [], False),
    ("get", "/schemas/lieux.json", public.lieux_schema, [], False),
    (
        "post",
        "/values/import",
        private.import_values,
        ["filename", "dry_run", "ignore_versions", "confirm", "comment"],
        True,
    ),
    ("get", "/values/export", private.export_values, ["format", "indicator", "territory"], True),
    ("post", "/lieux/import", private.import_lieux, ["format", "filename", "dry_run"], True),
    ("get", "/history", private.history, ["indicator", "territory", "period", "kind"], True),
    ("get", "/status", private.status, ["annee"], True),
    ("post", "/notify", private.notify, ["date", "dry_run"], True),
    ("get", "/me", private.me, [], True),
]


def _guarded(handler):
    """The handler, with refusals (ApiError) and database failures answered in French JSON."""

    def failure(error: Exception) -> Response:
        if isinstance(error, ApiError):
            return error_response(error)
        if isinstance(error, StoreError) or (isinstance(error, duckdb.Error) and is_failure(error)):
            text = str(error) if isinstance(error, StoreError) else str(explain_failure(None, error))
            return error_response(ApiError(503, text))
        raise error

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def wrapped_async(request: Request):
            try:
                return await handler(request)
            except (ApiError, StoreError, duckdb.Error) as error:
                return failure(error)

        return wrapped_async

    @functools.wraps(handler)
    def wrapped(request: Request):
        try:
            return handler(request)
        except (ApiError, StoreError, duckdb.Error) as error:
            return failure(error)

    return wrapped


def openapi(request: Request):
    """The OpenAPI description of this API."""
    return Response(json_bytes(describe(ENTRIES, VERSION)), media_type="application/json")


def index(request: Request):
    """Where the API's routes and description are."""
    return Response(
        json_bytes({"description": "/api/v1/openapi.json", "routes": ["/api/v1" + path for _, path, *_ in ENTRIES]}),
        media_type="application/json",
    )


def routes() -> list:
    """The API's routes, mounted under /api/v1 with the per-client rate limit (for app.py's st.App)."""
    inner = [Route(path, _guarded(handler), methods=[method.upper()]) for method, path, handler, _, _ in ENTRIES]
    inner += [Route("/openapi.json", openapi, methods=["GET"]), Route("/", index, methods=["GET"])]
    return [Mount("/api/v1", routes=inner, middleware=[Middleware(RateLimit)])]


@asynccontextmanager
async def lifespan(app):
    """At server start, open the database in the background (building it on a first start), so the server
    holds it from the start (a CLI run then goes through the API) and a first visitor finds the build under way."""
    start()  # a failure is shown, in French, by the first page that waits for the database
    yield
