"""The page list, built per role: a page not listed for a role cannot be opened by it."""

from __future__ import annotations

import streamlit as st

# The address of a page is its file name (/mesures, /territoire…), which AppTest relies on too.
PUBLIC = [
    ("ui/dashboard.py", "Tableau de bord national", ":material/dashboard:"),
    ("ui/mesures.py", "Plan d'action", ":material/account_tree:"),
    ("ui/territoire.py", "Mon territoire", ":material/location_city:"),
    ("ui/registre.py", "Registre des lieux", ":material/pin_drop:"),
    ("ui/couverture.py", "Couverture", ":material/radar:"),
    ("ui/donnees.py", "Données", ":material/database:"),
    ("ui/apropos.py", "À propos", ":material/info:"),
]
WRITERS = [
    ("ui/saisie.py", "Saisie", ":material/edit_note:"),
]


def _page(spec, default: bool = False):
    path, title, icon = spec
    return st.Page(path, title=title, icon=icon, default=default)


def build_navigation():
    """The st.navigation object for the current visitor."""
    pages = [_page(PUBLIC[0], default=True)] + [_page(p) for p in PUBLIC[1:]]
    pages += [_page(p) for p in WRITERS]
    return st.navigation(pages)
