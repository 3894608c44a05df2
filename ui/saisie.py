"""Saisie: coordinators enter, import, trace and undo indicator values (write path: indicators.writes).

This page routes to its sections: ui.saisie_grid, ui.saisie_import, ui.saisie_history, ui.saisie_exports.
"""

from __future__ import annotations

import streamlit as st

from accounts import policy
from accounts.models import Role
from indicators import grid
from ui.context import db, require_roles
from ui.links import preset
from ui.saisie_exports import export_section, lock_section
from ui.saisie_grid import entry_section
from ui.saisie_history import history_section
from ui.saisie_import import import_section
from ui.saisie_parts import SaisiePage
from ui.saisie_review import review_section
from ui.saisie_validation import validation_section

st.title("Saisie des indicateurs")
# Navigation already hides this page from other roles; the page checks again (a deep link, a stale menu).
user = require_roles(Role.coordinateur, Role.ministere)

database = db()
regions = grid.entry_regions(database, user)
if regions.empty:
    st.warning("Votre compte n'est rattaché à aucune région : demandez à l'administrateur de vous en attribuer une.")
    st.stop()
indicators = grid.typed_indicators(database)
names = dict(zip(indicators["code"], indicators["name"]))
state = st.session_state
state.setdefault("saisie_gen", 0)
# A "Saisir" link (Complétude, Alertes) opens the grid on its région, indicator and period.
preset(
    {
        "region": ("saisie_region", set(regions["code"])),
        "indicateur": ("saisie_indicator", set(indicators["code"])),
        "periode": ("saisie_period", None),
    }
)
page = SaisiePage(database, user, regions, indicators, names)


labels = ["Saisie", "Import", "À vérifier", "Validation", "Historique", "Exports"]
can_lock = policy.can_lock_periods(user)
if can_lock:
    labels.append("Verrouillage des périodes")
tabs = st.tabs(labels)
with tabs[0]:
    entry_section(page)
with tabs[1]:
    import_section(page)
with tabs[2]:
    review_section(page)
with tabs[3]:
    validation_section(page)
with tabs[4]:
    history_section(page)
with tabs[5]:
    export_section(page)
if can_lock:
    with tabs[6]:
        lock_section(page)
