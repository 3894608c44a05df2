"""The client address counted by the sign-in limits: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(raw: str | None = None) -> tuple[Network, ...]:
    """The proxies whose X-Forwarded-For is believed (CARREFOURS_TRUSTED_PROXIES: addresses or networks,
    separated by commas or spaces); unreadable entries are ignored, none by default."""
    raw = os.environ.get("CARREFOURS_TRUSTED_PROXIES", "") if raw is None else raw
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _parse(address: str | None):
    try:
        return ipaddress.ip_address((address or "").strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, proxies: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Iterable[Network] | None = None) -> str:
    """The address of the person: the socket's peer, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left can be
    written by the client, so they are never believed)."""
    proxies = tuple(trusted_proxies() if proxies is None else proxies)
    peer_address = _parse(peer)
    if not forwarded_for or not _trusted(peer_address, proxies):
        return str(peer_address) if peer_address is not None else (peer or "local")
    hops = [_parse(part) for part in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:
            break  # a garbled entry: stop at the last address the proxies vouched for
        if not _trusted(hop, proxies):
            return str(hop)
    return str(peer_address)
