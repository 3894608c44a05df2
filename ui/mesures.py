"""Plan d'action: the axes and measures, and the detail of one measure with its indicators and sources."""

import streamlit as st

from indicators.models import VALUE_KIND_LABELS
from plan.models import METEO_LABELS, STATUS_LABELS
from plan.service import measure_detail, overview
from ui import fmt
from ui.context import db, demo_banner

data = overview(db())
measures = data["measures"]
codes = measures["code"].tolist()
requested = st.query_params.get("mesure")
index = codes.index(requested) if requested in codes else 0

st.title("Plan d'action")
for _, axis in data["axes"].iterrows():
    in_axis = measures[measures["axis_code"] == axis["code"]]
    st.markdown(f"**{axis['code']} — {axis['title']}** : " + " · ".join(
        f"{m['code']} {m['title']}" for _, m in in_axis.iterrows()))

code = st.selectbox("Mesure", codes, index=index,
                    format_func=lambda c: f"{c} — {measures.set_index('code').at[c, 'title']}")
st.query_params["mesure"] = code
detail = measure_detail(db(), code)
m = detail["measure"]

st.header(f"{m['code']} — {m['title']}")
st.write(m["description"] or "")
left, middle, right = st.columns(3)
left.metric("Statut", STATUS_LABELS[m["status"]])
middle.metric("Météo", METEO_LABELS[m["meteo"]])
right.metric("Budget prévu", fmt.euros(m["budget_planned_eur"]))
st.markdown(
    f"**Axe** {m['axis_code']} — {m['axis_title']}  \n"
    f"**Pilote** {m['pilot_org'] or 'non renseigné'}  \n"
    f"**Dates** du {fmt.day(m['start_date'])} au {fmt.day(m['end_date'])}  \n"
    f"**Source** {m['source_title'] or '—'}")

st.subheader("Indicateurs")
for _, ind in detail["indicators"].iterrows():
    with st.expander(f"{ind['code']} — {ind['name']} (poids {fmt.number(ind['weight'], 1)})"):
        st.caption(f"{ind['method']} Source : {ind['source_title'] or '—'}.")
        values = detail["values"][ind["code"]]
        if values.empty:
            st.info("Aucune valeur nationale n'est encore enregistrée pour cet indicateur.")
            continue
        shown = values.assign(
            type=values["kind"].map(VALUE_KIND_LABELS),
            valeur=values["value"].map(lambda v: fmt.number(v, 1 if ind["kind"] == "percentage" else 0)),
        )[["period", "type", "valeur", "source_title", "comment"]]
        shown.columns = ["Période", "Type", "Valeur", "Source", "Commentaire"]
        st.dataframe(shown, hide_index=True, width="stretch")

if not detail["milestones"].empty:
    st.subheader("Jalons")
    for _, step in detail["milestones"].iterrows():
        st.markdown(f"{'✅' if step['done'] else '⏳'} {fmt.day(step['on_date'])} — {step['title']}")

st.subheader("Historique du statut et de la météo")
history = detail["history"].assign(
    date=detail["history"]["changed_at"].map(fmt.day), statut=detail["history"]["status"].map(STATUS_LABELS),
    meteo_label=detail["history"]["meteo"].map(METEO_LABELS))[["date", "statut", "meteo_label", "author", "comment"]]
history.columns = ["Date", "Statut", "Météo", "Auteur", "Commentaire"]
st.dataframe(history, hide_index=True, width="stretch")
