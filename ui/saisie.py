"""Saisie: coordinators enter, import, trace and undo indicator values (write path: indicators.service)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from accounts import policy
from accounts.models import Role
from accounts.policy import AccessDenied
from indicators import exports, imports, service
from indicators.periods import PeriodError, parse_period
from territories.levels import FRANCE, code_of, territory_id
from ui import fmt
from ui.context import clear_caches, db, require_roles
from ui.links import preset

EDITOR = "saisie_grille"
LEVELS = {"departement": "Départements", "epci": "EPCI", "commune": "Communes", "region": "La région elle-même"}
KINDS = {"actual": "Réalisé", "target": "Cible", "baseline": "Référence"}
HOW_FR = {"saisie": "saisie", "import": "import", "correction": "correction", "annulation": "annulation",
          "suppression": "suppression", "seed": "chargement initial"}

st.title("Saisie des indicateurs")
# Navigation already hides this page from other roles; the page checks again (a deep link, a stale menu).
user = require_roles(Role.coordinateur, Role.ministere)

database = db()
regions = service.entry_regions(database, user)
if regions.empty:
    st.warning("Votre compte n'est rattaché à aucune région : demandez à l'administrateur de vous en attribuer une.")
    st.stop()
indicators = service.typed_indicators(database)
names = dict(zip(indicators["code"], indicators["name"]))
state = st.session_state
state.setdefault("saisie_gen", 0)
# A "Saisir" link (Complétude, Alertes) opens the grid on its région, indicator and period.
preset({"region": ("saisie_region", set(regions["code"])), "indicateur": ("saisie_indicator", set(indicators["code"])),
        "periode": ("saisie_period", None)})


def _number(value) -> str:
    return fmt.number(value, 2).removesuffix(",00") if pd.notna(value) else "—"


def _region_label(code: str) -> str:
    return regions.set_index("code").at[code, "name"]


def _period(text: str) -> str | None:
    try:
        return parse_period(text).code
    except PeriodError as error:
        st.error(f"Période illisible : {fmt.plain(error)}.")
        return None


# ------------------------------------------------------------------------------------ entry grid


def _grid_key(params: dict) -> tuple:
    return tuple(sorted(params.items()))


def _served(params: dict) -> pd.DataFrame:
    """The rows served for these choices, kept until a save or a reload so edits diff against them."""
    key = _grid_key(params)
    if state.get("saisie_served_key") != key:
        state["saisie_served"] = service.entry_grid(database, user, **params)
        state["saisie_served_key"] = key
        state["saisie_gen"] += 1
    return state["saisie_served"]


def _reload() -> None:
    state.pop("saisie_served_key", None)
    state.pop("saisie_conflicts", None)


def _edited(served: pd.DataFrame) -> pd.DataFrame:
    """The served rows with the client's edits of Valeur and Commentaire only (anything else is ignored)."""
    edited = served[["value", "comment"]].copy().astype({"value": "object", "comment": "object"})
    delta = state.get(f"{EDITOR}_{state['saisie_gen']}") or {}
    rows = delta.get("edited_rows") if isinstance(delta, dict) else None
    for row, cells in (rows if isinstance(rows, dict) else {}).items():  # a forged payload may send anything
        try:
            position = int(row)
        except (TypeError, ValueError):
            continue
        if not 0 <= position < len(served) or not isinstance(cells, dict):
            continue
        for column, field in (("Valeur", "value"), ("Commentaire", "comment")):
            if column in cells:
                edited.iat[position, edited.columns.get_loc(field)] = cells[column]
    return edited.assign(value=_read_numbers(edited["value"]))


def _read_numbers(values: pd.Series) -> pd.Series:
    """Cells typed the French way ('1 234,5', '12,5 €') as numbers; unreadable text kept for the message."""
    # Anything but text or a plausible number (a forged true, list, 400-digit integer) goes on as sent,
    # for the service to explain.
    plain = values.map(lambda v: isinstance(v, str) or v is None or (
        isinstance(v, (int, float)) and not isinstance(v, bool) and (v != v or abs(v) <= service.MAX_ABS)))
    typed = pd.Series([v if isinstance(v, str) else (fmt.editable(v) if ok and v is not None else "")
                       for v, ok in zip(values, plain)], index=values.index, dtype="object")
    numbers, bad = imports.parse_numbers(typed)
    return pd.Series([raw if wrong or not ok else (None if pd.isna(n) else float(n))
                      for raw, n, wrong, ok in zip(values, numbers, bad, plain)], index=values.index, dtype="object")


def _editor(shown: pd.DataFrame) -> None:
    """The entry grid: only Valeur and Commentaire are editable."""
    st.data_editor(
        shown, key=f"{EDITOR}_{state['saisie_gen']}", hide_index=True, num_rows="fixed", width="stretch",
        disabled=["Territoire", "Code", "Indicateur", "Précédente", "Cible"],
        column_config={
            "Précédente": st.column_config.TextColumn("Période précédente", help="valeur de la période précédente"),
            "Cible": st.column_config.TextColumn("Cible", help="dernière cible connue"),
            "Valeur": st.column_config.TextColumn(
                "Valeur", help="en français : 1 234,5 (espaces, virgule, « % » ou « € » acceptés) ; "
                "videz la cellule pour supprimer la valeur"),
            "Commentaire": st.column_config.TextColumn("Commentaire", max_chars=service.MAX_COMMENT),
        })


def _save() -> None:
    served = state["saisie_served"]
    changes, problems = service.grid_changes(served, _edited(served))
    state.pop("saisie_conflicts", None)
    if not problems.empty:
        state["saisie_message"] = ("error", "Rien n'a été enregistré. Corrigez ces cellules :",
                                   problems.rename(columns={"name": "Territoire", "column": "Colonne",
                                                            "message": "Problème"})[["Territoire", "Colonne", "Problème"]])
        return
    if not changes:
        state["saisie_message"] = ("info", "Aucune modification à enregistrer.", None)
        return
    try:
        result = service.apply(database, user, changes, how="saisie", on_conflict="skip")
    except AccessDenied as error:
        state["saisie_message"] = ("error", fmt.plain(error), None)
        return
    _report(result, changes)


def _report(result: service.WriteResult, changes: list) -> None:
    if not result.errors.empty:
        served = state.get("saisie_served", pd.DataFrame(columns=["territory_id", "name"]))
        label = dict(zip(served["territory_id"], served["name"]))
        rows = result.errors.assign(Territoire=[label.get(changes[int(p)].territory_id, changes[int(p)].territory_id)
                                                + " — " + changes[int(p)].indicator_code for p in result.errors["pos"]])
        state["saisie_message"] = ("error", "Rien n'a été enregistré. Corrigez ces cellules :",
                                   rows.rename(columns={"column": "Colonne", "message": "Problème"})[
                                       ["Territoire", "Colonne", "Problème"]])
        return
    if result.written:
        clear_caches()
        state.pop("saisie_served_key", None)  # reload: new versions
    if not result.conflicts.empty:
        state["saisie_conflicts"] = result.conflicts
    saved = result.changed
    state["saisie_message"] = ("success", f"{saved} valeur(s) enregistrée(s).", None) if saved else (
        "info", "Aucune valeur enregistrée.", None)


def _overwrite() -> None:
    conflicts = state.pop("saisie_conflicts")
    changes = service.change_from_conflicts(conflicts)
    result = service.apply(database, user, changes, how="correction", on_conflict="skip")
    _report(result, changes)


def entry_section() -> None:
    """Pick a region, period and indicator (or a territory); edit values and comments; save all or nothing."""
    c1, c2, c3, c4 = st.columns(4)
    region = c1.selectbox("Région", regions["code"], format_func=_region_label, key="saisie_region")
    period_text = c2.text_input("Période", value="2025", key="saisie_period",
                                help="2024, 2024Q3 ou T3 2024, 2024-09 ou 09/2024")
    kind = c3.selectbox("Type", list(KINDS), format_func=KINDS.get, key="saisie_kind")
    mode = c4.radio("Saisir", ["indicateur", "territoire"], key="saisie_mode", horizontal=True,
                    format_func={"indicateur": "par indicateur", "territoire": "par territoire"}.get)
    period = _period(period_text)
    if period is None:
        return
    params = {"period": period, "kind": kind, "region_code": region}
    if mode == "indicateur":
        a, b = st.columns(2)
        params["indicator"] = a.selectbox("Indicateur", indicators["code"], key="saisie_indicator",
                                          format_func=lambda c: f"{c} — {names[c]}")
        params["level"] = b.selectbox("Territoires", list(LEVELS), format_func=LEVELS.get, key="saisie_level")
    else:
        a, b = st.columns(2)
        level = a.selectbox("Niveau", list(LEVELS), format_func=LEVELS.get, key="saisie_tlevel")
        choices = service.region_territories(database, region, level)
        if choices.empty:
            st.info("Aucun territoire de ce niveau dans la région.")
            return
        params["territory_id"] = b.selectbox("Territoire", choices["id"], key="saisie_territory",
                                             format_func=dict(zip(choices["id"], choices["name"])).get)
    served = _served(params)
    if served.empty:
        st.info("Aucun territoire de votre périmètre pour ce choix.")
        return
    # Every number is French text and every empty cell empty: a NumberColumn shows 1234.5 and "None".
    shown = pd.DataFrame({
        "Territoire": served["name"], "Code": served["code"],
        "Indicateur": served["indicator_code"],
        "Précédente": served["previous"].map(fmt.editable), "Cible": served["target"].map(fmt.editable),
        "Valeur": served["value"].map(fmt.editable),
        "Commentaire": served["comment"].astype("object").where(served["comment"].notna(), ""),
    })
    if bool(served["is_demo"].any()):
        st.caption(":material/science: Certaines valeurs affichées sont des données de démonstration.")
    try:
        _editor(shown)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        # A forged client payload (edited_rows as a list, say) breaks Streamlit's own data_editor before
        # any of our code reads it: drop that widget state and draw a fresh grid.
        state["saisie_gen"] += 1
        st.error("La grille a reçu des modifications illisibles : elles ont été ignorées et rien n'a été "
                 "enregistré. Saisissez à nouveau vos valeurs.")
        _editor(shown)
    b1, b2 = st.columns([1, 4])
    b1.button("Enregistrer", type="primary", on_click=_save, key="saisie_save")
    b2.button("Recharger", on_click=_reload, key="saisie_reload",
              help="abandonner vos modifications et relire les valeurs enregistrées")
    message = state.pop("saisie_message", None)
    if message:
        level, text, table = message
        getattr(st, level)(text)
        if table is not None:
            st.dataframe(table, hide_index=True, width="stretch")
    conflicts = state.get("saisie_conflicts")
    if conflicts is not None and not conflicts.empty:
        st.warning(f"**{len(conflicts)} valeur(s) modifiée(s) par quelqu'un d'autre depuis que vous les avez "
                   "chargées** : elles n'ont pas été enregistrées. Comparez, puis rechargez ou écrasez en "
                   "connaissance de cause.")
        st.dataframe(pd.DataFrame({
            "Territoire": conflicts["territory_name"], "Indicateur": conflicts["indicator_code"],
            "Période": conflicts["period"],
            "Votre valeur": [("(suppression)" if d else _number(v)) for v, d in
                             zip(conflicts["your_value"], conflicts["delete"])],
            "Valeur enregistrée": conflicts["their_value"].map(_number),
            "Modifiée par": conflicts["their_updated_by"].map(fmt.actor),
            "Le": conflicts["their_updated_at"].map(fmt.moment),
        }), hide_index=True, width="stretch")
        c1, c2 = st.columns(2)
        c1.button("Recharger les valeurs enregistrées", on_click=_reload, key="saisie_conflict_reload")
        c2.button("Écraser avec mes valeurs", on_click=_overwrite, key="saisie_conflict_overwrite")


# ------------------------------------------------------------------------------------ imports


def import_section() -> None:
    """Upload a file, preview every faulty line, then commit all or nothing."""
    st.markdown("Format long : `indicateur ; territoire ; periode ; valeur` (ou `numerateur ; denominateur`), "
                "et au choix `niveau`, `type` (realise, cible, reference), `source`, `commentaire`. "
                "Format large : `indicateur ; territoire` puis une colonne par période. CSV (; , ou tabulation) "
                f"ou XLSX, {imports.MAX_BYTES // 1024 // 1024} Mo au plus.")
    template = pd.DataFrame({"indicateur": ["EMPLOIS_DIRECTS"], "territoire": ["77475"], "periode": ["2025"],
                             "valeur": ["12"], "type": ["realise"], "source": [""], "commentaire": [""]})
    st.download_button("Télécharger un modèle (CSV)", exports.to_bytes(template, "csv"), "modele_valeurs.csv",
                       "text/csv", key="import_template")
    upload = st.file_uploader("Fichier de valeurs", type=["csv", "txt", "tsv", "xlsx"], key="import_file")
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if state.get("import_digest") != digest:
        bar = st.progress(0.0, "Vérification…")
        state["import_report"] = imports.import_values(database, user, data, upload.name, dry_run=True,
                                                       progress=lambda f, t: bar.progress(f, t))
        state["import_digest"] = digest
        state.pop("import_done", None)
        bar.empty()
    report: imports.ImportReport = state["import_report"]
    if state.get("import_done"):
        kind, text = state["import_done"]
        getattr(st, kind)(text)
        return
    if not report.errors.empty:
        st.error(f"**{len(report.errors)} problème(s) dans {fmt.plain(upload.name)}** : rien n'a été importé. "
                 "Corrigez le fichier puis déposez-le de nouveau.")
        st.dataframe(report.errors.rename(columns={"line": "Ligne", "column": "Colonne", "message": "Problème"})
                     .assign(Ligne=lambda f: f["Ligne"].map(lambda n: str(n) if n else "—")),
                     hide_index=True, width="stretch")
        return
    result = report.result
    st.success(f"{report.lines} ligne(s) lue(s) (format {report.layout}) : {result.inserted} nouvelle(s) "
               f"valeur(s), {result.updated} modifiée(s), {result.unchanged} inchangée(s).")
    if result.changed == 0:
        st.info("Ce fichier ne change rien : toutes ses valeurs sont déjà enregistrées.")
        return
    preview = result.preview.head(500)
    st.dataframe(pd.DataFrame({
        "Ligne": preview["line"], "Indicateur": preview["indicator_code"], "Territoire": preview["territory_name"],
        "Période": preview["period"], "Type": preview["kind"].map(KINDS),
        "Avant": preview["old_value"].map(_number), "Après": preview["value"].map(_number),
    }), hide_index=True, width="stretch")
    if st.button(f"Importer {result.changed} valeur(s)", type="primary", key="import_commit"):
        bar = st.progress(0.0, "Import…")
        final = imports.import_values(database, user, data, upload.name, dry_run=False,
                                      read_versions=result.versions, progress=lambda f, t: bar.progress(f, t))
        if final.errors.empty and final.result.conflicts.empty and final.written:
            clear_caches()
            state["import_done"] = ("success", f"Import terminé : {final.result.changed} valeur(s) enregistrée(s).")
        elif not final.result.conflicts.empty:
            state["import_done"] = ("error", f"{len(final.result.conflicts)} valeur(s) ont été modifiées par "
                                    "quelqu'un d'autre depuis la vérification : rien n'a été importé. "
                                    "Déposez le fichier de nouveau pour revoir l'aperçu.")
            state.pop("import_digest", None)
        else:
            state["import_done"] = ("error", "Rien n'a été importé : " + "; ".join(final.errors["message"].head(5)))
        st.rerun()


# ------------------------------------------------------------------------------------ history


def history_section() -> None:
    """The full history of one value, with undo of any change."""
    c1, c2, c3, c4 = st.columns(4)
    indicator = c1.selectbox("Indicateur", indicators["code"], key="hist_indicator",
                             format_func=lambda c: f"{c} — {names[c]}")
    code = c2.text_input("Territoire", key="hist_territory", placeholder="77475, DEP-77, REG-11")
    period_text = c3.text_input("Période", value="2025", key="hist_period")
    kind = c4.selectbox("Type", list(KINDS), format_func=KINDS.get, key="hist_kind")
    if not code.strip():
        st.caption("Indiquez un territoire pour voir l'historique de sa valeur.")
        return
    try:
        territory_id = imports.resolve_code(database, code)
    except ValueError as error:
        st.error(fmt.plain(error))
        return
    period = _period(period_text)
    if period is None:
        return
    data = service.history(database, indicator, territory_id, period, kind, user=user)
    current = data["current"]
    st.markdown(f"**Valeur actuelle** : {_number(current['value']) if current else 'aucune'}"
                + (f" (version {current['version']}, {fmt.plain(fmt.actor(current['updated_by']))})" if current else ""))
    entries = data["entries"]
    if entries.empty:
        st.info("Aucune modification enregistrée pour cette valeur.")
        return
    st.dataframe(pd.DataFrame({
        "N°": entries["id"], "Date": entries["created_at"].map(fmt.moment),
        "Auteur": entries["actor"].map(fmt.actor), "Origine": entries["how"].map(HOW_FR),
        "Avant": entries["old_value"].map(_number), "Après": entries["new_value"].map(_number),
        "Commentaire": entries["comment"],
    }), hide_index=True, width="stretch")
    target = st.selectbox("Modification à annuler", entries["id"].iloc[::-1], key="hist_revert_id",
                          format_func=lambda i: f"n° {i}")
    st.button("Annuler cette modification", key="hist_revert", on_click=_revert,
              args=(int(target), int(current["version"]) if current else 0))
    message = state.pop("hist_message", None)
    if message:
        getattr(st, message[0])(message[1])


def _revert(audit_id: int, read_version: int) -> None:
    """Undo one change before the page is drawn again, so the history and the value shown are fresh."""
    try:
        result = service.revert(database, user, audit_id, read_version=read_version)
    except (AccessDenied, ValueError) as error:
        state["hist_message"] = ("error", fmt.plain(error))
        return
    if result.written and result.ok:
        clear_caches()
        _reload()  # the entry grid diffs against fresh versions too
        state["hist_message"] = ("success", f"Modification n° {audit_id} annulée : la valeur d'avant est rétablie.")
    elif not result.conflicts.empty:
        state["hist_message"] = ("error", "La valeur a changé entre-temps : vérifiez l'historique ci-dessus "
                                 "avant d'annuler.")
    else:
        state["hist_message"] = ("error", "Annulation refusée : " + fmt.plain("; ".join(result.errors["message"])))


# ------------------------------------------------------------------------------------ exports and locks


def export_section() -> None:
    """Download values of the region (or France) as CSV, Excel or Parquet; every export is logged."""
    c1, c2, c3 = st.columns(3)
    indicator = c1.selectbox("Indicateur", ["*"] + indicators["code"].tolist(), key="exp_indicator",
                             format_func=lambda c: "Tous les indicateurs saisis" if c == "*" else c)
    scopes = [territory_id("region", c) for c in regions["code"]] + ([FRANCE] if Role.ministere in user.roles else [])
    territory = c2.selectbox("Territoire", scopes, key="exp_territory",
                             format_func=lambda t: "France entière" if t == FRANCE else _region_label(code_of(t)))
    fmt_choice = c3.selectbox("Format", exports.FORMATS, key="exp_format")
    if st.button("Préparer l'export", key="exp_prepare"):
        try:
            codes = indicators["code"].tolist() if indicator == "*" else [indicator]
            if indicator == "*":
                frame = exports.values_frame(database, user, None, territory)
                frame = frame[frame["indicateur"].isin(codes)]
                data = exports.to_bytes(frame, fmt_choice)
                exports.log_export(database, user, fmt_choice, None, territory, len(frame))
            else:
                data, _ = exports.export_values(database, user, fmt_choice, indicator, territory)
        except exports.ExportError as error:
            st.error(fmt.plain(error))
            return
        state["exp_file"] = (data, f"valeurs_{territory}.{fmt_choice}", exports.MEDIA_TYPES[fmt_choice])
    if "exp_file" in state:
        data, name, media = state["exp_file"]
        st.download_button(f"Télécharger {name}", data, name, media, key="exp_download")


def lock_section() -> None:
    """The national team closes and reopens periods per region."""
    c1, c2 = st.columns(2)
    region = c1.selectbox("Région", regions["code"], format_func=_region_label, key="lock_region")
    period_text = c2.text_input("Période", value="2024", key="lock_period")
    b1, b2 = st.columns(2)
    lock, unlock = b1.button("Verrouiller", key="lock_do"), b2.button("Rouvrir", key="lock_undo")
    if lock or unlock:
        try:
            (service.lock_period if lock else service.unlock_period)(database, user, region, period_text)
            st.success(f"Période {period_text} {'verrouillée' if lock else 'rouverte'} pour {_region_label(region)}.")
        except (AccessDenied, ValueError) as error:
            st.error(fmt.plain(error))
    locks = service.locks(database)
    if locks.empty:
        st.caption("Aucune période verrouillée.")
    else:
        st.dataframe(locks.rename(columns={"region_name": "Région", "period": "Période", "locked_by": "Par",
                                           "locked_at": "Le"})[["Région", "Période", "Par", "Le"]],
                     hide_index=True, width="stretch")


labels = ["Saisie", "Import", "Historique", "Exports"]
can_lock = policy.can_lock_periods(user)
if can_lock:
    labels.append("Verrouillage des périodes")
tabs = st.tabs(labels)
with tabs[0]:
    entry_section()
with tabs[1]:
    import_section()
with tabs[2]:
    history_section()
with tabs[3]:
    export_section()
if can_lock:
    with tabs[4]:
        lock_section()
