"""Shared state for pages: the database (one per process), demo label, cached reads cleared on writes."""

from __future__ import annotations

import logging
import threading

import streamlit as st

from accounts.models import ANONYMOUS, User
from bootstrap import open_database
from indicators.aggregates import ensure_fresh
from store.db import Database, StoreError
from store.shared import shared_database
from ui import markup


class _Start:
    """The database opened (built on first start) in a background thread, with its progress."""

    def __init__(self):
        self.fraction, self.step = 0.0, "Ouverture de la base"
        self.database: Database | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._open, name="carrefours-start", daemon=True)
        self._thread.start()

    def _report(self, fraction: float, step: str) -> None:
        self.fraction, self.step = fraction, step

    def _open(self) -> None:
        try:
            self.database = shared_database(open_database, progress=self._report)  # the API uses it too
        except Exception as error:  # handed to the page that waits for it
            self.error = error
            return
        # The first start rolls up régions and France only; the finer rows follow here, off the
        # page's path, so the dashboard shows first and other pages rarely wait for them.
        threading.Thread(target=self._complete, name="carrefours-rollups", daemon=True).start()

    def _complete(self) -> None:
        try:
            ensure_fresh(self.database)
        except Exception:  # a page needing these rows refreshes them again and explains any failure
            logging.getLogger(__name__).exception("Agrégation des territoires en arrière-plan interrompue")

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the start to end; whether it has."""
        self._thread.join(seconds)
        return not self._thread.is_alive()


@st.cache_resource(show_spinner=False)
def _start() -> _Start:
    return _Start()


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
        _start.clear()  # the next visit tries again, once the operator has fixed the cause
        if not isinstance(start.error, StoreError):
            raise start.error
        st.error(f"**La base de données ne peut pas être ouverte.** {markup.plain(start.error)}")
        st.stop()
    return start.database


def demo_banner(is_demo: bool) -> None:
    """The visible label shown wherever demo data appears."""
    if is_demo:
        st.warning("**Données de démonstration** — les valeurs par région, département, EPCI et "
                   "commune, et le registre des lieux, sont générées pour la démonstration. Les "
                   "chiffres nationaux sourcés sont réels.", icon=":material/science:")


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
        st.error(f"**Connexion requise.** Cette page est réservée aux comptes : {names}. "
                 "Connectez-vous depuis la page « Connexion ».", icon=":material/lock:")
    else:
        st.error(f"**Accès refusé.** Cette page est réservée aux comptes : {names}. Votre compte "
                 f"({markup.plain(user.email)}) n'a pas ce rôle ; adressez-vous à un administrateur si besoin.", icon=":material/lock:")
    st.stop()
