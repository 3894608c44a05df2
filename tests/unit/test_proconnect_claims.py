"""The signed userinfo of ProConnect: trusted only with a good signature, issuer, audience, subject and date."""

from __future__ import annotations

import logging
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from accounts.proconnect_claims import Organisation, verify_userinfo

ISSUER, CLIENT = "https://proconnect.example", "carrefours"


@pytest.fixture(autouse=True)
def audible_log(monkeypatch):
    # Another module's logging set-up may have disabled existing loggers: the note must still be heard.
    logger = logging.getLogger("accounts.proconnect_claims")
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logger, "propagate", True)


@pytest.fixture(scope="module")
def provider_key():
    return RSAKey.generate_key(2048, parameters={"kid": "provider"})


@pytest.fixture(scope="module")
def jwks(provider_key):
    return KeySet([provider_key]).as_dict(private=False)


def signed(key, **overrides):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "agent-1",
        "iat": now,
        "exp": now + 300,
        "siret": "13002526500013",
        "usual_name": "Agence nationale de la cohésion des territoires",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def verify(token, jwks, **kw):
    return verify_userinfo(token, jwks, issuer=ISSUER, audience=CLIENT, subject="agent-1", **kw)


def test_a_valid_userinfo_gives_the_siret_and_the_usual_name(provider_key, jwks):
    assert verify(signed(provider_key), jwks) == Organisation(
        "13002526500013", "Agence nationale de la cohésion des territoires"
    )


def test_an_audience_list_holding_the_client_is_accepted(provider_key, jwks):
    assert verify(signed(provider_key, aud=["autre", CLIENT]), jwks).siret == "13002526500013"


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://faux-fournisseur.example"},
        {"iss": None},
        {"aud": "une-autre-application"},
        {"aud": None},
        {"sub": "quelqu-un-d-autre"},
        {"exp": int(time.time()) - 3600},
    ],
)
def test_wrong_issuer_audience_subject_or_an_expired_token_is_ignored_with_a_french_note(
    provider_key, jwks, overrides, caplog
):
    with caplog.at_level(logging.WARNING, logger="accounts.proconnect_claims"):
        assert verify(signed(provider_key, **overrides), jwks) is None
    assert "Informations ProConnect ignorées" in caplog.text


def test_a_token_signed_by_another_key_is_ignored(jwks, caplog):
    intruder = RSAKey.generate_key(2048, parameters={"kid": "provider"})  # same kid, other key
    with caplog.at_level(logging.WARNING, logger="accounts.proconnect_claims"):
        assert verify(signed(intruder), jwks) is None
    assert "signature" in caplog.text


def test_an_hmac_token_keyed_with_public_material_is_ignored(jwks):
    secret = OctKey.import_key("x" * 32, parameters={"kid": "provider"})
    token = jwt.encode(
        {"alg": "HS256", "kid": "provider"},
        {"iss": ISSUER, "aud": CLIENT, "sub": "agent-1", "siret": "13002526500013"},
        secret,
    )
    assert verify(token, jwks) is None


def test_an_unsigned_or_garbled_token_is_ignored(provider_key, jwks):
    token = signed(provider_key)
    header, payload, _ = token.split(".")
    assert verify(f"{header}.{payload}.", jwks) is None
    assert verify("pas un jeton", jwks) is None
    assert verify('{"siret": "13002526500013"}', jwks) is None  # a plain JSON userinfo is not signed


def test_a_malformed_siret_is_dropped_but_the_name_kept(provider_key, jwks):
    assert verify(signed(provider_key, siret="130 025 265"), jwks) == Organisation(
        None, "Agence nationale de la cohésion des territoires"
    )
