"""Fetch ProConnect's signed userinfo when the ID token lacks SIRET and organisation (HTTP only; checks live in
accounts.proconnect_claims)."""

from __future__ import annotations

import logging

import httpx
import streamlit as st

from accounts import proconnect_claims
from accounts.models import User
from store.db import Database

log = logging.getLogger(__name__)
TIMEOUT = 5.0  # a slow provider must not hold the sign-in: the organisation is then simply not shown


def _auth_section() -> dict:
    try:
        return dict(st.secrets["auth"])
    except Exception:
        return {}


def _access_token() -> str | None:
    """The access token, which Streamlit exposes only with `expose_tokens = ["access"]` in [auth]."""
    try:
        token = st.user.tokens.get("access")
    except Exception:
        return None
    return token if isinstance(token, str) and token else None


def _fetch_userinfo(metadata_url: str, access_token: str) -> tuple[str, dict, str] | None:
    """The userinfo JWT text, the provider's JWKS and its issuer; None if the provider answers no JWT."""
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        metadata = client.get(metadata_url).raise_for_status().json()
        answer = client.get(
            metadata["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/jwt"},
        )
        answer.raise_for_status()
        if answer.headers.get("content-type", "").split(";")[0].strip().lower() != "application/jwt":
            log.warning(
                "Informations ProConnect ignorées : le point userinfo a répondu « %s » au lieu d'un "
                "jeton signé (application/jwt).",
                answer.headers.get("content-type", "?"),
            )
            return None
        jwks = client.get(metadata["jwks_uri"]).raise_for_status().json()
    return answer.text, jwks, str(metadata.get("issuer") or "")


def _verified_userinfo(identity: dict) -> proconnect_claims.Organisation | None:
    """The organisation in the provider's userinfo, fetched with the access token and verified; else None."""
    auth, token = _auth_section(), _access_token()
    if not auth.get("server_metadata_url") or token is None:
        log.info(
            "Organisation ProConnect non lue : ajoutez expose_tokens = [\"access\"] à la section [auth] "
            "pour que Carrefours puisse lire le point userinfo."
        )
        return None
    try:
        fetched = _fetch_userinfo(str(auth["server_metadata_url"]), token)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        log.warning("Informations ProConnect non lues : le fournisseur n'a pas répondu (%s).", error)
        return None
    if fetched is None:
        return None
    text, jwks, issuer = fetched
    return proconnect_claims.verify_userinfo(
        text,
        jwks,
        issuer=issuer,
        audience=str(auth.get("client_id") or ""),
        subject=str(identity.get("sub") or "") or None,
    )


def complete_organisation(db: Database, user: User, identity: dict) -> None:
    """Keep the SIRET and organisation of a ProConnect sign-in: from the ID token, else the verified userinfo."""
    organisation = proconnect_claims.from_identity(identity)
    if proconnect_claims.missing(identity):
        organisation = _verified_userinfo(identity) or organisation
    if organisation is not None:
        proconnect_claims.keep(db, user.email, organisation)
