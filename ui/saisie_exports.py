"""Saisie, exports of the région's values and (national team) period locks."""

from __future__ import annotations

import streamlit as st

from accounts.models import Role
from accounts.policy import AccessDenied
from indicators import exports
from indicators import locks as period_locks
from territories.levels import FRANCE, code_of, territory_id
from ui import markup
from ui.saisie_parts import SaisiePage

state = st.session_state


def export_section(page: SaisiePage) -> None:
    """Download values of the region (or France) as CSV, Excel or Parquet; every export is logged."""
    c1, c2, c3 = st.columns(3)
    indicator = c1.selectbox(
        "Indicateur",
        ["*", *page.indicators["code"].tolist()],
        key="exp_indicator",
        format_func=lambda c: "Tous les indicateurs saisis" if c == "*" else c,
    )
    scopes = [territory_id("region", c) for c in page.regions["code"]] + (
        [FRANCE] if Role.ministere in page.user.roles else []
    )
    territory = c2.selectbox(
        "Territoire",
        scopes,
        key="exp_territory",
        format_func=lambda t: "France entière" if t == FRANCE else page.region_label(code_of(t)),
    )
    fmt_choice = c3.selectbox("Format", exports.FORMATS, key="exp_format")
    if st.button("Préparer l'export", key="exp_prepare"):
        try:
            codes = page.indicators["code"].tolist() if indicator == "*" else [indicator]
            if indicator == "*":
                frame = exports.values_frame(page.database, page.user, None, territory)
                frame = frame[frame["indicateur"].isin(codes)]
                data = exports.to_bytes(frame, fmt_choice)
                exports.log_export(page.database, page.user, fmt_choice, None, territory, len(frame))
            else:
                data, _ = exports.export_values(page.database, page.user, fmt_choice, indicator, territory)
        except exports.ExportError as error:
            st.error(markup.plain(error))
            return
        state["exp_file"] = (data, f"valeurs_{territory}.{fmt_choice}", exports.MEDIA_TYPES[fmt_choice])
    if "exp_file" in state:
        data, name, media = state["exp_file"]
        st.download_button(f"Télécharger {name}", data, name, media, key="exp_download")


def lock_section(page: SaisiePage) -> None:
    """The national team closes and reopens periods per region."""
    c1, c2 = st.columns(2)
    region = c1.selectbox("Région", page.regions["code"], format_func=page.region_label, key="lock_region")
    period_text = c2.text_input("Période", value="2024", key="lock_period")
    b1, b2 = st.columns(2)
    lock, unlock = b1.button("Verrouiller", key="lock_do"), b2.button("Rouvrir", key="lock_undo")
    if lock or unlock:
        try:
            (period_locks.lock_period if lock else period_locks.unlock_period)(
                page.database, page.user, region, period_text
            )
            done = "verrouillée" if lock else "rouverte"
            st.success(f"Période {period_text} {done} pour {page.region_label(region)}.")
        except (AccessDenied, ValueError) as error:
            st.error(markup.plain(error))
    locks = period_locks.locks(page.database)
    if locks.empty:
        st.caption("Aucune période verrouillée.")
    else:
        st.dataframe(
            locks.rename(columns={"region_name": "Région", "period": "Période", "locked_by": "Par", "locked_at": "Le"})[
                ["Région", "Période", "Par", "Le"]
            ],
            hide_index=True,
            width="stretch",
        )
