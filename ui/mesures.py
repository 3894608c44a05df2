"""Plan d'action: the axes and measures, and one measure in detail — progress in France and by région,
indicators with sources, budget, history of status and météo, follow-up notes."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from accounts.policy import AccessDenied, can_edit_plan
from formatting import french as fmt
from indicators.models import VALUE_KIND_LABELS
from plan import freshness
from plan.editing import NoteIn, StaleUpdate, StatusUpdate, add_note, update_status
from plan.models import METEO_LABELS, STATUS_LABELS
from plan.service import overview
from plan.thresholds import STATUS_SEVERITY
from territories.levels import FRANCE
from ui import cached, markup
from ui.context import clear_caches, current_user, db, demo_banner
from ui.links import follow, go_column
from ui.progress_parts import (
    TREND_LABELS,
    day_text,
    gap_delta,
    pace_text,
    points_text,
    rate_text,
    status_badge,
    status_text,
    table,
    thresholds_box,
    value_text,
)

user = current_user()
data = overview(db())
measures = data["measures"]
codes = measures["code"].tolist()
requested = st.query_params.get("mesure")
index = codes.index(requested) if requested in codes else 0

st.title("Plan d'action")
if requested and requested not in codes:
    st.error(f"La mesure « {markup.plain(requested)} » n'existe pas. Choisissez une mesure dans la liste ci-dessous.")
for _, axis in data["axes"].iterrows():
    in_axis = measures[measures["axis_code"] == axis["code"]]
    st.markdown(
        f"**{axis['code']} — {axis['title']}** : "
        + " · ".join(f"{m['code']} {m['title']}" for _, m in in_axis.iterrows())
    )

code = st.selectbox(
    "Mesure", codes, index=index, format_func=lambda c: f"{c} — {measures.set_index('code').at[c, 'title']}"
)
st.query_params["mesure"] = code
detail = cached.measure_detail(code, user)
progress = cached.measure_progress(code, user)
m = detail["measure"]
national = progress["measure"][progress["measure"]["territory_id"] == FRANCE].iloc[0]
demo_banner(progress["demo"])

st.header(f"{m['code']} — {m['title']}")
if flash := st.session_state.pop("mesure_flash", None):
    st.success(flash)
st.write(m["description"] or "")
a, b, c, d = st.columns(4)
a.metric("Statut calculé", status_text(national["computed_status"]))
b.metric(
    "Avancement",
    rate_text(national["rate"]),
    help="Moyenne pondérée des taux d'avancement des indicateurs pondérés ; vide si l'un d'eux n'a pas de valeur.",
)
c.metric("Attendu sur la trajectoire", rate_text(national["expected_rate"]), **gap_delta(national["gap_points"]))
d.metric("Statut déclaré", STATUS_LABELS[m["status"]], help=METEO_LABELS[m["meteo"]])
st.caption(
    f"Météo : {METEO_LABELS[m['meteo']]} · situation au {fmt.day(progress['on'])}"
    + (f" · {national['reason']}" if isinstance(national["reason"], str) else "")
)
thresholds_box()
st.markdown(
    f"**Axe** {m['axis_code']} — {m['axis_title']}  \n"
    f"**Pilote** {m['pilot_org'] or 'non renseigné'}"
    + (f" ({m['pilot_people']})" if m["pilot_people"] else "")
    + "  \n"
    + (f"**Élu référent** {m['elu_referent']}  \n" if m["elu_referent"] else "")
    + f"**Dates** du {day_text(m['start_date'])} au {day_text(m['end_date'])}  \n"
    f"**Source** {m['source_title'] or '—'}"
)

st.subheader("Budget")
budgets = progress["budgets"]
left, right = st.columns(2)
left.metric("Budget prévu", fmt.euros(m["budget_planned_eur"]))
right.metric("Budget réalisé", fmt.euros(m["budget_actual_eur"]), help="Montant consommé, quand il est connu.")
if not budgets.empty:
    view = pd.DataFrame(
        {
            "Année": budgets["year"].astype(str),
            "Prévu": budgets["planned_eur"].map(fmt.euros),
            "Réalisé": budgets["actual_eur"].map(fmt.euros),
            "Source": budgets["source_code"],
        }
    )
    table(view, f"budget_{code}.csv", "budget", raw=budgets)
elif m["budget_actual_eur"] != m["budget_actual_eur"] or m["budget_actual_eur"] is None:
    st.caption("Le budget réalisé n'est pas encore renseigné.")

st.subheader("Indicateurs")
fr = progress["indicators"][progress["indicators"]["territory_id"] == FRANCE]
for _, ind in detail["indicators"].iterrows():
    row = fr[fr["indicator_code"] == ind["code"]]
    with st.expander(f"{ind['code']} — {ind['name']} (poids {fmt.number(ind['weight'], 1)})"):
        st.caption(
            f"{ind['method'] or ''} Source : {ind['source_title'] or '—'}. "
            f"Périodicité : {freshness.PERIOD_TYPE_LABELS.get(ind['period_type'], ind['period_type'])} ; "
            f"donnée attendue {freshness.delay_text(freshness.delay_of(ind.get('delay_days')))} ; "
            f"contact : {freshness.contact_text(ind.get('contact'), ind.get('contact_confirmed'))}."
        )
        checks = detail.get("rules", {}).get(ind["code"], [])
        if checks:
            st.markdown("**Règles de contrôle**\n\n" + "\n".join(f"- {markup.plain(line)}" for line in checks))
        if not row.empty:
            r = row.iloc[0]
            kind = ind["kind"]
            st.markdown(
                f"{status_badge(r['status'])} — valeur {value_text(r['current'], kind)}"
                f" ({r['current_period'] or '—'}"
                + (
                    f", cumul depuis le {r['cumulative_since']:%d/%m/%Y} ; {value_text(r['current_flow'], kind)}"
                    f" sur la dernière période"
                    if isinstance(r.get("cumulative_since"), date)
                    else ""
                )
                + f"), cible {value_text(r['target'], kind)}"
                f" ({r['target_period'] or '—'}), valeur initiale {value_text(r['initial'], kind)} ; "
                f"avancement {rate_text(r['rate'])}, attendu {value_text(r['expected_value'], kind)} "
                f"(écart {value_text(r['gap'], kind)}) ; {pace_text(r['pace_per_quarter'], ind['unit'])} ; "
                f"tendance {TREND_LABELS.get(r['trend'], '—')}."
            )
            if r["origin"] == "agrégation":
                st.caption(
                    "Valeur nationale obtenue en agrégeant les territoires"
                    + (" (données de démonstration)." if r["is_demo"] else ".")
                )
        values = detail["values"][ind["code"]]
        if values.empty:
            st.info("Aucune valeur nationale sourcée n'est encore enregistrée pour cet indicateur.")
            continue
        shown = values.assign(
            type=values["kind"].map(VALUE_KIND_LABELS),
            valeur=values["value"].map(lambda v, kind=ind["kind"]: value_text(v, kind)),
        )[["period", "type", "valeur", "source_title", "comment"]]
        shown.columns = ["Période", "Type", "Valeur", "Source", "Commentaire"]
        table(shown, f"{ind['code']}_national.csv", f"ind-{ind['code']}", raw=values)
        references = detail["references"][ind["code"]]
        for ref in references.to_dict("records"):
            used = values[(values["period"] == ref["period"]) & (values["kind"] == "actual")]
            plan_figure = (
                f"{value_text(used.iloc[0]['value'], ind['kind'])} (source : {used.iloc[0]['source_title']})"
                if not used.empty
                else "aucune valeur"
            )
            st.warning(
                f"**Sources divergentes pour {ref['period']}** : le plan retient {plan_figure} ; "
                f"autre chiffre {value_text(ref['value'], ind['kind'])} (source : {ref['source_title']}), "
                "non retenu, jamais utilisé dans l'avancement." + (f" {ref['comment']}." if ref["comment"] else ""),
                icon=":material/compare_arrows:",
            )

st.subheader("Avancement par région")
regions = progress["measure"][progress["measure"]["territory_id"] != FRANCE]
if regions["computed_status"].eq("sans_donnees").all() and regions["rate"].isna().all():
    st.info(
        "Pas de cible régionale pour cette mesure : l'avancement par région ne peut pas être calculé. "
        "Les valeurs régionales des indicateurs figurent dans le tableau de bord (carte)."
    )
else:
    SORTS = {
        "Région": ("territory_name", True),
        "Avancement croissant": ("rate", True),
        "Avancement décroissant": ("rate", False),
        "Écart à la trajectoire": ("gap_points", True),
        "Statut": ("severity", True),
    }
    sort = st.selectbox("Trier par", list(SORTS), key="tri-regions")
    column, ascending = SORTS[sort]
    regions = regions.assign(severity=regions["computed_status"].map(STATUS_SEVERITY).fillna(9)).sort_values(
        column, ascending=ascending, na_position="last"
    )
    main = progress["indicators"]
    main = main[main["indicator_code"] == national["main_indicator"]].set_index("territory_id")
    kind = main["indicator_kind"].iloc[0] if not main.empty else None
    view = pd.DataFrame(
        {
            "Région": regions["territory_name"],
            "Statut calculé": regions["computed_status"].map(status_text),
            "Avancement": regions["rate"].map(rate_text),
            "Attendu": regions["expected_rate"].map(rate_text),
            "Écart": regions["gap_points"].map(points_text),
            "Valeur": [value_text(main["current"].get(t), kind) for t in regions["territory_id"]],
            "Cible": [value_text(main["target"].get(t), kind) for t in regions["territory_id"]],
            "Rythme nécessaire": [
                pace_text(main["pace_per_quarter"].get(t), "") if t in main.index else "—"
                for t in regions["territory_id"]
            ],
            "Complétude": [
                f"{int(r)} / {int(e)}" if r == r and e == e and r is not None and e is not None else "—"
                for r, e in zip(regions["reported"], regions["expected_count"])
            ],
        }
    )
    targets = [("ui/territoire.py", {"territoire": t}) for t in regions["territory_id"]]
    view, links = go_column(view, "Fiche", ["Ouvrir"] * len(view), targets, key="go-regions")
    left, right = st.columns([3, 2])
    with left:
        table(view, f"{code}_par_region.csv", "regions", raw=regions.drop(columns=["severity"]), column_config=links)
        follow("go-regions", targets)
    with right:
        bars = (
            alt.Chart(regions.assign(statut=regions["computed_status"].map(status_text)))
            .mark_bar()
            .encode(
                x=alt.X("rate:Q", title="Avancement (%)", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y(
                    "territory_name:N", title=None, sort="-x", axis=alt.Axis(labelOverlap=False, labelLimit=220)
                ),  # every région named
                color=alt.Color("statut:N", title="Statut"),
                tooltip=[
                    alt.Tooltip("territory_name:N", title="Région"),
                    alt.Tooltip("rate:Q", title="Avancement", format=".0f"),
                    alt.Tooltip("statut:N", title="Statut"),
                ],
            )
        )
        st.altair_chart(bars.properties(height=max(300, 28 * len(regions))), width="stretch")

if not detail["milestones"].empty:
    st.subheader("Jalons")
    for _, step in detail["milestones"].iterrows():
        done = (
            ":green[:material/check_circle: réalisé]" if step["done"] else ":gray[:material/hourglass_empty: à venir]"
        )
        st.markdown(f"{done} · {fmt.day(step['on_date'])} — {step['title']}")

st.subheader("Historique du statut et de la météo")
history = detail["history"]
view = pd.DataFrame(
    {
        "Date": history["changed_at"].map(day_text),
        "Statut": history["status"].map(STATUS_LABELS),
        "Météo": history["meteo"].map(METEO_LABELS),
        "Auteur": history["author"].map(fmt.actor),
        "Commentaire": history["comment"],
    }
)
table(view, f"{code}_historique.csv", "historique", raw=history)

if can_edit_plan(user):
    with st.form("statut"):
        st.markdown("**Mettre à jour le statut et la météo** (équipe nationale)")
        statuses, meteos = list(STATUS_LABELS), list(METEO_LABELS)
        new_status = st.selectbox("Statut", statuses, index=statuses.index(m["status"]), format_func=STATUS_LABELS.get)
        new_meteo = st.selectbox("Météo", meteos, index=meteos.index(m["meteo"]), format_func=METEO_LABELS.get)
        comment = st.text_input("Commentaire (pourquoi ce changement)")
        if st.form_submit_button("Enregistrer le statut"):
            try:
                update_status(
                    db(),
                    user,
                    code,
                    StatusUpdate(
                        status=new_status, meteo=new_meteo, comment=comment or None, expected_version=int(m["version"])
                    ),
                )
            except (StaleUpdate, AccessDenied) as error:
                st.error(markup.plain(error))
            except ValidationError as error:
                st.error("Saisie invalide : " + "; ".join(e["msg"] for e in error.errors()))
            else:
                clear_caches()
                st.session_state["mesure_flash"] = "Statut et météo enregistrés."
                st.rerun()

st.subheader("Notes de suivi")
notes = progress["notes"]
if notes.empty:
    st.caption("Aucune note de suivi pour cette mesure.")
for note in notes.to_dict("records"):
    st.markdown(
        f"**{day_text(note['created_at'])} — {markup.plain(fmt.actor(note['author']))}**  \n{markup.plain(note['text'])}"
    )
if can_edit_plan(user):
    with st.form("note", clear_on_submit=True):
        text = st.text_area("Nouvelle note de suivi", placeholder="Point d'étape, décision, difficulté…")
        if st.form_submit_button("Ajouter la note"):
            try:
                add_note(db(), user, code, NoteIn(text=text))
            except AccessDenied as error:
                st.error(markup.plain(error))
            except ValidationError:
                st.error("La note est vide ou trop courte : écrivez au moins 3 caractères (5 000 au plus).")
            else:
                clear_caches()
                st.session_state["mesure_flash"] = "Note ajoutée."
                st.rerun()
else:
    st.caption("Les notes de suivi sont ajoutées par l'équipe nationale (ministère / ANCT).")
