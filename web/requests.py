"""What a route needs to know about a request: the client's address, HTTPS, and a same-origin check."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from accounts.client_address import client_address, trusted_proxies


def _peer(request: Request) -> str | None:
    return request.client.host if request.client else None


def address(request: Request) -> str:
    """The person's address for the sign-in limits (X-Forwarded-For only from a trusted proxy)."""
    return client_address(_peer(request), request.headers.get("x-forwarded-for"))


def is_https(request: Request) -> bool:
    """Whether the person reached the server over HTTPS (directly, or through a trusted proxy)."""
    if request.url.scheme == "https":
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https" and _peer_is_trusted(request)


def _peer_is_trusted(request: Request) -> bool:
    from ipaddress import ip_address

    try:
        peer = ip_address(_peer(request) or "")
    except ValueError:
        return False
    return any(peer in network for network in trusted_proxies())


def same_origin(request: Request) -> bool:
    """Whether a form post comes from a page of this server (Origin, else Referer, matches Host)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    host = request.headers.get("x-forwarded-host") if _peer_is_trusted(request) else None
    host = (host or request.headers.get("host") or "").split(",")[0].strip().lower()
    return bool(host) and urlsplit(source).netloc.lower() == host
