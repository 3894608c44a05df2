"""A bounded rate limit per client address on the API: 429 with Retry-After and a French message."""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict, deque

from api.answers import ApiError, error_response

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000  # remembered addresses; the least recently seen is forgotten first


def requests_per_minute() -> int:
    """How many API requests one client may make per minute (CARREFOURS_API_RATE, 120 by default)."""
    return max(1, int(os.environ.get("CARREFOURS_API_RATE", "120")))


class Limiter:
    """A sliding one-minute window of request times per client, in bounded memory."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, max_clients: int = MAX_CLIENTS):
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._seen: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str, now: float | None = None) -> float:
        """Count a request; 0 when it is allowed, else the seconds until the client may ask again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            self._seen[client] = times
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(self._seen) > self.max_clients:
                self._seen.popitem(last=False)
            if len(times) >= self.limit:
                return times[0] + self.window - now
            times.append(now)
            return 0.0


class RateLimit:
    """ASGI middleware applying one Limiter to every request under the API's mount."""

    def __init__(self, app, limiter: Limiter | None = None):
        self.app = app
        self.limiter = limiter or Limiter(requests_per_minute())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("inconnu", 0))[0]
        wait = self.limiter.wait(client)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            response = error_response(
                ApiError(
                    429,
                    f"Trop de requêtes : {self.limiter.limit} par minute au plus pour une même adresse. "
                    f"Réessayez dans {seconds} s.",
                    {"Retry-After": str(seconds)},
                )
            )
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)
