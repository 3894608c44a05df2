"""Saisie, file import: upload, preview every faulty line, then commit all or nothing."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from indicators import contract, exports, import_files, imports, review, rules
from ui import markup
from ui.context import clear_caches
from ui.saisie_parts import KINDS, SaisiePage, number

state = st.session_state


def import_section(page: SaisiePage) -> None:
    """Upload a file, preview every faulty line, then commit all or nothing."""
    st.markdown(
        "Format long : `indicateur ; territoire ; periode ; valeur` (ou `numerateur ; denominateur`), "
        "et au choix `niveau`, `type` (realise, cible, reference), `source`, `commentaire`. "
        "Format large : `indicateur ; territoire` puis une colonne par période. CSV (; , ou tabulation) "
        f"ou XLSX, {import_files.MAX_BYTES // 1024 // 1024} Mo au plus."
    )
    template, schema = st.columns(2)
    template.download_button(
        "Télécharger un modèle (CSV)",
        exports.to_bytes(contract.TEMPLATE, "csv"),
        "modele_valeurs.csv",
        "text/csv",
        key="import_template",
    )
    schema.download_button(
        "Schéma du fichier (Table Schema)",
        contract.schema_bytes(),
        contract.FILENAME,
        contract.MEDIA_TYPE,
        key="import_schema",
        help="Le format des colonnes en JSON (Frictionless Table Schema), celui que l'import vérifie ; "
        "aussi à l'adresse /api/v1/schemas/values.json de l'API.",
    )
    upload = st.file_uploader("Fichier de valeurs", type=["csv", "txt", "tsv", "xlsx"], key="import_file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if state.get("import_digest") != digest:
        bar = st.progress(0.0, "Vérification…")
        state["import_report"] = imports.import_values(
            page.database, page.user, data, upload.name, dry_run=True, progress=bar.progress
        )
        state["import_digest"] = digest
        state.pop("import_done", None)
        bar.empty()
    report: imports.ImportReport = state["import_report"]
    if state.get("import_done"):
        kind, text = state["import_done"]
        getattr(st, kind)(text)
        return
    if not report.errors.empty:
        st.error(
            f"**{len(report.errors)} problème(s) dans {markup.plain(upload.name)}** : rien n'a été importé. "
            "Corrigez le fichier puis déposez-le de nouveau."
        )
        st.dataframe(
            report.errors.rename(columns={"line": "Ligne", "column": "Colonne", "message": "Problème"}).assign(
                Ligne=lambda f: f["Ligne"].map(lambda n: str(n) if n else "—")
            ),
            hide_index=True,
            width="stretch",
        )
        return
    result = report.result
    st.success(
        f"{report.lines} ligne(s) lue(s) (format {report.layout}) : {result.inserted} nouvelle(s) "
        f"valeur(s), {result.updated} modifiée(s), {result.unchanged} inchangée(s)."
    )
    if result.changed == 0:
        st.info("Ce fichier ne change rien : toutes ses valeurs sont déjà enregistrées.")
        return
    warned = not report.warnings.empty
    if warned:
        st.warning(
            f"**{len(report.warnings)} valeur(s) inhabituelle(s)** (voir les règles de contrôle de chaque "
            "indicateur, page Plan d'action) : vérifiez-les. Si elles sont justes, confirmez et expliquez-les "
            "dans un commentaire ; sinon corrigez le fichier et déposez-le de nouveau."
        )
        st.dataframe(
            report.warnings.rename(columns={"line": "Ligne", "column": "Colonne", "message": "Alerte"}),
            hide_index=True,
            width="stretch",
        )
        confirmed = st.checkbox("Je confirme ces valeurs", key="import_confirm")
        comment = st.text_input(
            "Commentaire (obligatoire pour confirmer, gardé au journal de chaque valeur du fichier)",
            key="import_comment",
            max_chars=rules.MAX_COMMENT,
        )
    else:
        confirmed, comment = False, ""
    preview = result.preview.head(500)
    st.dataframe(
        pd.DataFrame(
            {
                "Ligne": preview["line"],
                "Indicateur": preview["indicator_code"],
                "Territoire": preview["territory_name"],
                "Période": preview["period"],
                "Type": preview["kind"].map(KINDS),
                "Avant": preview["old_value"].map(number),
                "Après": preview["value"].map(number),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    blocked = warned and not (confirmed and comment.strip())
    if blocked:
        st.caption("Cochez la confirmation et écrivez un commentaire pour importer ce fichier.")
    if st.button(f"Importer {result.changed} valeur(s)", type="primary", key="import_commit", disabled=blocked):
        bar = st.progress(0.0, "Import…")
        final = imports.import_values(
            page.database,
            page.user,
            data,
            upload.name,
            dry_run=False,
            read_versions=result.versions,
            progress=bar.progress,
            confirm=confirmed,
            comment=comment,
        )
        if final.errors.empty and final.result.conflicts.empty and final.written:
            clear_caches()
            state["import_done"] = (
                "success",
                f"Import terminé : {final.result.changed} valeur(s) enregistrée(s)."
                + review.submitted_text(final.result.submitted),
            )
        elif not final.result.conflicts.empty:
            state["import_done"] = (
                "error",
                (
                    f"{len(final.result.conflicts)} valeur(s) ont été modifiées par "
                    "quelqu'un d'autre depuis la vérification : rien n'a été importé. "
                    "Déposez le fichier de nouveau pour revoir l'aperçu."
                ),
            )
            state.pop("import_digest", None)
        elif final.result.unconfirmed:
            state["import_done"] = ("error", final.result.unconfirmed)
            state.pop("import_digest", None)
        else:
            state["import_done"] = ("error", "Rien n'a été importé : " + "; ".join(final.errors["message"].head(5)))
        st.rerun()


# ------------------------------------------------------------------------------------ history
