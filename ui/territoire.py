"""Mon territoire: find a commune, EPCI, département or région and see its identity sheet."""

import streamlit as st

from territories.service import LEVEL_LABELS, get, search
from territories.typology import DENS7_LABELS, TYPOLOGY_LABELS
from ui import fmt
from ui.context import db

st.title("Mon territoire")
requested = st.query_params.get("territoire", "")
query = st.text_input("Rechercher un territoire", value="",
                      placeholder="Nom (accents facultatifs), code INSEE, SIREN ou code postal")
territory = get(db(), requested) if requested else None
if query:
    found = search(db(), query)
    if found.empty:
        st.warning(f"Aucun territoire ne correspond à « {query} ». Vérifiez l'orthographe ou saisissez un code INSEE.")
    else:
        labels = {row["id"]: f"{row['name']} ({LEVEL_LABELS[row['level']]} {row['code']})"
                  for _, row in found.iterrows()}
        chosen = st.selectbox("Résultats", list(labels), format_func=labels.get)
        territory = get(db(), chosen)
        st.query_params["territoire"] = territory["code"] if territory["level"] == "commune" else chosen
elif requested and territory is None:
    st.error(f"Le territoire « {requested} » est inconnu. Recherchez-le par son nom ci-dessus.")

if territory:
    st.header(f"{territory['name']} — {LEVEL_LABELS[territory['level']]}")
    approx = "" if territory["typology_official"] else " (approché)"
    a, b, c = st.columns(3)
    a.metric("Population", fmt.number(territory["population"]))
    density = territory["population"] / territory["area_km2"] if territory["area_km2"] else None
    b.metric("Densité (hab./km²)", fmt.number(density))
    c.metric("Typologie" + approx, TYPOLOGY_LABELS.get(territory["typology"], "—"))
    facts = [f"Code : {territory['code']}"]
    if territory["level"] == "commune":
        dens_note = "" if territory["dens7_official"] else " (approché)"
        facts.append(f"Grille de densité{dens_note} : {DENS7_LABELS.get(territory['dens7'], '—')}")
        facts.append(f"Codes postaux : {', '.join(territory['postal_codes'])}")
    if territory["epci_siren"] and territory["level"] == "commune":
        epci = get(db(), f"EPCI-{territory['epci_siren']}")
        facts.append(f"EPCI : {epci['name']}" if epci else "")
    if territory["in_metropole"] is True:
        facts.append("Membre d'une des 22 métropoles")
    elif territory["level"] in ("commune", "epci"):
        facts.append("Hors métropole")
    st.markdown("  \n".join(f for f in facts if f))
    if not territory["typology_official"]:
        st.caption("« Approché » : classement calculé par Carrefours à partir de la densité et de la "
                   "distance aux pôles, en attendant l'import des fichiers officiels de l'INSEE.")
else:
    st.info("Recherchez votre commune, votre EPCI, votre département ou votre région.")
