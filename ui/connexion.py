"""Connexion: ProConnect (when configured), or the link to the form of a Carrefours account."""

from html import escape
from urllib.parse import urlencode

import streamlit as st

from accounts import landing, service
from accounts.passwords import RULES_FR
from ui import session
from ui.context import db

SIGN_IN_FORM = "/connexion/compte"  # web/sign_in.py serves it

st.title("Connexion")
st.caption("Les chiffres publiés se consultent sans compte. La connexion sert à saisir, piloter ou administrer.")

if session.oidc_configured():
    st.subheader("Agents publics")
    if st.button(session.OIDC_LABEL, type="primary", icon=":material/badge:"):
        st.login()
    st.subheader("Compte Carrefours")

# The password form is a plain HTML page of the server: its post sets the HttpOnly session cookie,
# which a page run (a WebSocket message) cannot do. A local deep link that led here goes along with it.
wanted = landing.local_path(st.query_params.get(landing.PARAMETER))
form_url = SIGN_IN_FORM + (f"?{urlencode({landing.PARAMETER: wanted})}" if wanted else "")
st.html(
    f'<p><a href="{escape(form_url, quote=True)}" style="display:inline-block;padding:.5rem 1rem;border-radius:.5rem;'
    'background:#000091;color:#fff;text-decoration:none">Se connecter avec un compte Carrefours</a></p>'
)
st.caption(
    f"Mot de passe oublié ? Un administrateur peut vous en donner un nouveau. Règles d'un mot de passe : {RULES_FR}"
)

demo = service.demo_accounts(db())
if demo:
    with st.expander("Comptes de démonstration"):
        st.write("Cette base de démonstration contient un compte par rôle (mots de passe publics) :")
        st.dataframe(demo, hide_index=True)
