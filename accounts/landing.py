"""Where a person lands after signing in: the local page they asked for, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/"
PARAMETER = "suite"  # the query parameter that carries the page asked for through the sign-in pages
MAX_LENGTH = 2000
# Landing back on the sign-in or sign-out routes would loop, or sign the person out again.
_NOT_AFTER_SIGN_IN = ("/connexion", "/deconnexion", "/oauth2callback", "/auth/")


def local_path(wanted: object) -> str | None:
    """`wanted` if it is a path of this server (with its query), else None: no scheme, no host, no
    protocol-relative `//host` nor `/\\host` (browsers read a backslash as a slash), no control character."""
    if not isinstance(wanted, str) or not wanted or len(wanted) > MAX_LENGTH:
        return None
    if not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in wanted):
        return None  # browsers strip tabs and newlines, which would turn "/\t/evil" into "//evil"
    parts = urlsplit(wanted)
    if parts.scheme or parts.netloc:
        return None
    if any(parts.path == p.rstrip("/") or parts.path.startswith(p) for p in _NOT_AFTER_SIGN_IN):
        return None
    return wanted


def after_sign_in(wanted: object) -> str:
    """The page to open after a sign-in: the one asked for when it is local, else the landing page."""
    return local_path(wanted) or HOME
