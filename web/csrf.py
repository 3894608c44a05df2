"""Cross-site request protection for form posts: a signed double-submit token bound to a cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "carrefours_csrf"
# One key per server process: a form shown before a restart is refused once, then shown afresh.
_KEY = secrets.token_bytes(32)


def browser_secret(request: Request) -> tuple[str, bool]:
    """The browser's CSRF secret (its cookie), and whether it is new and must be set."""
    value = request.cookies.get(COOKIE, "")
    if len(value) >= 32:
        return value, False
    return secrets.token_urlsafe(32), True


def token_for(secret: str) -> str:
    """The token the form carries: an HMAC of the browser's secret, which a cross-site page cannot read."""
    return hmac.new(_KEY, secret.encode(), hashlib.sha256).hexdigest()


def valid(request: Request, token: str | None) -> bool:
    """Whether a posted token matches this browser's CSRF cookie."""
    secret = request.cookies.get(COOKIE, "")
    return bool(secret and token) and hmac.compare_digest(token_for(secret), str(token))


def set_cookie(response: Response, secret: str, secure: bool) -> None:
    """Give the browser its CSRF secret (HttpOnly: only the server compares it)."""
    response.set_cookie(COOKIE, secret, httponly=True, samesite="strict", secure=secure, path="/")
