"""Shared state for pages: the database (one per process), demo label, cached reads cleared on writes."""

from __future__ import annotations

import streamlit as st

from accounts.models import ANONYMOUS, User
from store.bootstrap import open_database
from store.db import Database, StoreError


@st.cache_resource(show_spinner="Préparation de la base Carrefours…")
def _database() -> Database:
    return open_database()


def db() -> Database:
    """The process-wide database; stops the page with a French message if it cannot be opened."""
    try:
        return _database()
    except StoreError as error:
        st.error(f"**La base de données ne peut pas être ouverte.** {error}")
        st.stop()


def demo_banner(is_demo: bool) -> None:
    """The visible label shown wherever demo data appears."""
    if is_demo:
        st.warning("**Données de démonstration** — les valeurs par région, département, EPCI et "
                   "commune, et le registre des lieux, sont générées pour la démonstration. Les "
                   "chiffres nationaux sourcés sont réels.", icon="🧪")


def clear_caches() -> None:
    """Forget cached reads after a write, so every page shows the new figures."""
    st.cache_data.clear()


def current_user() -> User:
    """The signed-in user for this session, or the anonymous reader."""
    return st.session_state.get("user", ANONYMOUS)
