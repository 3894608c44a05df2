"""Saisie, entry grid: one région, indicator and period; save, reload, resolve conflicts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.policy import AccessDenied
from formatting import french as fmt
from indicators import grid, imports, review, rules, writes
from ui import markup
from ui.context import clear_caches
from ui.saisie_parts import EDITOR, KINDS, LEVELS, SaisiePage, number, period_code

state = st.session_state


def _grid_key(params: dict) -> tuple:
    return tuple(sorted(params.items()))


def _served(page: SaisiePage, params: dict) -> pd.DataFrame:
    """The rows served for these choices, kept until a save or a reload so edits diff against them."""
    key = _grid_key(params)
    if state.get("saisie_served_key") != key:
        state["saisie_served"] = grid.entry_grid(page.database, page.user, **params)
        state["saisie_served_key"] = key
        state["saisie_gen"] += 1
    return state["saisie_served"]


def reload_grid() -> None:
    state.pop("saisie_served_key", None)
    state.pop("saisie_conflicts", None)
    state.pop("saisie_confirm", None)
    state.pop("saisie_overwrite", None)


def _edited(served: pd.DataFrame) -> pd.DataFrame:
    """The served rows with the client's edits of Valeur and Commentaire only (anything else is ignored)."""
    edited = served[["value", "comment"]].copy().astype({"value": "object", "comment": "object"})
    delta = state.get(f"{EDITOR}_{state['saisie_gen']}") or {}
    rows = delta.get("edited_rows") if isinstance(delta, dict) else None
    for row, cells in (rows if isinstance(rows, dict) else {}).items():  # a forged payload may send anything
        try:
            position = int(row)
        except (TypeError, ValueError):
            continue
        if not 0 <= position < len(served) or not isinstance(cells, dict):
            continue
        for column, field in (("Valeur", "value"), ("Commentaire", "comment")):
            if column in cells:
                edited.iat[position, edited.columns.get_loc(field)] = cells[column]
    return edited.assign(value=_read_numbers(edited["value"]))


def _read_numbers(values: pd.Series) -> pd.Series:
    """Cells typed the French way ('1 234,5', '12,5 €') as numbers; unreadable text kept for the message."""
    # Anything but text or a plausible number (a forged true, list, 400-digit integer) goes on as sent,
    # for the service to explain.
    plain = values.map(
        lambda v: (
            isinstance(v, str)
            or v is None
            or (isinstance(v, (int, float)) and not isinstance(v, bool) and (v != v or abs(v) <= rules.MAX_ABS))
        )
    )
    typed = pd.Series(
        [
            v if isinstance(v, str) else (fmt.editable(v) if ok and v is not None else "")
            for v, ok in zip(values, plain)
        ],
        index=values.index,
        dtype="object",
    )
    numbers, bad = imports.parse_numbers(typed)
    return pd.Series(
        [
            raw if wrong or not ok else (None if pd.isna(n) else float(n))
            for raw, n, wrong, ok in zip(values, numbers, bad, plain)
        ],
        index=values.index,
        dtype="object",
    )


def _editor(shown: pd.DataFrame) -> None:
    """The entry grid: only Valeur and Commentaire are editable."""
    st.data_editor(
        shown,
        key=f"{EDITOR}_{state['saisie_gen']}",
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        disabled=["Territoire", "Code", "Indicateur", "Précédente", "Cible", "État"],
        column_config={
            "Précédente": st.column_config.TextColumn("Période précédente", help="valeur de la période précédente"),
            "Cible": st.column_config.TextColumn("Cible", help="dernière cible connue"),
            "Valeur": st.column_config.TextColumn(
                "Valeur",
                help="en français : 1 234,5 (espaces, virgule, « % » ou « € » acceptés) ; "
                "videz la cellule pour supprimer la valeur",
            ),
            "Commentaire": st.column_config.TextColumn("Commentaire", max_chars=rules.MAX_COMMENT),
            "État": st.column_config.TextColumn(
                "État", help="publiée, soumise (en attente de validation nationale) ou à corriger, avec le motif"
            ),
        },
    )


def _save(page: SaisiePage, confirm: bool = False) -> None:
    state.pop("saisie_overwrite", None)
    served = state["saisie_served"]
    changes, problems = grid.grid_changes(served, _edited(served))
    state.pop("saisie_conflicts", None)
    state.pop("saisie_confirm", None)
    if not problems.empty:
        state["saisie_message"] = (
            "error",
            "Rien n'a été enregistré. Corrigez ces cellules :",
            problems.rename(columns={"name": "Territoire", "column": "Colonne", "message": "Problème"})[
                ["Territoire", "Colonne", "Problème"]
            ],
        )
        return
    if not changes:
        state["saisie_message"] = ("info", "Aucune modification à enregistrer.", None)
        return
    try:
        result = writes.apply(page.database, page.user, changes, how="saisie", on_conflict="skip", confirm=confirm)
    except AccessDenied as error:
        state["saisie_message"] = ("error", markup.plain(error), None)
        return
    _report(result, changes)


def _named(found: pd.DataFrame, changes: list, label: str) -> pd.DataFrame:
    """Problems or warnings (pos, column, message) with the territory and indicator of their change."""
    served = state.get("saisie_served", pd.DataFrame(columns=["territory_id", "name"]))
    names = dict(zip(served["territory_id"], served["name"]))
    rows = found.assign(
        Territoire=[
            names.get(changes[int(p)].territory_id, changes[int(p)].territory_id)
            + " — "
            + changes[int(p)].indicator_code
            for p in found["pos"]
        ]
    )
    return rows.rename(columns={"column": "Colonne", "message": label})[["Territoire", "Colonne", label]]


def _report(result: writes.WriteResult, changes: list) -> None:
    if not result.errors.empty:
        state["saisie_message"] = (
            "error",
            "Rien n'a été enregistré. Corrigez ces cellules :",
            _named(result.errors, changes, "Problème"),
        )
        return
    if result.unconfirmed:
        # Soft rules: the edits stay in the grid; the writer explains each value in its comment, then confirms.
        state["saisie_message"] = ("warning", result.unconfirmed, _named(result.warnings, changes, "Alerte"))
        state["saisie_confirm"] = True
        return
    if result.written:
        clear_caches()
        state.pop("saisie_served_key", None)  # reload: new versions
    if not result.conflicts.empty:
        state["saisie_conflicts"] = result.conflicts
    saved = result.changed
    state["saisie_message"] = (
        ("success", f"{saved} valeur(s) enregistrée(s)." + review.submitted_text(result.submitted), None)
        if saved
        else ("info", "Aucune valeur enregistrée.", None)
    )


def _overwrite(page: SaisiePage, confirm: bool = False) -> None:
    conflicts = state.pop("saisie_overwrite") if confirm else state.pop("saisie_conflicts")
    state.pop("saisie_confirm", None)
    changes = writes.change_from_conflicts(conflicts)
    note = (state.get("saisie_overwrite_note") or "").strip() if confirm else ""
    result = writes.apply(
        page.database, page.user, changes, how="correction", on_conflict="skip", confirm=confirm, note=note or None
    )
    _report(result, changes)
    if result.unconfirmed:
        state["saisie_overwrite"] = conflicts  # the confirmation overwrites these again


def entry_section(page: SaisiePage) -> None:
    """Pick a region, period and indicator (or a territory); edit values and comments; save all or nothing."""
    c1, c2, c3, c4 = st.columns(4)
    region = c1.selectbox("Région", page.regions["code"], format_func=page.region_label, key="saisie_region")
    period_text = c2.text_input(
        "Période", value="2025", key="saisie_period", help="2024, 2024Q3 ou T3 2024, 2024-09 ou 09/2024"
    )
    kind = c3.selectbox("Type", list(KINDS), format_func=KINDS.get, key="saisie_kind")
    mode = c4.radio(
        "Saisir",
        ["indicateur", "territoire"],
        key="saisie_mode",
        horizontal=True,
        format_func={"indicateur": "par indicateur", "territoire": "par territoire"}.get,
    )
    period = period_code(period_text)
    if period is None:
        return
    params = {"period": period, "kind": kind, "region_code": region}
    if mode == "indicateur":
        a, b = st.columns(2)
        params["indicator"] = a.selectbox(
            "Indicateur",
            page.indicators["code"],
            key="saisie_indicator",
            format_func=lambda c: f"{c} — {page.names[c]}",
        )
        params["level"] = b.selectbox("Territoires", list(LEVELS), format_func=LEVELS.get, key="saisie_level")
    else:
        a, b = st.columns(2)
        level = a.selectbox("Niveau", list(LEVELS), format_func=LEVELS.get, key="saisie_tlevel")
        choices = grid.region_territories(page.database, region, level)
        if choices.empty:
            st.info("Aucun territoire de ce niveau dans la région.")
            return
        params["territory_id"] = b.selectbox(
            "Territoire",
            choices["id"],
            key="saisie_territory",
            format_func=dict(zip(choices["id"], choices["name"])).get,
        )
    served = _served(page, params)
    if served.empty:
        st.info("Aucun territoire de votre périmètre pour ce choix.")
        return
    # Every number is French text and every empty cell empty: a NumberColumn shows 1234.5 and "None".
    shown = pd.DataFrame(
        {
            "Territoire": served["name"],
            "Code": served["code"],
            "Indicateur": served["indicator_code"],
            "Précédente": served["previous"].map(fmt.editable),
            "Cible": served["target"].map(fmt.editable),
            "Valeur": served["value"].map(fmt.editable),
            "Commentaire": served["comment"].astype("object").where(served["comment"].notna(), ""),
            "État": [
                review.state_text(v, p, s, r)
                for v, p, s, r in zip(
                    served["value"], served["published"], served["review_state"], served["review_reason"]
                )
            ],
        }
    )
    if bool(served["is_demo"].any()):
        st.caption(":material/science: Certaines valeurs affichées sont des données de démonstration.")
    try:
        _editor(shown)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        # A forged client payload (edited_rows as a list, say) breaks Streamlit's own data_editor before
        # any of our code reads it: drop that widget state and draw a fresh grid.
        state["saisie_gen"] += 1
        st.error(
            "La grille a reçu des modifications illisibles : elles ont été ignorées et rien n'a été "
            "enregistré. Saisissez à nouveau vos valeurs."
        )
        _editor(shown)
    b1, b2 = st.columns([1, 4])
    b1.button("Enregistrer", type="primary", on_click=_save, args=(page,), key="saisie_save")
    b2.button(
        "Recharger",
        on_click=reload_grid,
        key="saisie_reload",
        help="abandonner vos modifications et relire les valeurs enregistrées",
    )
    message = state.pop("saisie_message", None)
    if message:
        level, text, table = message
        getattr(st, level)(text)
        if table is not None:
            st.dataframe(table, hide_index=True, width="stretch")
    if state.get("saisie_confirm"):
        st.caption(
            "Si ces valeurs sont justes, expliquez chacune dans sa colonne Commentaire (la source, la raison "
            "de l'écart), puis confirmez : le commentaire et l'alerte vont au journal des modifications."
        )
        overwriting = state.get("saisie_overwrite") is not None
        if overwriting:
            # Values taken from a conflict have no editable comment cell: the explanation is typed here.
            st.text_input(
                "Commentaire (obligatoire pour confirmer)", key="saisie_overwrite_note", max_chars=rules.MAX_COMMENT
            )
        st.button(
            "Confirmer et enregistrer",
            on_click=_overwrite if overwriting else _save,
            args=(page, True),
            key="saisie_confirm_save",
            type="primary",
        )
    conflicts = state.get("saisie_conflicts")
    if conflicts is not None and not conflicts.empty:
        st.warning(
            f"**{len(conflicts)} valeur(s) modifiée(s) par quelqu'un d'autre depuis que vous les avez "
            "chargées** : elles n'ont pas été enregistrées. Comparez, puis rechargez ou écrasez en "
            "connaissance de cause."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Territoire": conflicts["territory_name"],
                    "Indicateur": conflicts["indicator_code"],
                    "Période": conflicts["period"],
                    "Votre valeur": [
                        ("(suppression)" if d else number(v))
                        for v, d in zip(conflicts["your_value"], conflicts["delete"])
                    ],
                    "Valeur enregistrée": conflicts["their_value"].map(number),
                    "Modifiée par": conflicts["their_updated_by"].map(fmt.actor),
                    "Le": conflicts["their_updated_at"].map(fmt.moment),
                }
            ),
            hide_index=True,
            width="stretch",
        )
        c1, c2 = st.columns(2)
        c1.button("Recharger les valeurs enregistrées", on_click=reload_grid, key="saisie_conflict_reload")
        c2.button("Écraser avec mes valeurs", on_click=_overwrite, args=(page,), key="saisie_conflict_overwrite")


# ------------------------------------------------------------------------------------ imports
