"""Saisie, validation: the national team publishes submitted values in bulk or returns one with a reason;
a coordinator sees the state of each of their values in review and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts import policy
from accounts.policy import AccessDenied
from formatting import french as fmt
from indicators import review
from ui import markup
from ui.context import clear_caches
from ui.saisie_grid import reload_grid
from ui.saisie_parts import KINDS, SaisiePage, number

state = st.session_state


def validation_section(page: SaisiePage) -> None:
    """The reviewer's bulk validation and returns, or the coordinator's follow-up of their submissions."""
    done = state.pop("validation_done", None)
    if done:
        getattr(st, done[0])(done[1])
    if policy.can_review_values(page.user):
        _reviewer(page)
    else:
        _submitter(page)


def _table(found: pd.DataFrame) -> pd.DataFrame:
    """The values in review as a person reads them."""
    return pd.DataFrame(
        {
            "Territoire": found["territory_name"],
            "Indicateur": found["indicator_code"] + " — " + found["indicator_name"].fillna(""),
            "Période": found["period"],
            "Type": found["kind"].map(KINDS),
            "Publiée avant": [number(v) if w else "—" for v, w in zip(found["previous_value"], found["was_published"])],
            "Soumise": found["value"].map(number),
            "État": [review.STATE_LABELS[s] for s in found["state"]],
            "Motif du renvoi": found["reason"].fillna(""),
            "À vérifier": found["to_check"].fillna(""),
            "Saisie par": found["updated_by"].map(fmt.actor),
            "Le": found["updated_at"].map(fmt.moment),
        }
    )


def _submitter(page: SaisiePage) -> None:
    """A coordinator's values waiting for validation or returned to them, with the reason."""
    st.markdown(
        "Vos valeurs sont publiées après validation par l'équipe nationale. Une valeur **à corriger** vous est "
        "renvoyée avec un motif : corrigez-la dans l'onglet Saisie (ou par import), elle repasse **soumise**."
    )
    found = review.in_review(page.database, page.user)
    if found.empty:
        st.success("Aucune valeur en attente : toutes vos valeurs sont publiées.")
        return
    returned = int((found["state"] == "a_corriger").sum())
    st.markdown(f"**{fmt.number(len(found) - returned)}** valeur(s) soumise(s), **{fmt.number(returned)}** à corriger.")
    ordered = found.sort_values("state", key=lambda s: s.ne("a_corriger"), kind="stable")
    shown = _table(ordered).drop(columns=["À vérifier"])
    st.dataframe(shown, hide_index=True, width="stretch", key="validation_mine")


def _reviewer(page: SaisiePage) -> None:
    """Pick a région and a period, read what would be published, publish it all or return one value."""
    st.markdown(
        "Les valeurs saisies ou importées par les coordinateurs sont **soumises** : le public ne les voit qu'une "
        "fois **publiées** par vous. Relisez la liste d'une région et d'une période, renvoyez ce qui ne va pas "
        "avec un motif, puis publiez le reste en une fois."
    )
    everything = review.in_review(page.database, page.user)
    submitted = everything[everything["state"] == "soumis"]
    if submitted.empty:
        st.success("Aucune valeur en attente de validation.")
        _returned(everything)
        return
    counts = submitted.groupby(["region_code", "period"]).size().rename("n").reset_index()
    regions = sorted(counts["region_code"].unique(), key=page.region_label)
    c1, c2 = st.columns(2)
    region = c1.selectbox(
        "Région",
        regions,
        key="validation_region",
        format_func=lambda c: (
            f"{page.region_label(c)} ({fmt.number(counts.loc[counts['region_code'] == c, 'n'].sum())})"
        ),
    )
    mine = counts[counts["region_code"] == region].sort_values("period", ascending=False)
    period = c2.selectbox(
        "Période",
        mine["period"].tolist(),
        key="validation_period",
        format_func=lambda p: f"{p} ({fmt.number(int(mine.loc[mine['period'] == p, 'n'].iloc[0]))})",
    )
    listed = review.in_review(page.database, page.user, region_code=region, period=period, state="soumis")
    if listed.empty:  # changed between the two reads
        st.info("Plus rien à valider pour ce choix : la liste vient de changer.")
        return
    flagged = int(listed["to_check"].notna().sum())
    st.markdown(
        f"**{fmt.number(len(listed))}** valeur(s) soumise(s) en {markup.plain(page.region_label(region))} pour "
        f"{markup.plain(period)}" + (f", dont **{fmt.number(flagged)}** à vérifier." if flagged else ".")
    )
    st.dataframe(_table(listed).drop(columns=["État", "Motif du renvoi"]), hide_index=True, width="stretch")
    with st.form("validation_return", clear_on_submit=True):
        st.markdown("**Renvoyer une valeur au coordinateur**")
        choice = st.selectbox(
            "Valeur",
            range(len(listed)),
            format_func=lambda i: (
                f"{listed.at[i, 'territory_name']} — {listed.at[i, 'indicator_code']} — {listed.at[i, 'period']} : "
                f"{number(listed.at[i, 'value'])}"
            ),
            key="validation_choice",
        )
        reason = st.text_area("Motif (le coordinateur le verra)", max_chars=review.MAX_REASON, key="validation_reason")
        if st.form_submit_button("Renvoyer pour correction"):
            _send_back(page, listed.iloc[int(choice)].to_dict(), reason)
    st.button(
        f"Publier les {fmt.number(len(listed))} valeur(s) de la liste",
        type="primary",
        key="validation_publish",
        on_click=_publish,
        args=(page, listed),
    )
    _returned(everything)


def _returned(everything: pd.DataFrame) -> None:
    """Values returned and not yet corrected, for the record."""
    returned = everything[everything["state"] == "a_corriger"]
    if not returned.empty:
        with st.expander(f"Valeurs renvoyées, en attente de correction ({fmt.number(len(returned))})"):
            st.dataframe(
                _table(returned).drop(columns=["À vérifier", "Publiée avant"]), hide_index=True, width="stretch"
            )


def _publish(page: SaisiePage, listed: pd.DataFrame) -> None:
    """Publish the list as shown (a value changed since stays in review)."""
    try:
        result = review.validate(page.database, page.user, listed)
    except (review.ReviewError, AccessDenied) as error:
        state["validation_done"] = ("error", markup.plain(error))
        return
    clear_caches()
    reload_grid()
    text = f"{fmt.number(result.published)} valeur(s) publiée(s)."
    if result.changed:
        text += (
            f" {fmt.number(result.changed)} valeur(s) modifiée(s) depuis l'affichage de la liste restent soumises :"
            " relisez-les."
        )
    state["validation_done"] = ("success" if not result.changed else "warning", text)


def _send_back(page: SaisiePage, row: dict, reason: str) -> None:
    """Return one value with its reason, then draw the list again without it."""
    try:
        review.send_back(page.database, page.user, row, reason)
    except (review.ReviewError, AccessDenied) as error:
        st.error(markup.plain(error))
        return
    clear_caches()
    reload_grid()
    state["validation_done"] = (
        "success",
        f"{row['territory_name']} — {row['indicator_code']} — {row['period']} renvoyée au coordinateur.",
    )
    st.rerun()
