"""Mon territoire: find a territory, see its sheet, compare it with its peers, print the council sheet."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from accounts.models import Role
from accounts.service import log_export
from comparison import service, snapshot, territory_sheet
from comparison.council_sheet import (
    APPROX_NOTE,
    METHOD_NOTE,
    TREND_WORDS,
    build_pdf,
    compact,
    csv_frame,
    display_basis,
    display_gap,
    display_value,
    identity_lines,
    value_sources,
)
from comparison.peers import DEFAULT_BAND, PeerCriteria
from formatting import french as fmt
from territories.levels import FRANCE
from territories.levels import LABELS as LEVEL_LABELS
from territories.service import get, search
from territories.typology import TYPOLOGY_LABELS
from ui import markup
from ui.charts import evolution_chart
from ui.context import current_user, db, demo_banner

PEER_MODES = {
    "band": "Même typologie, population comparable (par défaut)",
    "region": "Idem, dans la même région",
    "k": "Les k territoires les plus proches",
}


@st.cache_data(show_spinner="Calcul de l'évolution des territoires comparables…", max_entries=64)
def _trend(territory_id: str, peer_ids: tuple, code: str, version: tuple, user) -> pd.DataFrame:
    return service.trend(db(), territory_id, list(peer_ids), code, user=user)


def _own_territory() -> str:
    """An élu's own territory opens by default when the address names none."""
    held = current_user().territories(Role.elu)
    return held[0] if held and held[0] != FRANCE else ""


st.title("Mon territoire")
requested = st.query_params.get("territoire", "") or _own_territory()
query = st.text_input(
    "Rechercher un territoire", value="", placeholder="Nom (accents facultatifs), code INSEE, SIREN ou code postal"
)
territory = get(db(), requested) if requested else None
if query:
    found = search(db(), query)
    if found.empty:
        st.warning(
            f"Aucun territoire ne correspond à « {markup.plain(query)} ». Vérifiez l'orthographe ou saisissez "
            "un code INSEE, un SIREN ou un code postal."
        )
    else:
        labels = {
            row["id"]: f"{row['name']} ({LEVEL_LABELS[row['level']]} {row['code']})" for _, row in found.iterrows()
        }
        chosen = st.selectbox("Résultats", list(labels), format_func=labels.get)
        territory = get(db(), chosen)
        st.query_params["territoire"] = territory["code"] if territory["level"] in ("commune", "epci") else chosen
elif requested and territory is None:
    st.error(f"Le territoire « {markup.plain(requested)} » est inconnu. Recherchez-le par son nom ci-dessus.")

if not territory:
    st.info(
        "Recherchez votre commune, votre EPCI, votre département ou votre région. L'adresse de la "
        "page (…/territoire?territoire=77475) se partage et rouvre directement le territoire."
    )
    st.stop()

# --- identity ----------------------------------------------------------------------------------------
sheet = territory_sheet.sheet(db(), territory["id"], current_user())
st.header(f"{territory['name']} — {LEVEL_LABELS[territory['level']]}")
approx = "" if territory["typology_official"] else " (approché)"
a, b, c, d = st.columns(4)
a.metric("Population", fmt.number(territory["population"]))
b.metric("Densité (hab./km²)", fmt.number(sheet["density"]))
c.metric("Typologie" + approx, TYPOLOGY_LABELS.get(territory["typology"], "—"))
d.metric("Tiers-lieux du registre", fmt.number(sheet["lieux_total"]))
st.markdown("  \n".join(line for line in identity_lines(sheet)[1:] if not line.startswith(("Population", "Typologie"))))
if not territory["typology_official"]:
    st.caption(APPROX_NOTE)
if territory["level"] == "pays":
    st.info(
        "La France n'a pas de territoire comparable : choisissez une région, un département, un EPCI "
        "ou une commune pour la comparaison."
    )
    st.stop()

# --- peer group --------------------------------------------------------------------------------------
st.subheader("Territoires comparables")
left, right = st.columns([2, 1])
mode = left.radio(
    "Choisir les territoires comparables",
    list(PEER_MODES),
    format_func=PEER_MODES.get,
    horizontal=True,
    key="peer_mode",
)
if mode == "k":
    k = right.number_input("k (nombre de territoires)", min_value=5, max_value=500, value=20, step=5)
    criteria = PeerCriteria(mode="k", k=int(k))
else:
    band = right.select_slider(
        "Fourchette de population",
        options=[0.2, 0.3, 0.5, 1.0, 2.0],
        value=DEFAULT_BAND,
        format_func=lambda b: f"±{b * 100:.0f} %",
    )
    criteria = PeerCriteria(band=band, same_region=mode == "region")
# Compare on the latest year that has values at this level, not on the year in progress (almost empty).
years = snapshot.years(db(), territory["level"], current_user())
closed = [y for y in years if y < date.today().year]
year = (
    left.selectbox(
        "Année de comparaison",
        years[::-1],
        index=years[::-1].index(closed[-1]) if closed else 0,
        key="compare_year",
        format_func=lambda y: f"{y} (en cours)" if y >= date.today().year else str(y),
        help="Par défaut la dernière année écoulée qui a des valeurs à ce niveau ; chaque indicateur "
        "est comparé sur sa dernière année connue jusqu'à celle-ci.",
    )
    if years
    else None
)
try:
    result = service.compare(db(), territory["id"], criteria, user=current_user(), year=year)
except service.ComparisonError as error:
    st.error(markup.plain(error))
    st.stop()
group, table = result["peers"], result["table"]
demo_banner(result["is_demo"] or bool(sheet["lieux"]["is_demo"].any()))
st.markdown(
    f"**Comparé à {fmt.number(group.n)} territoires comparables**, sur l'année {year or '—'} — critères : "
    + " ; ".join(group.criteria)
    + "."
)
for note in group.notes:
    st.warning(note)
with st.expander(f"Voir les {fmt.number(group.n)} territoires comparables"):
    members = group.members.assign(typologie=group.members["typology"].map(TYPOLOGY_LABELS))
    listing = members[["code", "name", "population", "density", "typologie"]].rename(
        columns={
            "code": "Code",
            "name": "Nom",
            "population": "Population",
            "density": "Densité (hab./km²)",
            "typologie": "Typologie",
        }
    )
    st.dataframe(
        listing.assign(
            **{
                "Population": listing["Population"].map(fmt.number),
                "Densité (hab./km²)": listing["Densité (hab./km²)"].map(lambda v: fmt.number(v, 1)),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Télécharger la liste (CSV)",
        fmt.csv_bytes(listing),
        f"pairs-{territory['code']}.csv",
        "text/csv",
        on_click="ignore",
    )

# --- comparison --------------------------------------------------------------------------------------
st.subheader("Comparaison avec les territoires comparables")
available = table[table["available"]]
if available.empty:
    st.info("Aucun indicateur n'a de valeur à ce niveau pour l'instant.")
else:
    view = pd.DataFrame(
        {
            "Indicateur": available["name"] + available["direction"].map({"down": " (↓ mieux)", "up": ""}),
            "Période": available["period"],
            "Valeur": [display_value(k, v) for k, v in zip(available["kind"], available["value"])],
            "Valeur comparée": [display_basis(k, v) for k, v in zip(available["kind"], available["value_basis"])],
            "Médiane des pairs": [compact(k, v) for k, v in zip(available["kind"], available["median"])],
            "1er – 3e quartile": [
                f"{compact(k, q1)} – {compact(k, q3)}"
                for k, q1, q3 in zip(available["kind"], available["q1"], available["q3"])
            ],
            "Position": available["plain"],
            "Écart à la médiane": [
                display_gap(k, g) + (" ▲" if f else "")
                for k, g, f in zip(available["kind"], available["gap"], available["flagged"])
            ],
            "Évolution": available["trend"].map(TREND_WORDS)
            + " (pairs : "
            + available["peer_trend"].map(TREND_WORDS)
            + ")",
        }
    )
    st.dataframe(view, hide_index=True, width="stretch")
    st.caption("▲ écart marqué. " + METHOD_NOTE)

    names = dict(zip(available["code"], available["name"]))
    code = st.selectbox("Détail d'un indicateur", list(names), format_func=names.get)
    row = available[available["code"] == code].iloc[0]
    m1, m2, m3 = st.columns(3)
    basis = f" — {row['basis_label']}" if row["basis_label"] else ""
    m1.metric(f"{territory['name']} ({row['period']}){basis}", compact(row["kind"], row["value_basis"]))
    m2.metric(f"Médiane de {fmt.number(row['n'])} territoires comparables{basis}", compact(row["kind"], row["median"]))
    m3.metric("Centile (100 = meilleur)", fmt.number(row["percentile"]))
    st.markdown(f"**{territory['name']} fait {row['plain']}.**")

    dist = service.distribution(
        db(), territory["id"], group.members["id"].tolist(), code, user=current_user(), year=year
    )
    dist["Territoire"] = dist["is_self"].map({True: territory["name"], False: "Territoires comparables"})
    axis_title = f"{row['name']} ({row['basis_label'] or row['unit']})"
    base = (
        alt.Chart(dist[~dist["is_self"]].dropna(subset=["value"]))
        .mark_bar(color="#9bb3cc")
        .encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=axis_title),
            y=alt.Y("count():Q", title="Territoires comparables"),
        )
    )
    own = (
        alt.Chart(dist[dist["is_self"]].dropna(subset=["value"]))
        .mark_rule(color="#d1495b", size=3)
        .encode(
            x="value:Q",
            tooltip=[
                alt.Tooltip("name:N", title="Territoire"),
                alt.Tooltip("value:Q", title="Valeur comparée", format=",.2~f"),
            ],
        )
    )
    median = alt.Chart(pd.DataFrame({"median": [row["median"]]})).mark_rule(strokeDash=[4, 3]).encode(x="median:Q")
    st.caption(f"Répartition des territoires comparables — en rouge : {territory['name']}, en pointillé : la médiane.")
    st.altair_chart((base + own + median).properties(height=220), width="stretch")

    evolution = _trend(territory["id"], tuple(group.members["id"]), code, snapshot.data_version(db()), current_user())
    if len(evolution) > 1:
        st.caption("Évolution face à la médiane des comparables (zone claire : du 1er au 3e quartile).")
        st.altair_chart(evolution_chart(evolution, territory["name"], axis_title, row["kind"]), width="stretch")
        same = (evolution["own"] - evolution["median"]).abs().fillna(1).lt(1e-9)
        if same.all():  # the territory's line is drawn over the median: say so rather than hide one
            st.caption(f"{territory['name']} a chaque année la valeur médiane : sa ligne recouvre celle de la médiane.")
        st.dataframe(
            pd.DataFrame(
                {
                    "Période": evolution["period"],
                    territory["name"]: [compact(row["kind"], v) for v in evolution["own"]],
                    "Médiane des comparables": [compact(row["kind"], v) for v in evolution["median"]],
                    "1er quartile": [compact(row["kind"], v) for v in evolution["q1"]],
                    "3e quartile": [compact(row["kind"], v) for v in evolution["q3"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )

# --- every indicator of the plan ----------------------------------------------------------------------
st.subheader("Les indicateurs du plan pour ce territoire")
plan = territory_sheet.plan_indicators(result, sheet)
st.dataframe(
    pd.DataFrame(
        {
            "Mesure": plan["measure_code"],
            "Indicateur": plan["name"],
            "Période": plan["period"].fillna("—"),
            "Valeur": [display_value(k, v) for k, v in zip(plan["kind"], plan["value"])],
            "Évolution": [
                f"{TREND_WORDS[t]} ({display_value(k, p)} en {pp})" if t else "—"
                for t, k, p, pp in zip(plan["trend"], plan["kind"], plan["prev_value"], plan["prev_period"])
            ],
            "Objectif": [
                f"{display_value(k, v)} en {p}" if v == v and v is not None else "—"
                for k, v, p in zip(plan["kind"], plan["target"], plan["target_period"])
            ],
            "Complétude": [f"{r}/{e}" if e > 1 else "" for r, e in zip(plan["reported"], plan["expected"])],
            "Source": [
                f"{source} (démonstration)" if demo else source
                for source, demo in zip(value_sources(plan), plan["is_demo"])
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption("Complétude : communes ayant une valeur sur communes attendues, pour les valeurs agrégées.")

# --- registry ----------------------------------------------------------------------------------------
st.subheader(f"Tiers-lieux du registre ({sheet['lieux_total']})")
lieux = sheet["lieux"]
if lieux.empty:
    st.caption("Aucun tiers-lieu enregistré dans ce territoire.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Nom": lieux["name"],
                "Commune": lieux["commune"],
                "Types": lieux["types"],
                "Ouvert le": lieux["opened_on"].map(fmt.day),
                "Fermé le": lieux["closed_on"].map(fmt.day),
                "Labels": lieux["labels"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if sheet["lieux_total"] > len(lieux):
        st.caption(f"Les {len(lieux)} premiers sur {sheet['lieux_total']}.")

# --- council sheet -----------------------------------------------------------------------------------
st.subheader("Fiche pour le conseil")
st.caption(
    "Une ou deux pages à imprimer : identité, territoires comparables, comparaison et sources ; "
    "et le tableur des mêmes chiffres."
)
user = current_user()
exported = f"fiche conseil {territory['id']} ({group.n} territoires comparables : {' ; '.join(group.criteria)})"


def _pdf() -> bytes:
    log_export(db(), user, f"{exported} PDF")  # runs when the button is clicked (deferred download)
    return build_pdf(result, sheet)


def _csv() -> bytes:
    log_export(db(), user, f"{exported} CSV")
    return fmt.csv_bytes(csv_frame(result))


p1, p2 = st.columns(2)
p1.download_button(
    "Télécharger la fiche (PDF)",
    _pdf,
    f"fiche-conseil-{territory['code']}.pdf",
    "application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    type="primary",
)
p2.download_button(
    "Télécharger les chiffres (CSV)",
    _csv,
    f"fiche-conseil-{territory['code']}.csv",
    "text/csv",
    on_click="ignore",
    icon=":material/table:",
)

sources = sorted(set(value_sources(available).dropna()))
st.caption(
    "Sources : "
    + " ; ".join(
        [*sources, "Code officiel géographique et populations (INSEE)", "registre des tiers-lieux de Carrefours"]
    )
    + "."
)
