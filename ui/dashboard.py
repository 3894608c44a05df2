"""Tableau de bord national: where every measure stands, where in France, and how fast."""

import altair as alt
import pandas as pd
import streamlit as st

from formatting import french as fmt
from indicators.aggregates import version
from plan.dashboard_service import SHARE_INDICATORS, map_data, map_periods, national_chart, shares
from plan.models import METEO_LABELS, STATUS_LABELS
from plan.service import catalogue
from plan.thresholds import COMPUTED_STATUS_LABELS, STATUS_SEVERITY
from ui import cached, registry_panel
from ui.context import current_user, db, demo_banner
from ui.links import follow, go_column, page_link
from ui.progress_parts import (
    TREND_LABELS,
    choropleth,
    day_text,
    points_text,
    rate_text,
    status_badge,
    status_text,
    table,
    thresholds_box,
    value_text,
)

user = current_user()
# Map reads are cached per version of the roll-ups: any write moves the version, so nothing goes stale.
data_version = version(db(), ("region", "pays"))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_periods(code: str, version_key: int):
    return map_periods(db(), code)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_map(code: str, period: str, level: str, version_key: int, user):
    return map_data(db(), code, period, level, user)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_shares(version_key: int, user):
    return shares(db(), user=user)


data = cached.dashboard(user)
on = data["on"]

st.title("Tableau de bord national")
st.caption(f"Plan national des tiers-lieux : avancement des mesures au {fmt.day(on)}, en France et par région.")
demo_banner(data["demo"])
# Tabs, so that a phone's first screen says where the plan stands and each detail is one tap away.
tab_summary, tab_axes, tab_measures, tab_regions, tab_map, tab_series = st.tabs(
    ["Synthèse", "Axes", "Mesures", "Régions", "Carte", "Évolution"]
)

# --- Summary: how many measures are on track, late, compromised -----------------------------------
measures = data["measures"]
with tab_summary:
    counts = measures["computed_status"].value_counts()
    rated = int(counts.drop("sans_donnees", errors="ignore").sum())
    st.markdown(
        f"**{rated} mesures sur {len(measures)} ont un statut calculé** (avancement face à la "
        "trajectoire attendue) ; le détail est dans l'onglet **Mesures**."
    )
    with st.container(horizontal=True):
        for status in COMPUTED_STATUS_LABELS:
            st.metric(status_badge(status), fmt.number(int(counts.get(status, 0))), border=True, width="content")
    attention = measures[measures["computed_status"].isin(["compromis", "en_retard"])]
    if not attention.empty:
        attention = attention.assign(severity=attention["computed_status"].map(STATUS_SEVERITY))
        st.markdown("**À surveiller** (ouvrir la mesure) :")
        for s, c, t, r in attention.sort_values(["severity", "code"])[
            ["computed_status", "code", "title", "rate"]
        ].itertuples(index=False):
            page_link(
                "ui/mesures.py",
                label=f"{c} — {t} : {status_text(s)} (avancement {rate_text(r)})",
                icon=":material/error:" if s == "compromis" else ":material/warning:",
                query_params={"mesure": c},
            )
    thresholds_box()

# --- Headline cards, one per axis ------------------------------------------------------------------
with tab_axes:
    st.subheader("Les axes du plan")
    cards = data["cards"]
    for start in range(0, len(cards), 3):
        for column, card in zip(st.columns(3), cards[start : start + 3]):
            with column.container(border=True):
                st.markdown(f"**{card['axis_code']} — {card['axis_title']}**")
                if not card.get("indicator_code"):
                    st.caption("Aucun indicateur chiffré pour cet axe.")
                    continue
                st.metric(
                    card["indicator_name"],
                    value_text(card["value"], card["indicator_kind"]),
                    help=f"Source : {card['source_title']}",
                )
                target = (
                    f"cible {value_text(card['target'], card['indicator_kind'])} en {card['target_period']}"
                    if card["target"] is not None and card["target"] == card["target"]
                    else "pas de cible chiffrée"
                )
                st.caption(
                    f"Indicateur : {target}.  \nMesure {card['measure_code']} (tous ses indicateurs) : "
                    f"avancement {rate_text(card['rate'])} · {status_badge(card['status'])}"
                )
                completeness = (
                    f" ({card['reported']} territoires sur {card['expected_count']})"
                    if card["origin"] == "agrégation"
                    else ""
                )
                st.caption(
                    f"Dernière donnée : {card['period']} (mise à jour le {day_text(card['updated_at'])}) · "
                    f"Source : {card['source_title']}{completeness}"
                    + (" · **démonstration**" if card["is_demo"] else "")
                )

# --- Measures table ----------------------------------------------------------------------------------
with tab_measures:
    st.subheader("Mesures du plan")
    filters = st.columns(4)
    axes = filters[0].multiselect(
        "Axe",
        sorted(measures["axis_code"].unique()),
        format_func=lambda a: f"{a} — {measures.loc[measures['axis_code'] == a, 'axis_title'].iloc[0]}",
        placeholder="Tous les axes",
    )
    statuses = filters[1].multiselect(
        "Statut calculé", list(COMPUTED_STATUS_LABELS), format_func=status_text, placeholder="Tous les statuts"
    )
    meteos = filters[2].multiselect(
        "Météo", list(METEO_LABELS), format_func=METEO_LABELS.get, placeholder="Toutes les météos"
    )
    pilots = filters[3].multiselect(
        "Pilote", sorted(measures["pilot_org"].dropna().unique()), placeholder="Tous les pilotes"
    )
    options = st.columns([1, 1, 2])
    no_recent = options[0].checkbox(
        "Sans données récentes",
        help="Aucun indicateur de la mesure n'a de valeur pour la dernière période attendue (voir les seuils).",
    )
    no_pilot = options[1].checkbox("Sans pilote")
    SORTS = {
        "Ordre du plan": None,
        "Avancement croissant": ("rate", True),
        "Avancement décroissant": ("rate", False),
        "Écart à la trajectoire": ("gap_points", True),
        "Statut (le plus grave d'abord)": ("severity", True),
    }
    sort = options[2].selectbox("Trier par", list(SORTS))

    shown = measures.copy()
    if axes:
        shown = shown[shown["axis_code"].isin(axes)]
    if statuses:
        shown = shown[shown["computed_status"].isin(statuses)]
    if meteos:
        shown = shown[shown["meteo"].isin(meteos)]
    if pilots:
        shown = shown[shown["pilot_org"].isin(pilots)]
    if no_recent:
        shown = shown[shown["stale"].fillna(True).astype(bool)]
    if no_pilot:
        shown = shown[shown["pilot_org"].isna() | (shown["pilot_org"].fillna("").str.strip() == "")]
    if SORTS[sort]:
        column, ascending = SORTS[sort]
        shown = shown.assign(severity=shown["computed_status"].map(STATUS_SEVERITY).fillna(9))
        shown = shown.sort_values(column, ascending=ascending, na_position="last")

    view = pd.DataFrame(
        {
            "Intitulé": shown["title"],
            "Axe": shown["axis_code"],
            "Statut calculé": shown["computed_status"].map(status_text),
            "Avancement": shown["rate"].map(rate_text),
            "Attendu": shown["expected_rate"].map(rate_text),
            "Écart": shown["gap_points"].map(points_text),
            "Tendance": shown["trend"].map(lambda t: TREND_LABELS.get(t, "—")),
            "Statut déclaré": shown["status"].map(STATUS_LABELS),
            "Météo": shown["meteo"].map(METEO_LABELS),
            "Pilote": shown["pilot_org"].fillna("— sans pilote —"),
            "Dernière donnée": shown["last_date"].map(day_text),
        }
    )
    raw = shown[
        [
            "code",
            "title",
            "axis_code",
            "computed_status",
            "rate",
            "expected_rate",
            "gap_points",
            "trend",
            "status",
            "meteo",
            "pilot_org",
            "last_date",
            "stale",
            "is_demo",
        ]
    ]
    st.caption(f"{len(shown)} mesure(s) sur {len(measures)}. Cliquez sur un code pour ouvrir la mesure.")
    targets = [("ui/mesures.py", {"mesure": c}) for c in shown["code"]]
    view, links = go_column(view, "Mesure", shown["code"].tolist(), targets, key="go-mesure")
    table(view, "mesures.csv", "mesures", raw=raw, column_config=links)
    follow("go-mesure", targets)

# --- Regions × measures ------------------------------------------------------------------------------
with tab_regions:
    st.subheader("Où en est chaque région")
    regional = data["regional"]
    weighted = measures.loc[measures["rate"].notna() | (measures["computed_status"] != "sans_donnees"), "code"]
    in_regions = regional[regional["code"].isin(weighted)]
    in_regions = in_regions.assign(
        cell=[f"{status_text(s)} · {rate_text(r)}" for s, r in zip(in_regions["computed_status"], in_regions["rate"])]
    )
    cells = in_regions.pivot_table(index="territory_name", columns="code", values="cell", aggfunc="first")
    if cells.empty:
        st.info("Aucune mesure n'a encore de cible et de valeurs par région.")
    else:
        st.caption("Statut calculé et avancement de chaque mesure dans chaque région (cibles régionales).")
        table(
            cells.reset_index().rename(columns={"territory_name": "Région"}),
            "mesures_par_region.csv",
            "regions",
            raw=regional[
                [
                    "code",
                    "territory_id",
                    "territory_name",
                    "computed_status",
                    "rate",
                    "expected_rate",
                    "gap_points",
                    "reported",
                    "expected_count",
                    "is_demo",
                ]
            ],
        )

# --- Map ---------------------------------------------------------------------------------------------
with tab_map:
    st.subheader("Carte")
    indicators = catalogue(db())["indicators"]
    names = dict(zip(indicators["code"], indicators["name"]))
    kinds = dict(zip(indicators["code"], indicators["kind"]))
    codes = indicators["code"].tolist()
    default = next(
        (c for c in ("TL_RURAL", "TL_HORS_METRO") if not cached_periods(c, data_version).empty), "TL_OUVERTS"
    )
    pick = st.columns(3)
    code = pick[0].selectbox("Indicateur", codes, index=codes.index(default), format_func=lambda c: names[c])
    level = pick[1].radio(
        "Niveau",
        ["region", "departement"],
        horizontal=True,
        format_func={"region": "Régions", "departement": "Départements"}.get,
    )
    periods = cached_periods(code, data_version)
    if periods.empty:
        st.info("Pas encore de valeurs par territoire pour cet indicateur : seule la valeur nationale existe.")
    else:
        choices = periods["period"].tolist()[::-1]
        closed = [
            p for p, end in zip(periods["period"][::-1], periods["period_end"][::-1]) if pd.Timestamp(end).date() <= on
        ]  # a period still running is not the default
        period = pick[2].selectbox("Période", choices, index=choices.index(closed[0]) if closed else 0)
        mapped = cached_map(code, period, level, data_version, user)
        if mapped["message"]:
            st.info(mapped["message"])
        else:
            frame = mapped["frame"]
            demo_banner(bool(frame["is_demo"].fillna(False).any()))
            left, right = st.columns([3, 2])
            left.altair_chart(choropleth(frame, level, names[code], kinds[code]), width="stretch")
            with right:
                view = pd.DataFrame(
                    {
                        "Territoire": frame["name"],
                        "Valeur": frame["value"].map(lambda v: value_text(v, kinds[code])),
                        "Complétude": [f"{r} / {e}" for r, e in zip(frame["reported"], frame["expected"])],
                    }
                )
                table(
                    view,
                    f"carte_{code}_{period}_{level}.csv",
                    "carte",
                    raw=frame[["code", "name", "value", "numerator", "denominator", "reported", "expected", "is_demo"]],
                )
                st.caption(
                    "Complétude : territoires ayant transmis une valeur / territoires attendus. "
                    "Un territoire manquant reste manquant (jamais compté comme zéro)."
                )

    st.markdown(
        "**Hors métropoles et rural** — l'objectif du plan : des tiers-lieux dans les territoires "
        "périurbains et ruraux."
    )
    share = cached_shares(data_version, user)
    cols = st.columns(len(SHARE_INDICATORS))
    for column, share_code in zip(cols, SHARE_INDICATORS):
        row = share["national"][share["national"]["indicator_code"] == share_code]
        if row.empty:
            column.metric(names.get(share_code, share_code), "—")
        else:
            last = row.iloc[0]
            column.metric(
                names.get(share_code, share_code), fmt.percent(last["value"]), help=f"Source : {last['source_title']}"
            )
            column.caption(f"France, {last['period']} · Source : {last['source_title']}")
    if not share["territories"].empty:
        by = share["territories"].pivot_table(index="name", columns="indicator_code", values="value")
        view = by.reset_index().rename(columns={"name": "Région", **{c: names.get(c, c) for c in by.columns}})
        for c in by.columns:
            view[names.get(c, c)] = by[c].map(lambda v: fmt.percent(v, 1)).values
        demo_banner(bool(share["territories"]["is_demo"].fillna(False).any()))
        table(view, "parts_hors_metropole_rural.csv", "parts", raw=share["territories"])
    else:
        st.caption(
            "Ces parts ne sont pas encore calculées par région : seules les valeurs nationales sourcées existent."
        )
    registry_panel.draw(db(), user)

# --- National series ---------------------------------------------------------------------------------
with tab_series:
    st.subheader("Évolution nationale, cible et trajectoire")
    with_targets = data["indicators"]
    plan_codes = list(dict.fromkeys(with_targets.sort_values("weight", ascending=False)["indicator_code"]))
    series_code = st.selectbox("Indicateur suivi", plan_codes, format_func=lambda c: names.get(c, c), key="serie")
    chart = national_chart(db(), series_code, user, on, data=data)
    frame = chart["frame"]
    if frame.empty:
        st.info("Aucune valeur nationale pour cet indicateur.")
    else:
        demo_banner(chart["demo"])
        plotted = frame.assign(date=pd.to_datetime(frame["date"]))
        base = alt.Chart(plotted).encode(
            x=alt.X("date:T", title="Date", axis=alt.Axis(format="%Y")),
            y=alt.Y("value:Q", title=names.get(series_code, series_code)),
            color=alt.Color("serie:N", title="Série"),
            tooltip=[
                alt.Tooltip("serie:N", title="Série"),
                alt.Tooltip("period:N", title="Période"),
                alt.Tooltip("value:Q", title="Valeur", format=",.1f"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        # Values as lines, targets and initial values as marks, the trajectory dashed.
        is_line = "indexof(datum.serie, 'Cible') < 0 && indexof(datum.serie, 'Valeur initiale') < 0"
        lines = base.transform_filter(f"({is_line}) && datum.serie != 'Trajectoire'").mark_line(point=True)
        marks = base.transform_filter(f"!({is_line})").mark_point(size=140, filled=True, shape="diamond")
        path = base.transform_filter("datum.serie == 'Trajectoire'").mark_line(strokeDash=[6, 4])
        left, right = st.columns([3, 2])
        left.altair_chart((lines + marks + path).properties(height=380), width="stretch")
        with right:
            view = pd.DataFrame(
                {
                    "Série": frame["serie"],
                    "Période": frame["period"],
                    "Date": frame["date"].map(day_text),
                    "Valeur": frame["value"].map(lambda v: value_text(v, kinds.get(series_code))),
                    "Source": frame["source"],
                }
            )
            table(view, f"serie_{series_code}.csv", "serie", raw=frame)
        if chart["trajectory"]:
            t = chart["trajectory"]
            st.caption(
                f"Trajectoire de la mesure {t['measure_code']} : de {value_text(t['initial'], t['indicator_kind'])} "
                f"le {day_text(t['baseline_date'])} à {value_text(t['target'], t['indicator_kind'])} le "
                f"{day_text(t['target_date'])} ; attendu aujourd'hui "
                f"{value_text(t['expected_value'], t['indicator_kind'])}, écart "
                f"{value_text(t['gap'], t['indicator_kind'])}."
            )
