"""The signed-in session in Streamlit: the local session cookie, the ProConnect (st.login) identity, sign-out.

Both kinds of session live on the server (accounts.server_sessions), so a reload, a new tab or a deep
link finds them again, and an ended one stays ended. The contract other pages and tests rely on: a
signed-in run has st.session_state["user"] set to an accounts.models.User. Code on the server (tests)
may set it without a cookie; such a session follows the same expiry and account checks.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from accounts import form_tokens, proconnect_claims, server_sessions, service, sign_in
from accounts.client_address import client_address as forwarded_client
from accounts.models import ANONYMOUS, User, normalize_email
from accounts.sessions import SessionClock, expiry_reason, utcnow
from accounts.settings import access_settings
from ui import markup, proconnect
from ui.context import db

CLOCK = "auth_clock"
NOTICE = "auth_notice"
OWNER = "state_owner"  # whose session state this is: another user's arrival wipes it
ENDED_SEEN = "auth_ended_seen"  # the ended session whose notice this tab has already shown
OIDC_LABEL = "Se connecter avec ProConnect"
SIGN_OUT_PATH = "/deconnexion"  # web/sign_in.py serves it
SIGNED_OUT_PARAMETER = "deconnexion"  # set by that route's redirect, so the page can say so


def oidc_configured() -> bool:
    """Whether secrets.toml has an [auth] section, so st.login can reach an OpenID provider."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def client_address() -> str:
    """The client's address for attempt limits ('local' on the server itself; X-Forwarded-For only
    when the connection comes from a trusted proxy)."""
    try:
        address, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    except Exception:
        return "local"
    if not isinstance(address, str) or not address:
        return "local"  # AppTest gives a mock
    return forwarded_client(address, forwarded if isinstance(forwarded, str) else None)


def _cookie_token() -> str | None:
    """The local session's token from the browser's HttpOnly cookie (sent with the page's connection)."""
    try:
        value = st.context.cookies.get(server_sessions.COOKIE)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _session_key(method: str, identity: dict | None = None) -> str | None:
    """The server-side key of this visit's session: the cookie's token hash, or the OIDC identity's."""
    if method == "local":
        token = _cookie_token()
        return server_sessions.token_hash(token) if token else None
    if method == "oidc":
        identity = identity if identity is not None else _oidc_identity()
        return server_sessions.identity_hash(identity) if identity else None
    return None


def _oidc_identity() -> dict | None:
    if not oidc_configured():
        return None
    # Without [auth], st.user.is_logged_in raises on a real server: always read it with get().
    if not st.user.get("is_logged_in", False):
        return None
    return st.user.to_dict()


def _started_at(identity: dict, now: datetime) -> datetime:
    """When the provider authenticated the person (the ID token's iat), so 8 h count from there."""
    issued = identity.get("iat")
    try:
        return datetime.fromtimestamp(int(issued), UTC).replace(tzinfo=None) if issued else now
    except (TypeError, ValueError, OverflowError):
        return now


def start(user: User, method: str, started: datetime | None = None) -> None:
    """Open a session for a user who has just signed in."""
    now = utcnow()
    st.session_state["user"] = user
    st.session_state[CLOCK] = SessionClock(started=started or now, seen=now, method=method)


def _forget() -> None:
    """Drop the sign-in and everything prepared for that user (grids, prepared exports, imports, widgets)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _claim(user: User) -> None:
    """Wipe state left by another user of this tab (sign-in over an anonymous or a previous session)."""
    owner = st.session_state.get(OWNER)
    if owner is not None and owner != user.email:
        for key in list(st.session_state.keys()):
            if key not in ("user", CLOCK, NOTICE, ENDED_SEEN):
                del st.session_state[key]
    st.session_state[OWNER] = user.email


def end(reason: str = "logout", notice: str | None = None) -> None:
    """Close the session (logout, expiry, disabled account), log it, and leave a notice for the next page."""
    user = st.session_state.get("user")
    clock = st.session_state.get(CLOCK)
    method = clock.method if clock else "local"
    key = _session_key(method)
    if user is not None:
        if key is not None:
            server_sessions.close(db(), key, user, reason, method, comment=notice)  # the cookie is now worthless
        else:
            sign_in.sign_out(db(), user, reason, method, comment=notice)
    _forget()
    if notice:
        st.session_state[NOTICE] = notice
    if method == "oidc" and oidc_configured():
        st.logout()  # also deletes the identity cookie, or the next run would sign in again
        st.stop()


def not_authorized_page(message: str):
    """The only page an identity without an account gets: a polite refusal and a way out, no data."""

    def page():
        st.title("Compte non autorisé")
        st.info(markup.plain(message), icon=":material/lock:")
        st.write("Vous pouvez vous déconnecter pour consulter les chiffres publiés en lecteur anonyme.")
        if st.button("Se déconnecter", type="primary"):
            st.logout()

    return st.Page(page, title="Compte non autorisé", icon=":material/lock:", url_path="compte-non-autorise")


def resolve() -> tuple[User, object | None]:
    """The user of this run (anonymous if none), after expiry and account checks.

    Returns (user, refusal_page): refusal_page is set when the OIDC identity has no account. State
    another user left in the session is wiped before any page draws.
    """
    user, refusal = _resolve()
    _claim(user)
    return user, refusal


def _resolve() -> tuple[User, object | None]:
    now = utcnow()
    settings = access_settings()
    identity = _oidc_identity()
    user = st.session_state.get("user")
    clock = st.session_state.get(CLOCK)
    # Only server code puts a User here; anything else (a widget keyed "user"…) is not a sign-in.
    if user is not None and not isinstance(user, User):
        _forget()
        user = clock = None
    if not isinstance(clock, SessionClock):
        clock = None
    if identity is not None:
        return _resolve_oidc(identity, now, settings)
    token = _cookie_token()
    if token is not None:
        return _resolve_cookie(token, user, now)
    if user is None:
        return ANONYMOUS, None
    if clock is None:
        # Signed in by code on the server (tests, scripts): the contract is only session_state["user"].
        clock = SessionClock(started=now, seen=now, method="external")
    reason = expiry_reason(clock, now, settings)
    if reason:
        end("expired", reason + " Reconnectez-vous pour continuer.")
        return ANONYMOUS, None
    if clock.method in ("local", "oidc"):
        fresh = service.refresh(db(), user)
        if fresh is None:
            end("disabled", "Votre compte a été désactivé : la session est fermée.")
            return ANONYMOUS, None
        if fresh != user:
            st.session_state["user"] = user = fresh  # roles changed by an administrator apply at once
    st.session_state[CLOCK] = SessionClock(started=clock.started, seen=now, method=clock.method)
    return user, None


def _resolve_cookie(token: str, user: User | None, now: datetime) -> tuple[User, object | None]:
    """The local session the browser's cookie names; once it has ended, an anonymous run."""
    key = server_sessions.token_hash(token)
    resumed = server_sessions.resume(db(), key, now=now)
    if resumed.user is not None:
        st.session_state["user"] = resumed.user
        st.session_state[CLOCK] = SessionClock(started=resumed.started, seen=now, method="local")
        return resumed.user, None
    told = st.session_state.get(ENDED_SEEN) == key
    if user is not None:
        _forget()
    if resumed.ended and not told:
        st.session_state[NOTICE] = resumed.ended  # said once per tab, not at every run of a dead cookie
    st.session_state[ENDED_SEEN] = key
    return ANONYMOUS, None


def _resolve_oidc(identity: dict, now: datetime, settings) -> tuple[User, object | None]:
    """The ProConnect session of this identity: opened once, then held to the same rules as a local one."""
    database = db()
    key = server_sessions.identity_hash(identity)
    if not server_sessions.known(database, key):
        email = normalize_email(str(identity.get("email") or ""))
        started = _started_at(identity, now)
        if now - started >= settings.session_absolute:
            sign_in.sign_out(
                database, User(email=email or "anonyme"), "expired", "oidc", comment="jeton d'identité trop ancien"
            )
            st.session_state[NOTICE] = "Votre session a expiré : reconnectez-vous."
            st.logout()
            st.stop()
        try:
            user = sign_in.sign_in_oidc(database, identity, client_address())
        except sign_in.NotAuthorized as refusal:
            _forget()
            return ANONYMOUS, not_authorized_page(str(refusal))
        server_sessions.open_oidc(database, key, user, client_address(), started, now=now)
        proconnect.complete_organisation(database, user, identity)  # once per ProConnect session
    resumed = server_sessions.resume(database, key, now=now)
    if resumed.user is None:
        _forget()
        st.session_state[NOTICE] = resumed.ended or "Vous êtes déconnecté."
        st.logout()  # the identity cookie of an ended session must not sign in again
        st.stop()
    start(resumed.user, "oidc", resumed.started)
    return resumed.user, None


def show_notice() -> None:
    """Show, once, why the previous session ended (also after the sign-out form's redirect)."""
    notice = st.session_state.pop(NOTICE, None)
    if st.query_params.get(SIGNED_OUT_PARAMETER) == "ok":
        del st.query_params[SIGNED_OUT_PARAMETER]
        notice = notice or "Vous êtes déconnecté."
    if notice:
        st.warning(notice, icon="⏱️")


def _csrf_secret() -> str | None:
    try:
        value = st.context.cookies.get(form_tokens.COOKIE)
    except Exception:
        return None
    return value if isinstance(value, str) and len(value) >= 32 else None


def sign_out_control(key: str) -> None:
    """The "Se déconnecter" control: for a cookie session, a form that posts to the server's sign-out route,
    which revokes the session and deletes the cookie (a page run cannot delete an HttpOnly cookie)."""
    secret = _csrf_secret()
    clock = st.session_state.get(CLOCK)
    if _cookie_token() is not None and secret is not None and (clock is None or clock.method == "local"):
        st.html(
            f'<form method="post" action="{SIGN_OUT_PATH}" style="margin:0">'
            f'<input type="hidden" name="csrf" value="{form_tokens.token_for(secret)}">'
            '<button type="submit" style="padding:.35rem .75rem;border:1px solid rgba(49,51,63,.2);'
            'border-radius:.5rem;background:#fff;color:inherit;font:inherit;cursor:pointer">'
            'Se déconnecter</button></form>'
        )
        return
    # ProConnect (st.logout deletes its own cookie), or a session opened by code on the server.
    if st.button("Se déconnecter", key=key, icon=":material/logout:"):
        end("logout", "Vous êtes déconnecté.")
        st.switch_page("ui/dashboard.py")


def sidebar(user: User) -> None:
    """Who is signed in, their organisation, and the sign-out control, in the sidebar."""
    if user == ANONYMOUS:
        return
    with st.sidebar:
        st.caption(
            f"Connecté : **{markup.plain(user.name or user.email)}**"
            + (" — compte de démonstration" if user.is_demo else "")
        )
        organisation = proconnect_claims.kept(db(), user.email)
        if organisation is not None and organisation.name:
            st.caption(f"Organisation : {markup.plain(organisation.name)}")
        sign_out_control("sign_out")
