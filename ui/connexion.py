"""Connexion: ProConnect (when configured), or the link to the form of a Carrefours account."""

from html import escape
from urllib.parse import urlencode

import streamlit as st

from accounts import landing, service
from accounts.passwords import RULES_FR
from ui import session
from ui.context import db

SIGN_IN_FORM = "/connexion/compte"  # web/sign_in.py serves it
PROCONNECT_START = "/connexion/proconnect"  # web/proconnect_landing.py keeps the deep link, then comes back here
BUTTON_STYLE = (
    "display:inline-block;padding:.5rem 1rem;border-radius:.5rem;background:#000091;color:#fff;text-decoration:none"
)


def link_button(label: str, path: str, wanted: str | None) -> None:
    """A same-tab link drawn as a button, carrying the deep link that led here (a page run cannot set cookies)."""
    url = path + (f"?{urlencode({landing.PARAMETER: wanted})}" if wanted else "")
    st.html(f'<p><a href="{escape(url, quote=True)}" style="{BUTTON_STYLE}">{escape(label)}</a></p>')


st.title("Connexion")
st.caption("Les chiffres publiés se consultent sans compte. La connexion sert à saisir, piloter ou administrer.")

# Both ways in are plain links to server routes: the password form's post sets the HttpOnly session cookie,
# the ProConnect route keeps the deep link in a cookie across the provider; a page run can do neither.
wanted = landing.local_path(st.query_params.get(landing.PARAMETER))
if session.oidc_configured():
    if st.query_params.get("proconnect") == "1":  # back from PROCONNECT_START: off to the provider
        st.login()
    st.subheader("Agents publics")
    link_button(session.OIDC_LABEL, PROCONNECT_START, wanted)
    st.subheader("Compte Carrefours")

link_button("Se connecter avec un compte Carrefours", SIGN_IN_FORM, wanted)
st.caption(
    f"Mot de passe oublié ? Un administrateur peut vous en donner un nouveau. Règles d'un mot de passe : {RULES_FR}"
)

demo = service.demo_accounts(db())
if demo:
    with st.expander("Comptes de démonstration"):
        st.write("Cette base de démonstration contient un compte par rôle (mots de passe publics) :")
        st.dataframe(demo, hide_index=True)
