"""Administration: accounts, roles and territories (every change goes through accounts.admin)."""

import streamlit as st

from accounts import admin as accounts_admin
from accounts import models, policy
from accounts.models import ROLE_LABELS
from accounts.passwords import generate_password
from formatting import french as fmt
from ui import markup
from ui.context import db, require_roles

admin = require_roles("admin")
st.title("Administration des comptes")
ROLES = [r.value for r in accounts_admin.ASSIGNABLE]


def _scopes(role: str, territories: str) -> list:
    """Scopes from a role and comma-separated territories (REG-11, DEP-77, COM-77475…)."""
    codes = [c.strip() for c in territories.replace(";", ",").split(",") if c.strip()] or [None]
    return [accounts_admin.parse_scope(role, code) for code in codes]


def _done(message: str, password: str | None = None) -> None:
    st.session_state["admin_done"] = (message, password)


done = st.session_state.pop("admin_done", None)
if done:
    st.success(markup.plain(done[0]), icon=":material/check_circle:")
    if done[1]:
        st.write("Mot de passe à transmettre à la personne (il ne sera plus affiché) :")
        st.code(done[1], language=None)

accounts = accounts_admin.list_accounts(db(), admin)
table = accounts.assign(
    created_at=accounts["created_at"].map(fmt.day),
    last_sign_in_at=accounts["last_sign_in_at"].map(lambda v: fmt.day(v) if v == v and v is not None else "—"),
).rename(
    columns={
        "email": "E-mail",
        "name": "Nom",
        "scopes": "Rôles (rôle:territoire)",
        "active": "Actif",
        "is_demo": "Démo",
        "local_password": "Mot de passe local",
        "created_at": "Créé le",
        "last_sign_in_at": "Dernière connexion",
    }
)
st.dataframe(table, hide_index=True, width="stretch")
emails = accounts["email"].tolist()
role_help = ", ".join(f"{r} = {ROLE_LABELS[r]}" for r in ROLES)

create, roles, status, reset = st.tabs(["Créer un compte", "Rôles", "Activer / désactiver", "Mot de passe"])
with create:
    with st.form("create_account", clear_on_submit=False):
        email = st.text_input("Adresse e-mail")
        name = st.text_input("Nom affiché")
        role = st.selectbox("Rôle", ROLES, format_func=lambda r: ROLE_LABELS[r], help=role_help)
        territories = st.text_input(
            "Territoire(s)", placeholder="REG-11, DEP-77 ou COM-77475 (vide pour un rôle national)"
        )
        local = st.checkbox("Mot de passe Carrefours (sinon : connexion par ProConnect uniquement)", value=True)
        if st.form_submit_button("Créer le compte", type="primary"):
            try:
                password = generate_password() if local else None
                created = accounts_admin.create_account(db(), admin, email, name, _scopes(role, territories), password)
            except (models.AccountError, policy.AccessDenied) as error:
                st.error(markup.plain(error), icon=":material/block:")
            else:
                _done(f"Compte {created.email} créé.", password)
                st.rerun()

with roles:
    with st.form("set_role"):
        target = st.selectbox("Compte", emails, key="role_target")
        role = st.selectbox("Nouveau rôle", ROLES, format_func=lambda r: ROLE_LABELS[r], key="role_new")
        territories = st.text_input("Territoire(s)", key="role_territories", placeholder="REG-11, DEP-77…")
        if st.form_submit_button("Remplacer les rôles de ce compte"):
            try:
                accounts_admin.set_scopes(db(), admin, target, _scopes(role, territories))
            except (models.AccountError, policy.AccessDenied) as error:
                st.error(markup.plain(error), icon=":material/block:")
            else:
                _done(f"Rôles de {target} mis à jour.")
                st.rerun()

with status:
    with st.form("set_active"):
        target = st.selectbox("Compte", emails, key="active_target")
        active = st.radio("État", ["Actif", "Désactivé"], horizontal=True) == "Actif"
        if st.form_submit_button("Appliquer"):
            try:
                accounts_admin.set_active(db(), admin, target, active)
            except (models.AccountError, policy.AccessDenied) as error:
                st.error(markup.plain(error), icon=":material/block:")
            else:
                _done(f"Compte {target} {'réactivé' if active else 'désactivé'}.")
                st.rerun()

with reset:
    with st.form("reset_password"):
        target = st.selectbox("Compte", emails, key="reset_target")
        st.caption("Un nouveau mot de passe est tiré au hasard ; il lève aussi le blocage après trop d'essais.")
        if st.form_submit_button("Donner un nouveau mot de passe"):
            try:
                password = generate_password()
                accounts_admin.reset_password(db(), admin, target, password)
            except (models.AccountError, policy.AccessDenied) as error:
                st.error(markup.plain(error), icon=":material/block:")
            else:
                _done(f"Nouveau mot de passe pour {target}.", password)
                st.rerun()
