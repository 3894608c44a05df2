"""Tokens that prove a form was shown by this server to this browser (HMAC of the browser's CSRF secret).

Held below both entry adapters: web/ checks them on a post, ui/ writes them into the forms it draws.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "carrefours_csrf"
# One key per server process: a form shown before a restart is refused once, then shown afresh.
_KEY = secrets.token_bytes(32)


def token_for(secret: str) -> str:
    """The token the form carries: an HMAC of the browser's secret, which a cross-site page cannot read."""
    return hmac.new(_KEY, secret.encode(), hashlib.sha256).hexdigest()


def matches(secret: str | None, token: object) -> bool:
    """Whether a posted token belongs to the browser holding `secret`."""
    return bool(secret and token) and hmac.compare_digest(token_for(secret), str(token))
