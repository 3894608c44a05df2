"""Shared state for pages: the database (one per process), demo label, cached reads cleared on writes."""

from __future__ import annotations

import streamlit as st

import bootstrap
from accounts.models import ANONYMOUS, User
from store.db import Database, StoreError
from ui import markup


def _start() -> bootstrap.Start:
    """The database's start, usually begun by the server at launch; else by this first visit."""
    return bootstrap.start()


def db() -> Database:
    """The process-wide database; shows the build's steps on first start, or a French message on failure."""
    start = _start()
    if not start.wait(2.0):
        # First start: the build takes a while; show each step and look again shortly.
        st.title("Préparation de la base Carrefours")
        st.caption("Premier démarrage : la base est construite une seule fois, puis réutilisée.")
        st.progress(min(max(start.fraction, 0.0), 1.0), text=f"{start.step}…")
        start.wait(1.0)
        st.rerun()
    if start.error is not None:
        bootstrap.forget_failed_start(start)  # the next visit tries again, once the cause is fixed
        if not isinstance(start.error, StoreError):
            raise start.error
        st.error(f"**La base de données ne peut pas être ouverte.** {markup.plain(start.error)}")
        st.stop()
    return start.database


def page_drawn() -> None:
    """Tell the start a page has been drawn, so the background work it deferred may begin."""
    _start().page_drawn()


def demo_banner(is_demo: bool) -> None:
    """The visible label shown wherever demo data appears."""
    if is_demo:
        st.warning(
            "**Données de démonstration** — les valeurs par région, département, EPCI et "
            "commune, et le registre des lieux, sont générées pour la démonstration. Les "
            "chiffres nationaux sourcés sont réels.",
            icon=":material/science:",
        )


def clear_caches() -> None:
    """Forget cached reads after a write, so every page shows the new figures."""
    st.cache_data.clear()


def current_user() -> User:
    """The signed-in user for this session, or the anonymous reader."""
    return st.session_state.get("user", ANONYMOUS)


def require_roles(*roles) -> User:
    """Stop the page with a French message unless the signed-in user holds one of these roles.

    Call it at the top of a restricted page (navigation already hides it; this re-checks).
    """
    from accounts.models import ROLE_LABELS, Role

    user = current_user()
    wanted = {Role(r) for r in roles}
    if user.roles & wanted:
        return user
    names = ", ".join(ROLE_LABELS[r] for r in sorted(wanted))
    if user == ANONYMOUS:
        st.error(
            f"**Connexion requise.** Cette page est réservée aux comptes : {names}. "
            "Connectez-vous depuis la page « Connexion ».",
            icon=":material/lock:",
        )
    else:
        st.error(
            f"**Accès refusé.** Cette page est réservée aux comptes : {names}. Votre compte "
            f"({markup.plain(user.email)}) n'a pas ce rôle ; adressez-vous à un administrateur si besoin.",
            icon=":material/lock:",
        )
    st.stop()
