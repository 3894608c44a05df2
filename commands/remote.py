"""The CLI alongside a running server: commands go through its API with a personal token.

Used when --server URL (or CARREFOURS_SERVER) is given; the token comes from CARREFOURS_TOKEN.
"""

from __future__ import annotations

import os

import httpx

from store.db import StoreError

TIMEOUT = httpx.Timeout(600.0, connect=10.0)  # an import of a large file takes a while on a loaded server
HOW = (
    "Si c'est le serveur Carrefours (streamlit run), passez par son API : ajoutez --server URL "
    "(ou CARREFOURS_SERVER=URL) avec un jeton personnel CARREFOURS_TOKEN=crf_… créé sur la page "
    "« Mon compte » (status, progress, compare, coverage, import, export, history, notify)."
)


def add_option(parser) -> None:
    """Add --server to a command that can run through a server's API."""
    parser.add_argument(
        "--server",
        metavar="URL",
        default=None,
        help="passer par l'API de ce serveur Carrefours (ou CARREFOURS_SERVER), avec le jeton CARREFOURS_TOKEN",
    )


def server_of(args) -> str | None:
    """The server to go through, if any (--server, else CARREFOURS_SERVER)."""
    url = getattr(args, "server", None) or os.environ.get("CARREFOURS_SERVER", "").strip()
    return url.rstrip("/") or None


def _token() -> str:
    token = os.environ.get("CARREFOURS_TOKEN", "").strip()
    if not token:
        raise StoreError(
            "CARREFOURS_TOKEN est vide : créez un jeton sur la page « Mon compte » du serveur, "
            "puis export CARREFOURS_TOKEN=crf_…"
        )
    return token


def call(
    server: str,
    method: str,
    path: str,
    *,
    params: dict | None = None,
    content: bytes | None = None,
    public: bool = False,
) -> httpx.Response:
    """One request to the server's API; a French StoreError when it cannot be reached or refuses."""
    headers = {} if public and not os.environ.get("CARREFOURS_TOKEN") else {"Authorization": f"Bearer {_token()}"}
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", False)}
    try:
        response = httpx.request(
            method, f"{server}/api/v1{path}", params=clean, content=content, headers=headers, timeout=TIMEOUT
        )
    except httpx.HTTPError as error:
        raise StoreError(
            f"Le serveur {server} ne répond pas ({error.__class__.__name__}) : vérifiez l'adresse "
            "(--server ou CARREFOURS_SERVER) et qu'il est démarré."
        ) from error
    if response.status_code >= 400 and response.status_code != 422:
        try:
            message = response.json().get("erreur") or response.text
        except ValueError:
            message = response.text[:300]
        raise StoreError(f"Le serveur a refusé la demande ({response.status_code}) : {message}")
    return response


def json_of(server: str, path: str, params: dict | None = None, public: bool = False) -> dict:
    """The JSON answer of a GET."""
    return call(server, "GET", path, params=params, public=public).json()


def lock_hint(error: StoreError) -> StoreError:
    """The lock message, completed with how to go through the running server."""
    text = str(error)
    if "déjà ouverte par un autre processus" in text:
        return StoreError(f"{text} {HOW}")
    return error
