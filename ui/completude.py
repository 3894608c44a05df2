"""Complétude: per région and period, values expected vs received, and who is late."""

import pandas as pd
import streamlit as st

from accounts.models import Role
from formatting import french as fmt
from plan import freshness
from plan.alerts import completeness
from plan.thresholds import LATENESS_LABELS
from territories.levels import code_of
from ui.context import current_user, db
from ui.links import follow, go_column, page_link
from ui.progress_parts import table

st.title("Complétude des remontées")
user = current_user()

data = completeness(db())
st.caption(
    "Valeurs attendues et reçues par région et par période, pour chaque indicateur connu sous le niveau "
    f"national. {freshness.rule_text()} "
    "Pour un indicateur saisi par région, une valeur par région est attendue ; pour un indicateur "
    "calculé par commune, une valeur par commune."
)
by_region = data["by_region"]
if by_region.empty:
    st.info("Aucune valeur n'est encore attendue sous le niveau national.")
    st.stop()

# A coordinator starts on their own région; anyone may widen to every région.
names = by_region.drop_duplicates("territory_id").set_index("territory_id")["name"].sort_index()
own = [t for t in user.territories(Role.coordinateur) if t in names.index]
choices = ["", *names.index]
region = st.selectbox(
    "Région",
    choices,
    index=choices.index(own[0]) if own else 0,
    format_func=lambda t: names.get(t, "Toutes les régions"),
    key="completude_region",
)
if region:
    by_region = by_region[by_region["territory_id"] == region]
    data = {
        **data,
        "late": data["late"][data["late"]["territory_id"] == region],
        "detail": data["detail"][data["detail"]["territory_id"] == region],
    }

st.subheader("Qui est en retard")
late = data["late"]
if late.empty:
    st.success(
        f"{names[region] if region else 'Toutes les régions'} : valeurs transmises pour les deux "
        "dernières périodes dues."
    )
else:
    view = pd.DataFrame(
        {
            "Région": late["name"],
            "Indicateur": late["indicator_name"],
            "Période": late["period"],
            "Échéance": late["due_on"].map(fmt.day),
            "Retard": late["days_late"].map(freshness.late_text),
            "Gravité": late["lateness"].map(LATENESS_LABELS),
            "Reçues": late["reported"].map(fmt.number),
            "Attendues": late["expected"].map(fmt.number),
            "Origine": late["computed_from"],
        }
    )
    # Each late row opens the entry grid on its région, indicator and period (only for those who may enter).
    targets = [
        ("ui/saisie.py", {"region": code_of(r), "indicateur": i, "periode": p})
        for r, i, p in zip(late["territory_id"], late["indicator_code"], late["period"])
    ]
    view, links = go_column(view, "Agir", ["Saisir"] * len(view), targets, key="go-late")
    page_link("ui/saisie.py", label="Aller à la saisie", icon=":material/edit_note:")
    table(view, "retards.csv", "late", raw=late, column_config=links)
    follow("go-late", targets)

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
view = pd.DataFrame(
    {
        "Région": detail["name"],
        "Indicateur": detail["indicator_name"],
        "Reçues": detail["reported"].map(fmt.number),
        "Attendues": detail["expected"].map(fmt.number),
        "Complétude": [
            fmt.percent(100 * r / e, 1) if e else "—" for r, e in zip(detail["reported"], detail["expected"])
        ],
    }
)
table(view, f"completude_{period}.csv", "detail", raw=detail)
