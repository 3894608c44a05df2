"""A real HTTP server (uvicorn on a free loopback port) serving the web routes on a test database."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette

from web.routes import routes
from web.sign_in import FORM_PATH


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(database):
    """Serve web.routes on `database`; yields the base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=routes(lambda: database)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("le serveur HTTP de test n'a pas démarré")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def form_token(client: httpx.Client) -> str:
    """Open the sign-in form (which sets the CSRF cookie) and read its hidden token."""
    page = client.get(FORM_PATH)
    page.raise_for_status()
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def post_sign_in(
    client: httpx.Client,
    email: str,
    password: str,
    *,
    origin: str | None = "self",
    token: str | None = "form",
    headers: dict | None = None,
    extra: dict | None = None,
) -> httpx.Response:
    """Post the sign-in form as a browser on the server's own page would (or not, as told)."""
    token = form_token(client) if token == "form" else token
    sent = dict(headers or {})
    if origin == "self":
        sent["Origin"] = str(client.base_url).rstrip("/")
    elif origin is not None:
        sent["Origin"] = origin
    data = {"email": email, "password": password, **(extra or {})}
    if token is not None:
        data["csrf"] = token
    return client.post(FORM_PATH, data=data, headers=sent)
