"""Saisie, values "à vérifier": outliers among peers or in their own history, marked "vérifié" with a comment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.policy import AccessDenied
from formatting import french as fmt
from indicators import outliers, rules
from ui import cached, markup
from ui.context import clear_caches
from ui.saisie_parts import SaisiePage, number, period_code

state = st.session_state


def review_section(page: SaisiePage) -> None:
    """List the flagged values of the user's scope; mark one "vérifié" with a comment (audited)."""
    st.markdown(
        "Une valeur réalisée est signalée **à vérifier** quand elle s'écarte nettement de ses pairs ou de son "
        f"historique : {markup.plain(rules.threshold_text())}. Vérifiez-la à la source : corrigez-la dans la "
        "grille si elle est fausse, ou marquez-la vérifiée en disant pourquoi elle est juste."
    )
    c1, c2 = st.columns([1, 2])
    period = c1.text_input(
        "Période", key="review_period", help="2024, 2024Q3 ou 2024-09 ; vide : la dernière période saisie"
    ).strip()
    if period:
        period = period_code(period)
        if period is None:
            return
    show_checked = c2.checkbox("Montrer aussi les valeurs déjà vérifiées", key="review_checked")
    found = cached.to_check(page.user, period or None, show_checked)
    done = state.pop("review_done", None)
    if done:
        getattr(st, done[0])(done[1])
    if found.empty:
        st.success(
            "Aucune valeur à vérifier dans votre périmètre" + (f" pour {markup.plain(period)}." if period else ".")
        )
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Indicateur": found["indicator_name"],
                "Territoire": found["name"],
                "Période": found["period"],
                "Valeur": found["value"].map(number),
                "Raison": found["reason"],
                "Vérifiée par": found["reviewed_by"].map(lambda a: fmt.actor(a) if isinstance(a, str) else "—"),
                "Commentaire": found["review_comment"].map(lambda c: c if isinstance(c, str) else ""),
            }
        ),
        hide_index=True,
        width="stretch",
        key="review_table",
    )
    pending = found[found["reviewed_by"].isna()].reset_index(drop=True)
    if pending.empty:
        return
    choice = st.selectbox(
        "Valeur vérifiée",
        range(len(pending)),
        key="review_choice",
        format_func=lambda i: (
            f"{pending.at[i, 'indicator_code']} — {pending.at[i, 'name']} — {pending.at[i, 'period']} : "
            f"{number(pending.at[i, 'value'])}"
        ),
    )
    comment = st.text_input(
        "Commentaire (obligatoire : ce que vous avez vérifié)", key="review_comment", max_chars=rules.MAX_COMMENT
    )
    if st.button("Marquer vérifiée", key="review_mark", type="primary"):
        row = pending.iloc[int(choice)]
        try:
            outliers.mark_verified(
                page.database,
                page.user,
                indicator_code=row["indicator_code"],
                territory_id=row["territory_id"],
                period=row["period"],
                kind=row["kind"],
                version=int(row["version"]),
                comment=comment,
            )
        except (ValueError, AccessDenied) as error:
            st.error(markup.plain(error))
            return
        clear_caches()
        state["review_done"] = (
            "success",
            f"{row['indicator_code']} — {row['name']} — {row['period']} marquée vérifiée.",
        )
        st.rerun()
