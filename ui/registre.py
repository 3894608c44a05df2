"""Registre des tiers-lieux: search, filter, map, export; edit and import for the national team and coordinators."""

from __future__ import annotations

from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from accounts.policy import AccessDenied
from formatting import french as fmt
from lieux import contract as lieux_contract
from lieux import import_formats, imports, service, writes
from lieux.models import ATTESTATION_YEARS, LABEL_LABELS, TYPE_LABELS, Label, LieuType
from lieux.placement import RULE_LABELS
from territories.typology import TYPOLOGY_LABELS
from ui import markup
from ui.context import clear_caches, current_user, db, demo_banner
from ui.maps import metropolitan, points_map

STATUS = {"ouverts": "Ouverts", "fermes": "Fermés", "tous": "Tous"}

st.title("Registre des tiers-lieux")
st.caption(
    "Chaque tiers-lieu avec sa commune, ses types, ses labels et ses dates. Les indicateurs « registre » "
    "du plan (tiers-lieux ouverts, part hors métropoles, Fabriques, fermetures…) en sont calculés."
)
user = current_user()
demo_banner(service.is_demo(db()))
options = service.territory_options(db())

with st.container(border=True):
    a, b, c, d = st.columns([2, 1, 1, 1])
    text = a.text_input("Rechercher", placeholder="Nom du lieu, commune, code INSEE ou code postal")
    lieu_type = b.selectbox("Type", ["", *TYPE_LABELS], format_func=lambda k: TYPE_LABELS.get(k, "Tous"))
    label = c.selectbox("Label", ["", *LABEL_LABELS], format_func=lambda k: LABEL_LABELS.get(k, "Tous"))
    status = d.selectbox("Statut", list(STATUS), format_func=STATUS.get)
    e, f, g = st.columns(3)
    regions = dict(zip(options["region"]["code"], options["region"]["name"]))
    region = e.selectbox("Région", ["", *regions], format_func=lambda k: regions.get(k, "Toutes"))
    deps = options["departement"]
    if region:
        deps = deps[deps["region_code"] == region]
    dep_names = dict(zip(deps["code"], deps["code"] + " " + deps["name"]))
    departement = f.selectbox("Département", ["", *dep_names], format_func=lambda k: dep_names.get(k, "Tous"))
    typology = g.selectbox(
        "Typologie de la commune", ["", *TYPOLOGY_LABELS], format_func=lambda k: TYPOLOGY_LABELS.get(k, "Toutes")
    )

lieux = service.search(
    db(),
    text,
    lieu_type=lieu_type,
    label=label,
    status=status,
    region=region,
    departement=departement,
    typology=typology,
)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Lieux trouvés", fmt.number(len(lieux)))
m2.metric("Dont ouverts", fmt.number(int((lieux["is_open"] & ~lieux["unconfirmed"]).sum()) if len(lieux) else 0))
m3.metric(
    "Dont non confirmés",
    fmt.number(int(lieux["unconfirmed"].sum()) if len(lieux) else 0),
    help=f"Lieux connus par une seule attestation (un recensement) plus ancienne que {ATTESTATION_YEARS} ans "
    "civils : ils ne comptent plus parmi les lieux ouverts tant que personne ne les a confirmés.",
)
m4.metric("Dont labellisés", fmt.number(int((lieux["labels"].map(len) > 0).sum()) if len(lieux) else 0))
m5.metric(
    "À vérifier",
    fmt.number(int(lieux["review_reason"].notna().sum()) if len(lieux) else 0),
    help="Code, code postal et coordonnées en désaccord, ou doublon probable : voir la colonne « À vérifier ».",
)
if len(lieux) and lieux["is_demo"].any():
    st.caption(":material/science: Les lieux marqués « (démo) » sont des données de démonstration générées.")

if len(lieux):
    shown = metropolitan(lieux[lieux["lat"].notna()]).assign(
        statut=lambda x: np.where(x["unconfirmed"], "Non confirmé", np.where(x["is_open"], "Ouvert", "Fermé")),
        types_fr=lambda x: x["types"].map(lambda t: ", ".join(TYPE_LABELS.get(v, v) for v in t)),
    )
    st.altair_chart(
        points_map(
            shown,
            "statut",
            [
                alt.Tooltip("name:N", title="Lieu"),
                alt.Tooltip("commune_name:N", title="Commune"),
                alt.Tooltip("types_fr:N", title="Types"),
                alt.Tooltip("statut:N", title="Statut"),
            ],
            color_title="Statut",
        ),
        width="stretch",
    )
    hidden = len(lieux) - len(shown)
    st.caption(
        f"Carte de la France métropolitaine : {fmt.number(hidden)} lieu(x) des outre-mer ou sans "
        "coordonnées n'y figurent pas mais sont dans le tableau."
    )

table = pd.DataFrame(
    {
        "Nom": lieux["name"],
        "Commune": lieux["commune_name"],
        "Code commune": lieux["commune_code"],
        "Département": lieux["departement_code"],
        "Types": lieux["types"].map(lambda t: ", ".join(TYPE_LABELS.get(v, v) for v in t)),
        "Labels": lieux["label_years"].map(
            lambda t: ", ".join(f"{LABEL_LABELS.get(x.split(':')[0], x)} {x.split(':')[1]}" for x in t)
        ),
        "Ouverture": lieux["opened_on"].map(fmt.day),
        "Fermeture": lieux["closed_on"].map(fmt.day),
        "Dernière attestation": lieux["last_attested"].map(fmt.day),
        "Statut": np.where(lieux["unconfirmed"], "Non confirmé", np.where(lieux["is_open"], "Ouvert", "Fermé")),
        "À vérifier": lieux["review_reason"].fillna(""),
        "Typologie": lieux["typology"].map(lambda t: TYPOLOGY_LABELS.get(t, "—")),
        "Placé par": lieux["placement"],
        "Source": lieux["source"],
        "Démo": lieux["is_demo"].map({True: "oui", False: "non"}),
    }
)
st.dataframe(table, hide_index=True, width="stretch", height=360)
# Built when clicked (Streamlit runs the callable then): the whole registry's CSV took a third of a second
# on every rerun of the page, for a button seldom used.
st.download_button(
    "Télécharger la sélection (CSV)",
    lambda frame=lieux: fmt.csv_bytes(import_formats.export_frame(frame)),
    "registre_tiers_lieux.csv",
    "text/csv",
    help="Colonnes du registre ; ce fichier se réimporte avec le format « csv ».",
)


def _form(key: str, current: dict | None) -> dict | None:
    """The lieu form; returns the submitted fields or None."""
    current = current or {}
    with st.form(key):
        name = st.text_input("Nom *", current.get("name") or "")
        x, y = st.columns(2)
        commune = x.text_input(
            "Code INSEE de la commune",
            current.get("commune_code") or "",
            help="Laissez vide pour placer le lieu d'après ses coordonnées.",
        )
        postal = y.text_input("Code postal", current.get("postal_code") or "")
        address = st.text_input("Adresse", current.get("address") or "")
        x, y = st.columns(2)
        lat = x.number_input("Latitude", value=current.get("lat"), format="%.5f", min_value=-90.0, max_value=90.0)
        lon = y.number_input("Longitude", value=current.get("lon"), format="%.5f", min_value=-180.0, max_value=180.0)
        types = st.multiselect(
            "Types",
            [t.value for t in LieuType],
            default=current.get("types") or [],
            format_func=TYPE_LABELS.get,
            placeholder="Choisir un ou plusieurs types",
        )
        years = current.get("labels") or {}
        cols = st.columns(3)
        labels = {}
        for col, lab in zip(cols, Label):
            year = col.number_input(
                f"{LABEL_LABELS[lab]} (année)", value=years.get(lab), min_value=2019, max_value=2100, step=1
            )
            if year:
                labels[lab.value] = int(year)
        x, y, z = st.columns(3)
        opened = x.date_input("Ouverture", value=current.get("opened_on"), format="DD/MM/YYYY")
        qpv = y.selectbox(
            "En QPV",
            ["", "oui", "non"],
            index={None: 0, True: 1, False: 2}.get(current.get("in_qpv"), 0),
            format_func=lambda v: v or "inconnu",
        )
        legal = z.text_input("Forme juridique", current.get("legal_form") or "")
        website = st.text_input("Site web", current.get("website") or "")
        comment = st.text_input("Commentaire (journal)")
        if not st.form_submit_button("Enregistrer", type="primary"):
            return None
    return {
        "name": name,
        "commune_code": commune or None,
        "postal_code": postal or None,
        "address": address or None,
        "lat": lat,
        "lon": lon,
        "types": types,
        "labels": labels,
        "opened_on": opened,
        "closed_on": current.get("closed_on"),
        "attested_on": current.get("attested_on"),
        "in_qpv": {"": None, "oui": True, "non": False}[qpv],
        "legal_form": legal or None,
        "website": website or None,
        "source": current.get("source") or "saisie",
        "source_id": current.get("source_id"),
        "_comment": comment or None,
    }


def _run(action, *args, **kwargs):
    try:
        result = action(db(), user, *args, **kwargs)
    except (writes.LieuError, AccessDenied) as error:
        st.error(markup.plain(error))
        return None
    clear_caches()
    return result or True


if writes.can_edit(user):
    st.header("Modifier le registre")
    st.caption(
        "Équipe nationale : partout. Coordinateurs : dans leur région. Chaque modification est "
        "journalisée et recalcule les indicateurs du registre."
    )
    new_tab, edit_tab, import_tab = st.tabs(["Nouveau lieu", "Modifier ou fermer", "Importer un fichier"])
    with new_tab:
        data = _form("new_lieu", None)
        if data:
            comment = data.pop("_comment")
            done = _run(writes.create, data, comment=comment)
            if done:
                st.success(
                    f"« {markup.plain(done.name)} » ajouté ({done.commune_code}, placé par "
                    f"{RULE_LABELS.get(done.placement_rule, done.placement_rule)})."
                )
                if done.review_reason:
                    st.warning(f"À vérifier : {done.review_reason}.")
    with edit_tab:
        if lieux.empty:
            st.info("Aucun lieu dans la sélection : ajustez les filtres.")
        else:
            choices = dict(zip(lieux["id"], lieux["name"] + " — " + lieux["commune_name"].fillna("?")))
            chosen = st.selectbox("Lieu", list(choices)[:2000], format_func=choices.get)
            current = service.get(db(), chosen)
            if current is not None:
                if st.session_state.get("lieu_read", (None,))[0] != chosen:
                    st.session_state["lieu_read"] = (chosen, current.version)
                version = st.session_state["lieu_read"][1]
                data = _form(f"edit_{chosen}", current.model_dump())
                if data:
                    comment = data.pop("_comment")
                    if updated := _run(writes.update, chosen, data, version, comment=comment):
                        st.session_state.pop("lieu_read", None)
                        st.success("Modification enregistrée.")
                        if getattr(updated, "review_reason", None):
                            st.warning(f"À vérifier : {updated.review_reason}.")
                x, y = st.columns(2)
                with x.form(f"close_{chosen}"):
                    closed = st.date_input("Date de fermeture", value=date.today(), format="DD/MM/YYYY")
                    if st.form_submit_button("Fermer ce lieu") and _run(writes.close, chosen, version, closed):
                        st.session_state.pop("lieu_read", None)
                        st.success("Fermeture enregistrée.")
                with y.form(f"delete_{chosen}"):
                    sure = st.checkbox("Ce lieu a été saisi par erreur (un lieu fermé se ferme, il ne se supprime pas)")
                    if st.form_submit_button("Supprimer") and sure and _run(writes.delete, chosen, version):
                        st.session_state.pop("lieu_read", None)
                        st.success("Lieu supprimé.")
    with import_tab:
        fmt_choice = st.radio(
            "Format",
            import_formats.FORMATS,
            horizontal=True,
            key="lieux_import_format",
            format_func={
                "cget2019": "Recensement CGET 2019 (CGET_TiersLieux_2019.csv)",
                "csv": "CSV du registre (colonnes de l'export)",
            }.get,
        )
        if fmt_choice == "csv":
            st.download_button(
                "Schéma du fichier (Table Schema)",
                lieux_contract.schema_bytes(),
                lieux_contract.FILENAME,
                lieux_contract.MEDIA_TYPE,
                key="lieux_schema",
                help="Les colonnes du format csv en JSON (Frictionless Table Schema), celles que l'import vérifie ; "
                "aussi à l'adresse /api/v1/schemas/lieux.json de l'API.",
            )
        upload = st.file_uploader("Fichier CSV", type=["csv", "txt"])
        st.caption(
            "Les colonnes CONTACT et MAIL du recensement ne sont jamais enregistrées. L'import est tout "
            "ou rien ; le réimporter ne change rien."
        )
        x, y = st.columns(2)
        check, commit = x.button("Vérifier (sans écrire)"), y.button("Importer", type="primary")
        if upload is not None and (check or commit):
            try:
                report = imports.run(db(), upload.getvalue(), fmt_choice, user, dry_run=check, file_name=upload.name)
            except (import_formats.ImportFileError, AccessDenied, writes.LieuError) as error:
                st.error(markup.plain(error))
            else:
                if report.committed:
                    clear_caches()
                if report.errors:
                    st.error(f"{len(report.errors)} ligne(s) en erreur : rien n'a été importé.")
                    st.dataframe(
                        pd.DataFrame(report.errors).rename(columns={"line": "Ligne", "message": "Erreur"}),
                        hide_index=True,
                        width="stretch",
                    )
                verb = "importés" if report.committed else "à importer"
                st.success(
                    f"{report.rows} lignes lues : {report.created} lieux créés, {report.updated} modifiés, "
                    f"{report.unchanged} inchangés ({verb})."
                )
                if report.placed:
                    placed = pd.DataFrame(report.placed)
                    placed["rule"] = placed["rule"].map(lambda r: RULE_LABELS.get(r, r))
                    st.dataframe(
                        placed.rename(
                            columns={"line": "Ligne", "name": "Nom", "commune_code": "Commune", "rule": "Placé par"}
                        ),
                        hide_index=True,
                        width="stretch",
                    )
                if report.review:
                    st.warning(f"{len(report.review)} lieu(x) placé(s) mais à vérifier :")
                    st.dataframe(
                        pd.DataFrame(report.review).rename(
                            columns={"line": "Ligne", "name": "Nom", "commune_code": "Commune", "reason": "À vérifier"}
                        ),
                        hide_index=True,
                        width="stretch",
                    )
                if report.unplaced:
                    st.warning(f"{len(report.unplaced)} ligne(s) non placée(s), laissées de côté :")
                    st.dataframe(
                        pd.DataFrame(report.unplaced).rename(
                            columns={"line": "Ligne", "name": "Nom", "reason": "Pourquoi"}
                        ),
                        hide_index=True,
                        width="stretch",
                    )
