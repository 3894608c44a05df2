"""Mon compte: who I am, what I may do, my reminders, my session, my password, my API tokens."""

import pandas as pd
import streamlit as st

from accounts import models, policy, proconnect_claims, service, tokens
from accounts.passwords import RULES_FR
from accounts.settings import access_settings
from formatting import french as fmt
from notifications import service as reminders
from ui import markup, session
from ui.context import db, require_roles

user = require_roles("admin", "ministere", "coordinateur", "elu")
st.title("Mon compte")
st.markdown(f"**{markup.plain(user.name or user.email)}** — {markup.plain(user.email)}")
if user.is_demo:
    st.warning("Compte de **démonstration** : son mot de passe est public.", icon=":material/science:")
organisation = proconnect_claims.kept(db(), user.email)
if organisation is not None:  # vouched for by ProConnect (ID token or verified userinfo)
    st.markdown(
        "Organisation : "
        + markup.plain(organisation.name or "—")
        + (f" (SIRET {markup.plain(organisation.siret)})" if organisation.siret else "")
    )
st.subheader("Rôles et territoires")
for line in service.describe_scopes(db(), user):
    st.markdown(f"- {markup.plain(line)}")

st.subheader("Rappels")
mine_reminders = reminders.mine(db(), user)
if mine_reminders.empty:
    st.caption("Aucun rappel pour l'instant : ce qui est dû dans votre périmètre vous sera signalé ici.")
for row in mine_reminders.itertuples():
    if not pd.isna(row.sent_at):
        state = f"Envoyé par e-mail le {fmt.moment(row.sent_at)}."
    elif isinstance(row.error, str) and row.error:
        state = f"Conservé ici : {row.error}"
    else:
        state = "Conservé ici (pas d'envoi par e-mail)."
    with st.expander(f"{fmt.moment(row.created_at)} — {markup.plain(row.subject)}"):
        st.caption(markup.plain(state))
        st.text(row.body)

settings = access_settings()
st.caption(
    f"Une session dure au plus {settings.session_absolute.total_seconds() / 3600:g} h et se ferme "
    f"après {settings.session_idle.total_seconds() / 60:g} minutes sans activité."
)
clock = st.session_state.get(session.CLOCK)
if clock is not None and clock.method in ("local", "oidc"):
    st.caption(f"Connecté depuis le {fmt.moment(clock.started)} (heure de Paris).")

if service.has_local_password(db(), user):
    st.subheader("Changer de mot de passe")
    st.caption(RULES_FR)
    with st.form("password", clear_on_submit=True):
        current = st.text_input("Mot de passe actuel", type="password", autocomplete="current-password")
        new = st.text_input("Nouveau mot de passe", type="password", autocomplete="new-password")
        confirm = st.text_input("Nouveau mot de passe (confirmation)", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Changer le mot de passe")
    if submitted:
        try:
            service.change_own_password(db(), user, current, new, confirm)
        except (models.AccountError, policy.AccessDenied) as error:
            st.error(markup.plain(error), icon=":material/block:")
        else:
            st.success("Mot de passe changé.", icon=":material/check_circle:")
else:
    st.caption("Ce compte se connecte par ProConnect : pas de mot de passe Carrefours.")

st.subheader("Jetons d'accès à l'API")
st.caption(
    "Un jeton permet à un script ou à la ligne de commande (`--server`) d'agir en votre nom, avec "
    "exactement vos droits, jusqu'à son expiration ou sa révocation. Il n'est affiché qu'une fois."
)
with st.form("api_token", clear_on_submit=True):
    token_name = st.text_input("Nom du jeton", max_chars=tokens.MAX_NAME, placeholder="script régional")
    token_days = st.number_input("Valable (jours)", min_value=1, max_value=tokens.MAX_DAYS, value=tokens.DEFAULT_DAYS)
    create_token = st.form_submit_button("Créer un jeton")
if create_token:
    try:
        token_id, secret = tokens.create(db(), user, token_name, int(token_days))
    except tokens.TokenError as error:
        st.error(markup.plain(error), icon=":material/block:")
    else:
        st.success(f"Jeton {token_id} créé. Copiez-le maintenant : il ne sera plus affiché.", icon=":material/key:")
        st.code(secret, language=None)
mine = tokens.listing(db(), user)
for row in mine.itertuples():
    revoked = not pd.isna(row.revoked_at)
    state = ("révoqué le " + fmt.moment(row.revoked_at)) if revoked else "expire le " + fmt.moment(row.expires_at)
    left, right = st.columns([4, 1])
    left.markdown(f"**{markup.plain(row.name)}** ({row.id}) — {state}")
    if not revoked:
        if right.button("Révoquer", key=f"revoke_{row.id}"):
            tokens.revoke(db(), user, row.id)
            st.rerun()

session.sign_out_control("sign_out_page")
