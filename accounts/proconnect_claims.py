"""ProConnect's signed userinfo: verify the JWT against the provider's keys, keep SIRET and organisation."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from accounts import repository
from store.db import Database

log = logging.getLogger(__name__)
# Asymmetric algorithms only: a provider's public JWKS cannot vouch for an HMAC ("none" is never allowed).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_SIRET = re.compile(r"\d{14}")


@dataclass(frozen=True)
class Organisation:
    """What the provider vouched for: the establishment's SIRET and its usual name."""

    siret: str | None
    name: str | None


def verify_userinfo(
    token: str, jwks: dict, *, issuer: str, audience: str, subject: str | None = None, now: int | None = None
) -> Organisation | None:
    """The organisation a signed userinfo JWT carries, or None (with a French note in the log) when the
    signature, issuer, audience, subject or expiry does not hold: an unverified claim is never trusted."""
    try:
        keys = KeySet.import_key_set(jwks)
        decoded = jwt.decode(token.strip(), keys, algorithms=list(ALGORITHMS))
        rules = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": audience}}
        if subject is not None:  # the userinfo must be about the person the ID token named
            rules["sub"] = {"essential": True, "value": subject}
        jwt.JWTClaimsRegistry(now=now, leeway=60, **rules).validate(decoded.claims)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        log.warning(
            "Informations ProConnect ignorées : la signature ou les mentions du jeton userinfo ne sont "
            "pas valides (%s: %s).",
            type(error).__name__,
            error,
        )
        return None
    claims = decoded.claims
    siret = str(claims.get("siret") or "").strip() or None
    if siret is not None and not _SIRET.fullmatch(siret):
        log.warning("SIRET ProConnect ignoré : « %s » n'a pas 14 chiffres.", siret[:40])
        siret = None
    name = str(claims.get("usual_name") or "").strip()[:200] or None
    return Organisation(siret, name) if siret or name else None


def missing(identity: dict) -> bool:
    """Whether the ID token's claims lack what only the userinfo carries."""
    return not identity.get("siret") or not identity.get("usual_name")


def from_identity(identity: dict) -> Organisation | None:
    """The organisation when the ID token itself carries the claims (Streamlit verified that token)."""
    siret = str(identity.get("siret") or "").strip() or None
    if siret is not None and not _SIRET.fullmatch(siret):
        siret = None
    name = str(identity.get("usual_name") or "").strip()[:200] or None
    return Organisation(siret, name) if siret or name else None


def keep(db: Database, email: str, organisation: Organisation) -> None:
    """Store the organisation on the account (the account table's owner writes it)."""
    db.write(lambda cur: repository.set_organisation(cur, email, organisation.siret, organisation.name))


def kept(db: Database, email: str) -> Organisation | None:
    """The organisation kept for an account, if any."""
    with db.read() as cur:
        siret, name = repository.organisation(cur, email)
    return Organisation(siret, name) if siret or name else None
