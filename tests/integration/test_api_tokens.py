"""Personal API tokens: shown once, stored hashed, expiring, revocable, acting with the account's current scopes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from accounts import admin, tokens
from accounts import repository as accounts
from accounts.models import ANONYMOUS, Role, Scope
from api.rate_limit import Limiter
from commands.users import operator
from tests.integration.values_helpers import COORD_IDF, MINISTERE, count


@pytest.fixture
def with_accounts(db):
    with db.transaction() as cur:
        accounts.add(cur, COORD_IDF)
        accounts.add(cur, MINISTERE)
    return db


def test_a_token_is_stored_hashed_and_acts_as_its_account(with_accounts):
    db = with_accounts
    token_id, secret = tokens.create(db, COORD_IDF, "script régional", 30)
    with db.read() as cur:
        stored = cur.execute(
            "SELECT secret_hash, expires_at - created_at FROM api_token WHERE id = ?", [token_id]
        ).fetchone()
    assert stored[0] == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored[0]
    assert stored[1] == timedelta(days=30)
    user, used = tokens.authenticate(db, secret)
    assert used == token_id and user.email == COORD_IDF.email and user.scopes == COORD_IDF.scopes
    assert (
        count(
            db,
            "SELECT count(*) FROM audit_log WHERE entity = 'api_token' AND action = 'create' AND actor = ?",
            [COORD_IDF.email],
        )
        == 1
    )


def test_a_role_change_applies_to_the_token_at_its_next_use(with_accounts):
    db = with_accounts
    _, secret = tokens.create(db, COORD_IDF, "script", 30)
    admin.set_scopes(db, operator(), COORD_IDF.email, [Scope(role=Role.elu, territory_id="COM-77475")], how="cli")
    user, _ = tokens.authenticate(db, secret)
    assert user.roles == {Role.elu}
    admin.set_active(db, operator(), COORD_IDF.email, False, how="cli")
    with pytest.raises(tokens.TokenError, match="désactivé"):
        tokens.authenticate(db, secret)


def test_revoked_expired_unknown_and_malformed_tokens_are_refused_in_french(with_accounts):
    db = with_accounts
    token_id, secret = tokens.create(db, COORD_IDF, "script", 1)
    with pytest.raises(tokens.TokenError, match="Aucun jeton actif"):
        tokens.revoke(db, MINISTERE, token_id)  # only its owner revokes it
    tokens.revoke(db, COORD_IDF, token_id)
    with pytest.raises(tokens.TokenError, match="révoqué"):
        tokens.authenticate(db, secret)
    other_id, other = tokens.create(db, COORD_IDF, "autre", 1)
    with db.transaction() as cur:
        cur.execute("UPDATE api_token SET expires_at = created_at - INTERVAL 1 MINUTE WHERE id = ?", [other_id])
    with pytest.raises(tokens.TokenError, match="expiré"):
        tokens.authenticate(db, other)
    with pytest.raises(tokens.TokenError, match="inconnu"):
        tokens.authenticate(db, "crf_00000000_" + "x" * 43)
    with pytest.raises(tokens.TokenError, match="illisible"):
        tokens.authenticate(db, "n'importe quoi")


@pytest.mark.parametrize(
    "name, days, message",
    [
        ("", 30, "Donnez un nom"),
        ("x" * 81, 30, "Donnez un nom"),
        ("ok", 0, "entre 1 et 365"),
        ("ok", 366, "entre 1 et 365"),
    ],
)
def test_bad_token_requests_are_refused_and_nothing_is_stored(with_accounts, name, days, message):
    with pytest.raises(tokens.TokenError, match=message):
        tokens.create(with_accounts, COORD_IDF, name, days)
    assert count(with_accounts, "SELECT count(*) FROM api_token") == 0


def test_an_anonymous_reader_gets_no_token(with_accounts):
    with pytest.raises(tokens.TokenError, match="Connectez-vous"):
        tokens.create(with_accounts, ANONYMOUS, "script", 30)


def test_the_limiter_counts_a_sliding_minute_per_client_in_bounded_memory():
    limiter = Limiter(limit=2, window=60, max_clients=3)
    assert [limiter.wait("a", now) for now in (0, 1)] == [0, 0]
    assert limiter.wait("a", 2) == pytest.approx(58)  # until the first request leaves the window
    assert limiter.wait("b", 2) == 0  # another client has its own budget
    assert limiter.wait("a", 60.5) == 0
    for client in "cdef":
        limiter.wait(client, 61)
    assert len(limiter._seen) <= 3
