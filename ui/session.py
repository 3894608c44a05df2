"""The signed-in session in Streamlit: ProConnect (st.login) identity, local sign-in, expiry, sign-out.

The contract other pages and tests rely on: a signed-in session has st.session_state["user"] set to an
accounts.models.User. Everything else here (the session clock, the OIDC mapping) is private.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from accounts import service
from accounts.models import ANONYMOUS, User, normalize_email
from accounts.sessions import SessionClock, expiry_reason, utcnow
from accounts.settings import access_settings
from ui import fmt
from ui.context import db

CLOCK = "auth_clock"
NOTICE = "auth_notice"
OWNER = "state_owner"  # whose session state this is: another user's arrival wipes it
OIDC_LABEL = "Se connecter avec ProConnect"


def oidc_configured() -> bool:
    """Whether secrets.toml has an [auth] section, so st.login can reach an OpenID provider."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def client_address() -> str:
    """The client's address for attempt limits ('local' on the server itself)."""
    try:
        address = st.context.ip_address
    except Exception:
        return "local"
    return address if isinstance(address, str) and address else "local"  # AppTest gives a mock


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
            if key not in ("user", CLOCK, NOTICE):
                del st.session_state[key]
    st.session_state[OWNER] = user.email


def end(reason: str = "logout", notice: str | None = None) -> None:
    """Close the session (logout, expiry, disabled account), log it, and leave a notice for the next page."""
    user = st.session_state.get("user")
    clock = st.session_state.get(CLOCK)
    method = clock.method if clock else "local"
    if user is not None:
        service.sign_out(db(), user, reason, method, comment=notice)
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
        st.info(fmt.plain(message), icon=":material/lock:")
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
        email = normalize_email(str(identity.get("email") or ""))
        if user is None or clock is None or clock.method != "oidc" or user.email != email:
            started = _started_at(identity, now)
            if now - started >= settings.session_absolute:
                service.sign_out(db(), User(email=email or "anonyme"), "expired", "oidc",
                                 comment="jeton d'identité trop ancien")
                st.session_state[NOTICE] = "Votre session a expiré : reconnectez-vous."
                st.logout()
                st.stop()
            try:
                user = service.sign_in_oidc(db(), identity, client_address())
            except service.NotAuthorized as refusal:
                _forget()
                return ANONYMOUS, not_authorized_page(str(refusal))
            start(user, "oidc", started)
            return user, None
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


def show_notice() -> None:
    """Show, once, why the previous session ended."""
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(notice, icon="⏱️")


def sidebar(user: User) -> None:
    """Who is signed in, and the sign-out button, in the sidebar."""
    if user == ANONYMOUS:
        return
    with st.sidebar:
        st.caption(f"Connecté : **{fmt.plain(user.name or user.email)}**" + (" — compte de démonstration" if user.is_demo else ""))
        if st.button("Se déconnecter", key="sign_out", icon=":material/logout:"):
            end("logout", "Vous êtes déconnecté.")
            st.switch_page("ui/dashboard.py")
