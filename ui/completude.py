"""Complétude: per région and period, values expected vs received, and who is late."""

import pandas as pd
import streamlit as st

from plan.alerts import completeness
from plan.thresholds import THRESHOLDS
from ui import fmt
from ui.context import current_user, db
from ui.progress_parts import table

st.title("Complétude des remontées")
user = current_user()

data = completeness(db(), user=user)
st.caption("Valeurs attendues et reçues par région et par période, pour chaque indicateur connu sous le niveau "
           f"national (une valeur est due {THRESHOLDS['delai_saisie_jours']} jours après la fin de sa période). "
           "Pour un indicateur saisi par région, une valeur par région est attendue ; pour un indicateur "
           "calculé par commune, une valeur par commune.")
by_region = data["by_region"]
if by_region.empty:
    st.info("Aucune valeur n'est encore attendue sous le niveau national.")
    st.stop()

st.subheader("Qui est en retard")
late = data["late"]
if late.empty:
    st.success("Toutes les régions ont transmis leurs valeurs pour les deux dernières périodes dues.")
else:
    view = pd.DataFrame({"Région": late["name"], "Indicateur": late["indicator_name"], "Période": late["period"],
                         "Reçues": late["reported"].astype(int), "Attendues": late["expected"].astype(int),
                         "Origine": late["computed_from"], "Agir": "/saisie"})
    st.page_link("ui/saisie.py", label="Aller à la saisie", icon=":material/edit_note:")
    table(view, "retards.csv", "late", raw=late,
          column_config={"Agir": st.column_config.LinkColumn("Agir", display_text="Saisir")})

st.subheader("Attendu et reçu par région et par période")
rates = by_region.assign(taux=100 * by_region["reported"] / by_region["expected"])
grid = rates.pivot_table(index="name", columns="period", values="taux", aggfunc="first")
view = grid.apply(lambda col: col.map(lambda v: fmt.percent(v, 1) if v == v else "—")).reset_index()
view = view.rename(columns={"name": "Région"})
st.caption("Part des valeurs reçues sur les valeurs attendues (tous indicateurs confondus).")
table(view, "completude_par_region.csv", "grid", raw=by_region)

st.subheader("Détail")
periods = sorted(by_region["period"].unique())
period = st.selectbox("Période", periods[::-1])
detail = data["detail"][data["detail"]["period"] == period]
view = pd.DataFrame({"Région": detail["name"], "Indicateur": detail["indicator_name"],
                     "Reçues": detail["reported"].astype(int), "Attendues": detail["expected"].astype(int),
                     "Complétude": [fmt.percent(100 * r / e, 1) if e else "—"
                                    for r, e in zip(detail["reported"], detail["expected"])]})
table(view, f"completude_{period}.csv", "detail", raw=detail)
