"""Saisie, history: every change of one value, and undo of any of them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.policy import AccessDenied
from formatting import french as fmt
from indicators import imports, revert, review
from ui import markup
from ui.context import clear_caches
from ui.saisie_grid import reload_grid
from ui.saisie_parts import HOW_FR, KINDS, SaisiePage, number, period_code

state = st.session_state


def history_section(page: SaisiePage) -> None:
    """The full history of one value, with undo of any change."""
    c1, c2, c3, c4 = st.columns(4)
    indicator = c1.selectbox(
        "Indicateur", page.indicators["code"], key="hist_indicator", format_func=lambda c: f"{c} — {page.names[c]}"
    )
    code = c2.text_input("Territoire", key="hist_territory", placeholder="77475, DEP-77, REG-11")
    period_text = c3.text_input("Période", value="2025", key="hist_period")
    kind = c4.selectbox("Type", list(KINDS), format_func=KINDS.get, key="hist_kind")
    if not code.strip():
        st.caption("Indiquez un territoire pour voir l'historique de sa valeur.")
        return
    try:
        territory_id = imports.resolve_code(page.database, code)
    except ValueError as error:
        st.error(markup.plain(error))
        return
    period = period_code(period_text)
    if period is None:
        return
    data = revert.history(page.database, indicator, territory_id, period, kind, user=page.user)
    current = data["current"]
    st.markdown(
        f"**Valeur actuelle** : {number(current['value']) if current else 'aucune'}"
        + (f" (version {current['version']}, {markup.plain(fmt.actor(current['updated_by']))})" if current else "")
    )
    entries = data["entries"]
    if entries.empty:
        st.info("Aucune modification enregistrée pour cette valeur.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "N°": entries["id"],
                "Date": entries["created_at"].map(fmt.moment),
                "Auteur": entries["actor"].map(fmt.actor),
                "Origine": entries["how"].map(HOW_FR),
                "État": [review.transition_text(a, p) for a, p in zip(entries["action"], entries["new_published"])],
                "Avant": entries["old_value"].map(number),
                "Après": entries["new_value"].map(number),
                "Commentaire": entries["comment"].astype("object").where(entries["comment"].notna(), ""),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    changes = entries.loc[~entries["action"].isin(["publish", "return"]), "id"]  # decisions are not undone
    if changes.empty:
        return
    target = st.selectbox(
        "Modification à annuler", changes.iloc[::-1], key="hist_revert_id", format_func=lambda i: f"n° {i}"
    )
    st.button(
        "Annuler cette modification",
        key="hist_revert",
        on_click=_revert,
        args=(page, int(target), int(current["version"]) if current else 0),
    )
    message = state.pop("hist_message", None)
    if message:
        getattr(st, message[0])(message[1])


def _revert(page: SaisiePage, audit_id: int, read_version: int) -> None:
    """Undo one change before the page is drawn again, so the history and the value shown are fresh."""
    try:
        result = revert.revert(page.database, page.user, audit_id, read_version=read_version)
    except (AccessDenied, ValueError) as error:
        state["hist_message"] = ("error", markup.plain(error))
        return
    if result.written and result.ok:
        clear_caches()
        reload_grid()  # the entry grid diffs against fresh versions too
        state["hist_message"] = ("success", f"Modification n° {audit_id} annulée : la valeur d'avant est rétablie.")
    elif not result.conflicts.empty:
        state["hist_message"] = (
            "error",
            ("La valeur a changé entre-temps : vérifiez l'historique ci-dessus avant d'annuler."),
        )
    else:
        state["hist_message"] = ("error", "Annulation refusée : " + markup.plain("; ".join(result.errors["message"])))


# ------------------------------------------------------------------------------------ exports and locks
