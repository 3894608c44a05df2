"""Alertes: measures behind their trajectory, territories behind their peers, indicators without recent
values — each with a link to where it can be acted on."""

import pandas as pd
import streamlit as st

from formatting import french as fmt
from plan import freshness
from plan.alerts import behind
from plan.thresholds import LATENESS_LABELS, THRESHOLDS
from territories.levels import FRANCE
from territories.typology import TYPOLOGY_LABELS
from ui import cached
from ui.context import current_user, demo_banner
from ui.links import follow, go_column, page_link
from ui.progress_parts import day_text, points_text, rate_text, status_text, table, thresholds_box

st.title("Alertes")
user = current_user()

data = cached.dashboard(user)
st.caption(f"Situation au {fmt.day(data['on'])}. Chaque alerte renvoie vers la page où agir.")
thresholds_box()

# --- Measures behind their trajectory ---------------------------------------------------------------
st.subheader("Mesures en retard ou compromises")
late = behind(data)
titles = data["measures"].set_index("code")["title"]
names = (
    pd.concat([data["measures"], data["regional"]])
    .drop_duplicates("territory_id")
    .set_index("territory_id")["territory_name"]
)
if late.empty:
    st.success("Aucune mesure n'est en retard ou compromise.")
else:
    demo_banner(bool(late["is_demo"].any()))
    national_first = late.assign(fr=late["territory_id"] != FRANCE).sort_values(["fr", "measure_code", "territory_id"])
    for row in national_first[national_first["territory_id"] == FRANCE].to_dict("records"):
        page_link(
            "ui/mesures.py",
            label=f"{row['measure_code']} — {titles[row['measure_code']]} : "
            f"{status_text(row['status'])} en France (avancement {rate_text(row['rate'])}, "
            f"écart {points_text(row['gap_points'])})",
            icon=":material/warning:",
            query_params={"mesure": row["measure_code"]},
        )
    view = pd.DataFrame(
        {
            "Intitulé": national_first["measure_code"].map(titles),
            "Territoire": national_first["territory_id"].map(names),
            "Statut": national_first["status"].map(status_text),
            "Avancement": national_first["rate"].map(rate_text),
            "Attendu": national_first["expected_rate"].map(rate_text),
            "Écart": national_first["gap_points"].map(points_text),
        }
    )
    targets = [("ui/mesures.py", {"mesure": c}) for c in national_first["measure_code"]]
    view, links = go_column(view, "Mesure", national_first["measure_code"].tolist(), targets, key="go-late")
    table(view, "alertes_mesures.csv", "late", raw=national_first.drop(columns=["fr"]), column_config=links)
    follow("go-late", targets)

# --- Territories behind their peers -----------------------------------------------------------------
st.subheader("Territoires en dessous de leurs pairs")
st.caption(
    f"Pairs : même niveau (département ou région) et même classe de typologie (urbain, périurbain, "
    f"rural). Alerte quand un pourcentage est à plus de {fmt.number(THRESHOLDS['pairs_ecart_points'])} "
    f"points sous la médiane des pairs (un ratio : plus de "
    f"{fmt.percent(100 * THRESHOLDS['pairs_ecart_relatif'])} sous la médiane), pour des groupes d'au "
    f"moins {THRESHOLDS['pairs_taille_min']} territoires, à la dernière période connue."
)
below = cached.peers(user)
if below.empty:
    st.info(
        "Aucun territoire n'est nettement en dessous de ses pairs (ou aucun pourcentage n'est encore "
        "connu par département ou par région)."
    )
else:
    demo_banner(bool(below["is_demo"].any()))
    view = pd.DataFrame(
        {
            "Territoire": below["name"],
            "Indicateur": below["indicator_name"],
            "Période": below["period"],
            "Typologie": below["typology"].map(lambda t: TYPOLOGY_LABELS.get(t, t)),
            "Valeur": below["value"].map(lambda v: fmt.number(v, 1)),
            "Médiane des pairs": below["peer_median"].map(lambda v: fmt.number(v, 1)),
            "Pairs (n)": below["peer_n"].map(fmt.number),
            "Écart": below["gap"].map(lambda v: fmt.number(v, 1)),
        }
    )
    targets = [("ui/territoire.py", {"territoire": t}) for t in below["territory_id"]]
    view, links = go_column(view, "Fiche", ["Ouvrir"] * len(view), targets, key="go-peers")
    table(view, "alertes_pairs.csv", "peers", raw=below, column_config=links)
    follow("go-peers", targets)

# --- Indicators without recent values ---------------------------------------------------------------
st.subheader("Indicateurs sans données récentes")
missing = cached.stale(data["on"], user)
if missing.empty:
    st.success("Tous les indicateurs ont une valeur pour la dernière période attendue.")
else:
    st.caption(
        f"{freshness.rule_text()} "
        "Les indicateurs calculés depuis le registre se mettent à jour avec lui ; les autres se saisissent."
    )
    view = pd.DataFrame(
        {
            "Indicateur": missing["indicator_name"],
            "Territoire": missing["territory_id"].map(lambda t: "France" if t == FRANCE else names.get(t, t)),
            "Dernière valeur": missing["latest"].map(day_text),
            "Période due jusqu'au": missing["due"].map(day_text),
            "Échéance": missing["due_on"].map(day_text),
            "Retard": missing["days_late"].map(freshness.late_text),
            "Gravité": missing["lateness"].map(LATENESS_LABELS),
            "Origine": missing["computed_from"].map({"saisie": "saisie", "registre": "registre des lieux"}),
        }
    )
    # Entered values open the entry grid on the indicator; computed ones the data page that refreshes them.
    targets = [
        ("ui/saisie.py", {"indicateur": i}) if how == "saisie" else ("ui/donnees.py", {})
        for i, how in zip(missing["indicator_code"], missing["computed_from"])
    ]
    view, links = go_column(view, "Agir", ["Ouvrir"] * len(view), targets, key="go-stale")
    page_link("ui/saisie.py", label="Saisir les valeurs manquantes", icon=":material/edit_note:")
    table(view, "alertes_indicateurs.csv", "stale", raw=missing, column_config=links)
    follow("go-stale", targets)
