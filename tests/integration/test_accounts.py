"""Sign-in, attempt limits, OIDC mapping, self-service and administration on a real database."""

from datetime import timedelta

import pytest

from accounts import admin, models, service, sign_in
from accounts.models import Role, Scope, User
from accounts.sessions import utcnow
from accounts.settings import AccessSettings

COORD = "coordinateur.idf@demo.test"
COORD_PASSWORD = "demo-coordination-idf"
ADMIN = User(email="admin@demo.test", scopes=(Scope(role=Role.admin),))
SETTINGS = AccessSettings(max_failures_account=3, max_failures_address=6, window=timedelta(minutes=15))


def audit(db, action=None, entity=None):
    with db.read() as cur:
        return cur.execute(
            "SELECT actor, entity, entity_key, action, how, old_data, new_data, comment"
            " FROM audit_log WHERE (? IS NULL OR action = ?) AND (? IS NULL OR entity = ?)"
            " ORDER BY id",
            [action, action, entity, entity],
        ).fetchall()


def accounts_state(db):
    with db.read() as cur:
        return (
            cur.execute("SELECT * EXCLUDE (last_sign_in_at) FROM account ORDER BY email").fetchall(),
            cur.execute("SELECT * FROM account_scope ORDER BY ALL").fetchall(),
        )


# --- local sign-in -------------------------------------------------------------------------------


def test_demo_accounts_sign_in_with_their_readme_passwords(db):
    for email, password, role in [
        ("ministere@demo.test", "demo-equipe-nationale", Role.ministere),
        (COORD, COORD_PASSWORD, Role.coordinateur),
        ("elu.trilport@demo.test", "demo-elu-trilport", Role.elu),
        ("admin@demo.test", "demo-gestion-comptes", Role.admin),
    ]:
        user = sign_in.authenticate(db, email, password, settings=SETTINGS)
        assert user.roles == {role} and user.is_demo
    coord = service.find_user(db, COORD)
    assert coord.scopes == (Scope(role=Role.coordinateur, territory_id="REG-11"),)
    assert service.find_user(db, "elu.trilport@demo.test").scopes[0].territory_id == "COM-77475"
    signed_in = audit(db, "sign_in")
    assert [r[0] for r in signed_in][-4:] == ["ministere@demo.test", COORD, "elu.trilport@demo.test", "admin@demo.test"]


def test_email_with_other_case_and_spaces_signs_in_the_same_account(db):
    user = sign_in.authenticate(db, "  Coordinateur.IDF@Demo.TEST \t", COORD_PASSWORD, settings=SETTINGS)
    assert user.email == COORD


def test_wrong_password_and_unknown_email_get_the_same_french_message_and_are_logged(db):
    with pytest.raises(sign_in.SignInRefused, match=r"^Adresse e-mail ou mot de passe incorrect\.") as known:
        sign_in.authenticate(db, COORD, "mauvais mot de passe", "203.0.113.5", settings=SETTINGS)
    with pytest.raises(sign_in.SignInRefused) as unknown:
        sign_in.authenticate(db, "personne@exemple.fr", "mauvais mot de passe", "203.0.113.5", settings=SETTINGS)
    assert str(known.value) == str(unknown.value)  # no hint that the account exists
    failed = audit(db, "sign_in_failed")
    assert [(r[0], r[4]) for r in failed] == [(COORD, "local"), ("personne@exemple.fr", "local")]
    assert '"bad_password"' in failed[0][6] and '"unknown"' in failed[1][6] and "203.0.113.5" in failed[0][6]
    assert "mauvais" not in str(audit(db))  # passwords are never logged


def test_empty_fields_are_refused_without_counting(db):
    with pytest.raises(sign_in.SignInRefused, match="Saisissez votre adresse e-mail et votre mot de passe"):
        sign_in.authenticate(db, " ", "", settings=SETTINGS)


def test_an_account_locks_after_too_many_failures_even_with_the_right_password(db):
    now = utcnow()
    messages = []
    for i in range(3):
        with pytest.raises(sign_in.SignInRefused) as refusal:
            sign_in.authenticate(
                db, COORD, f"faux-{i}", "198.51.100.1", now=now + timedelta(seconds=i), settings=SETTINGS
            )
        messages.append(str(refusal.value))
    assert "Encore 1 essai(s)" in messages[1] and "bloqué pendant 15 minutes" in messages[2]
    with pytest.raises(sign_in.SignInRefused, match="Trop de tentatives échouées pour ce compte"):
        sign_in.authenticate(
            db, COORD, COORD_PASSWORD, "198.51.100.2", now=now + timedelta(minutes=1), settings=SETTINGS
        )
    # Other accounts are not affected, and the lock lifts when the window has passed.
    sign_in.authenticate(
        db,
        "elu.trilport@demo.test",
        "demo-elu-trilport",
        "198.51.100.1",
        now=now + timedelta(minutes=1),
        settings=SETTINGS,
    )
    assert (
        sign_in.authenticate(db, COORD, COORD_PASSWORD, now=now + timedelta(minutes=16), settings=SETTINGS).email
        == COORD
    )


def test_an_address_locks_after_too_many_failures_across_accounts(db):
    now = utcnow()
    for i in range(6):
        with pytest.raises(sign_in.SignInRefused):
            sign_in.authenticate(
                db, f"essai{i}@exemple.fr", "mauvais mot de passe", "192.0.2.9", now=now, settings=SETTINGS
            )
    with pytest.raises(sign_in.SignInRefused, match="depuis cette adresse"):
        sign_in.authenticate(db, COORD, COORD_PASSWORD, "192.0.2.9", now=now, settings=SETTINGS)
    assert sign_in.authenticate(db, COORD, COORD_PASSWORD, "192.0.2.10", now=now, settings=SETTINGS)


def test_an_admin_reset_lifts_the_lock(db):
    now = utcnow()
    for _ in range(3):
        with pytest.raises(sign_in.SignInRefused):
            sign_in.authenticate(db, COORD, "faux", now=now, settings=SETTINGS)
    admin.reset_password(db, ADMIN, COORD, "nouvelle phrase secrète", now=now + timedelta(seconds=1))
    assert (
        sign_in.authenticate(
            db, COORD, "nouvelle phrase secrète", now=now + timedelta(seconds=2), settings=SETTINGS
        ).email
        == COORD
    )


def test_disabled_and_switched_off_demo_accounts_cannot_sign_in(db):
    admin.set_active(db, ADMIN, "elu.trilport@demo.test", False)
    with pytest.raises(sign_in.SignInRefused, match="Ce compte est désactivé"):
        sign_in.authenticate(db, "elu.trilport@demo.test", "demo-elu-trilport", settings=SETTINGS)
    no_demo = AccessSettings(demo_accounts=False)
    with pytest.raises(sign_in.SignInRefused, match="comptes de démonstration sont désactivés"):
        sign_in.authenticate(db, COORD, COORD_PASSWORD, settings=no_demo)
    with pytest.raises(sign_in.NotAuthorized, match="comptes de démonstration sont désactivés"):
        sign_in.sign_in_oidc(db, {"email": COORD, "email_verified": True}, settings=no_demo)
    assert service.demo_accounts(db, no_demo) == []
    assert [a["E-mail"] for a in service.demo_accounts(db, SETTINGS)] == [
        "ministere@demo.test",
        COORD,
        "admin@demo.test",
    ]  # the disabled one is not offered


def test_demo_accounts_are_refused_when_the_setting_is_off(db, monkeypatch):
    monkeypatch.setenv("CARREFOURS_DEMO_ACCOUNTS", "0")
    with pytest.raises(sign_in.SignInRefused, match="démonstration"):
        sign_in.authenticate(db, COORD, COORD_PASSWORD)


# --- OpenID Connect ------------------------------------------------------------------------------


def test_oidc_maps_the_verified_email_to_an_account_whatever_its_case(db):
    user = sign_in.sign_in_oidc(
        db, {"email": " Coordinateur.Idf@DEMO.test ", "email_verified": True, "sub": "abc"}, "203.0.113.7"
    )
    assert user.email == COORD and user.roles == {Role.coordinateur}
    assert audit(db, "sign_in")[-1][4] == "oidc"
    assert sign_in.sign_in_oidc(db, {"email": COORD}).email == COORD  # ProConnect sends no email_verified


def test_oidc_refuses_unknown_unverified_and_missing_emails_politely(db):
    with pytest.raises(sign_in.NotAuthorized, match="n'est pas autorisée dans Carrefours"):
        sign_in.sign_in_oidc(db, {"email": "inconnu@exemple.fr", "email_verified": True})
    with pytest.raises(sign_in.NotAuthorized, match="n'a pas été vérifiée"):
        sign_in.sign_in_oidc(db, {"email": COORD, "email_verified": False})
    with pytest.raises(sign_in.NotAuthorized, match="pas transmis d'adresse e-mail"):
        sign_in.sign_in_oidc(db, {"sub": "abc"})
    outcomes = [r[6] for r in audit(db, "sign_in_failed")]
    assert ['"not_authorized"' in outcomes[0], '"email_not_verified"' in outcomes[1], '"no_email"' in outcomes[2]] == [
        True,
        True,
        True,
    ]


# --- self-service ----------------------------------------------------------------------------------


def test_password_change_needs_the_current_password_and_follows_the_rules(db):
    coord = service.find_user(db, COORD)
    with pytest.raises(models.AccountError, match="actuel est incorrect"):
        service.change_own_password(db, coord, "faux", "une toute nouvelle phrase")
    with pytest.raises(models.AccountError, match="il en faut au moins 12"):
        service.change_own_password(db, coord, COORD_PASSWORD, "court")
    with pytest.raises(models.AccountError, match="diffèrent"):
        service.change_own_password(db, coord, COORD_PASSWORD, "une toute nouvelle phrase", "autre chose")
    service.change_own_password(db, coord, COORD_PASSWORD, "une toute nouvelle phrase", "une toute nouvelle phrase")
    with pytest.raises(sign_in.SignInRefused):
        sign_in.authenticate(db, COORD, COORD_PASSWORD, settings=SETTINGS)
    assert sign_in.authenticate(db, COORD, "une toute nouvelle phrase", settings=SETTINGS).email == COORD
    assert [r[3] for r in audit(db, entity="account")][-2:] == ["password_change_refused", "password_change"]


def test_sign_out_and_exports_are_logged(db):
    coord = service.find_user(db, COORD)
    sign_in.sign_out(db, coord, "expired", "local", "Votre session a expiré.")
    service.log_export(db, coord, "valeurs REG-11 2024 (CSV)")
    assert audit(db, "expired")[-1][:3] == (COORD, "session", COORD)
    export = audit(db, entity="export")[-1]
    assert export[0] == COORD and export[2] == "valeurs REG-11 2024 (CSV)"


# --- administration --------------------------------------------------------------------------------


def test_an_admin_creates_changes_and_disables_an_account_and_each_step_is_logged(db):
    created = admin.create_account(
        db,
        ADMIN,
        " Nouvelle.Coord@Region.FR ",
        "Nouvelle",
        [admin.parse_scope("coordinateur", "REG-84"), admin.parse_scope("coordinateur", "DEP-01")],
        "trois pommes vertes",
    )
    assert created.email == "nouvelle.coord@region.fr" and len(created.scopes) == 2
    assert sign_in.authenticate(db, "nouvelle.coord@region.fr", "trois pommes vertes", settings=SETTINGS)
    changed = admin.set_scopes(db, ADMIN, "NOUVELLE.coord@region.fr", [admin.parse_scope("elu", "77475")])
    assert changed.scopes == (Scope(role=Role.elu, territory_id="COM-77475"),)
    admin.set_active(db, ADMIN, "nouvelle.coord@region.fr", False)
    assert service.find_user(db, "nouvelle.coord@region.fr") is None
    actions = [(r[3], r[2]) for r in audit(db, entity="account") if r[2] == "nouvelle.coord@region.fr"]
    assert actions == [
        ("create", "nouvelle.coord@region.fr"),
        ("role_change", "nouvelle.coord@region.fr"),
        ("disable", "nouvelle.coord@region.fr"),
    ]
    role_change = audit(db, "role_change")[-1]
    assert "coordinateur:REG-84" in role_change[5] and "elu:COM-77475" in role_change[6]
    assert "argon2" not in str(audit(db))  # hashes are never logged
    listing = admin.list_accounts(db, ADMIN)
    assert not listing.set_index("email").loc["nouvelle.coord@region.fr", "active"]


@pytest.mark.parametrize(
    "email, scopes, password, message",
    [
        ("pas-une-adresse", [("elu", "COM-77475")], None, "Adresse e-mail invalide"),
        ("coordinateur.idf@demo.test", [("elu", "COM-77475")], None, "Un compte porte déjà"),
        ("x@exemple.fr", [("coordinateur", "REG-99")], None, "est inconnu"),
        ("x@exemple.fr", [("coordinateur", "COM-77475")], None, "région ou à un département"),
        ("x@exemple.fr", [("ministere", "REG-11")], None, "est national"),
        ("x@exemple.fr", [("elu", None)], None, "demande un territoire"),
        ("x@exemple.fr", [("lecteur", None)], None, "ne s'attribue pas"),
        ("x@exemple.fr", [("elu", "COM-77475")], "court", "il en faut au moins 12"),
    ],
)
def test_bad_account_input_is_refused_in_french_and_nothing_is_written(db, email, scopes, password, message):
    before = accounts_state(db)
    with pytest.raises(models.AccountError, match=message):
        admin.create_account(db, ADMIN, email, "", [admin.parse_scope(r, t) for r, t in scopes], password)
    assert accounts_state(db) == before


def test_unknown_role_is_refused_in_french():
    with pytest.raises(models.AccountError, match="Rôle inconnu : « chef »"):
        admin.parse_scope("chef", None)


def test_an_admin_cannot_lock_everybody_out(db):
    with pytest.raises(models.AccountError, match="vos propres droits"):
        admin.set_active(db, ADMIN, "admin@demo.test", False)
    with pytest.raises(models.AccountError, match="vos propres droits"):
        admin.set_scopes(db, ADMIN, "admin@demo.test", [admin.parse_scope("ministere")])
    operator = User(email="cli:root", scopes=(Scope(role=Role.admin),))
    with pytest.raises(models.AccountError, match="dernier administrateur actif"):
        admin.set_active(db, operator, "admin@demo.test", False)
