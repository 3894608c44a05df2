"""Cross-site request protection for form posts: a signed double-submit token bound to a cookie."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from accounts.form_tokens import COOKIE, matches, token_for

__all__ = ["COOKIE", "browser_secret", "set_cookie", "token_for", "valid"]


def browser_secret(request: Request) -> tuple[str, bool]:
    """The browser's CSRF secret (its cookie), and whether it is new and must be set."""
    value = request.cookies.get(COOKIE, "")
    if len(value) >= 32:
        return value, False
    return secrets.token_urlsafe(32), True


def valid(request: Request, token: str | None) -> bool:
    """Whether a posted token matches this browser's CSRF cookie."""
    return matches(request.cookies.get(COOKIE, ""), token)


def set_cookie(response: Response, secret: str, secure: bool) -> None:
    """Give the browser its CSRF secret (HttpOnly: only the server compares it)."""
    response.set_cookie(COOKIE, secret, httponly=True, samesite="strict", secure=secure, path="/")
