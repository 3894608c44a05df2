"""Connexion: ProConnect (when configured) or a Carrefours account with its password."""

import streamlit as st

from accounts import service
from accounts.passwords import RULES_FR
from ui import fmt, session
from ui.context import db
from ui.navigation import landing

st.title("Connexion")
st.caption("Les chiffres publiés se consultent sans compte. La connexion sert à saisir, piloter ou administrer.")

if session.oidc_configured():
    st.subheader("Agents publics")
    if st.button(session.OIDC_LABEL, type="primary", icon=":material/badge:"):
        st.login()
    st.subheader("Compte Carrefours")

with st.form("sign_in"):
    email = st.text_input("Adresse e-mail", autocomplete="username", placeholder="prenom.nom@exemple.fr")
    password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Se connecter", type="primary")

if submitted:
    try:
        user = service.authenticate(db(), email, password, session.client_address())
    except service.SignInRefused as refusal:
        st.error(fmt.plain(refusal), icon=":material/block:")
    else:
        session.start(user, "local")
        st.switch_page(landing(user))

st.caption("Mot de passe oublié ? Un administrateur peut vous en donner un nouveau. "
           f"Règles d'un mot de passe : {RULES_FR}")

demo = service.demo_accounts(db())
if demo:
    with st.expander("Comptes de démonstration"):
        st.write("Cette base de démonstration contient un compte par rôle (mots de passe publics) :")
        st.dataframe(demo, hide_index=True)
