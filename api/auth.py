"""Who a request acts for: the account behind its personal token (Authorization: Bearer crf_…)."""

from __future__ import annotations

from starlette.requests import Request

from accounts import tokens
from accounts.models import User
from api.answers import ApiError
from store.db import Database

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="carrefours"'}


def presented(request: Request) -> str | None:
    """The bearer token of a request, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_user(db: Database, request: Request, *, required: bool) -> tuple[User | None, str | None]:
    """The token's account and token id; (None, None) without a token unless one is required (401)."""
    token = presented(request)
    if token is None:
        if required:
            raise ApiError(
                401,
                "Jeton d'accès requis : envoyez « Authorization: Bearer crf_… » avec un jeton "
                "créé sur la page « Mon compte ».",
                CHALLENGE,
            )
        return None, None
    try:
        return tokens.authenticate(db, token)
    except tokens.TokenError as error:
        tokens.record_refusal(db, token, str(error))  # a refused token is traced too
        raise ApiError(401, str(error), CHALLENGE) from error
