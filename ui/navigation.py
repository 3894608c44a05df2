"""The page list, built per role: a page not listed for a role cannot be opened by it."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from accounts.landing import PARAMETER as AFTER_SIGN_IN
from accounts.models import ANONYMOUS, ROLE_LABELS, Role, User
from ui import markup

# The address of a page is its file name (/mesures, /territoire…), which AppTest relies on too.
PUBLIC = [
    ("ui/dashboard.py", "Tableau de bord national", ":material/dashboard:"),
    ("ui/mesures.py", "Plan d'action", ":material/account_tree:"),
    ("ui/territoire.py", "Mon territoire", ":material/location_city:"),
    ("ui/registre.py", "Registre des lieux", ":material/pin_drop:"),
    ("ui/couverture.py", "Couverture", ":material/radar:"),
    ("ui/donnees.py", "Données", ":material/database:"),
    ("ui/apropos.py", "À propos", ":material/info:"),
]
# Follow-up of the rollout: public, since readers only ever get published figures there.
FOLLOW_UP = [
    ("ui/alertes.py", "Alertes", ":material/notifications:"),
    ("ui/completude.py", "Complétude", ":material/fact_check:"),
]
WRITERS = [
    ("ui/saisie.py", "Saisie", ":material/edit_note:"),
]
# Pages of the national team only (ministere): plan editing, period locks…
NATIONAL: list[tuple[str, str, str]] = []
ADMIN = [
    ("ui/admin.py", "Administration", ":material/admin_panel_settings:"),
]
SIGN_IN = [("ui/connexion.py", "Connexion", ":material/login:")]
SIGNED_IN = [("ui/compte.py", "Mon compte", ":material/account_circle:")]


def _groups() -> list[tuple[list, set[Role] | None]]:
    """Each group of pages with the roles that may open it (None: everyone)."""
    return [
        (PUBLIC, None),
        (FOLLOW_UP, None),
        (WRITERS, {Role.coordinateur, Role.ministere}),
        (NATIONAL, {Role.ministere}),
        (ADMIN, {Role.admin}),
    ]


def page_specs(user: User) -> list[tuple[str, str, str]]:
    """The pages this user may open, in menu order (pure: used by tests and the refusal page)."""
    specs = []
    for group, roles in _groups():
        if roles is None or user.roles & roles:
            specs += group
    specs += SIGN_IN if user == ANONYMOUS else SIGNED_IN
    return specs


def landing(user: User) -> str:
    """The page a person lands on: an élu's own territory, everyone else the national dashboard."""
    if user.roles == {Role.elu}:
        return "ui/territoire.py"
    return PUBLIC[0][0]


def _url_path(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def who_may_open(url_path: str) -> tuple[str, set[Role]] | None:
    """The title of a restricted page and the roles allowed to open it, or None if not restricted."""
    for group, roles in _groups():
        for path, title, _ in group:
            if roles and _url_path(path) == url_path:
                return title, roles
    for path, title, _ in SIGNED_IN:
        if _url_path(path) == url_path:
            return title, set(Role) - {Role.lecteur}
    return None


def _requested_url_path() -> str | None:
    """The page the browser asked for (deep link), before st.navigation resolves it."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx().pages_manager.intended_page_name or None
    except Exception:  # internal API: without it, Streamlit's own "page not found" still refuses
        return None


def _refusal(url_path: str, title: str, roles: set[Role], user: User):
    """A hidden page at a forbidden address that says, in French, why it does not open."""

    def page():
        names = ", ".join(ROLE_LABELS[r] for r in sorted(roles))
        st.title("Accès refusé")
        if user == ANONYMOUS:
            st.error(
                f"La page « {title} » est réservée aux comptes : {names}. Connectez-vous pour l'ouvrir.",
                icon=":material/lock:",
            )
            # Carry the deep link (page and filters) through sign-in, so the person lands where they aimed.
            wanted = f"/{url_path}" + (f"?{urlencode(st.query_params.to_dict())}" if st.query_params else "")
            st.page_link(
                SIGN_IN[0][0], label="Se connecter", icon=":material/login:", query_params={AFTER_SIGN_IN: wanted}
            )
        else:
            st.error(
                f"La page « {title} » est réservée aux comptes : {names}. Votre compte ({markup.plain(user.email)}) "
                "ne permet pas de l'ouvrir.",
                icon=":material/lock:",
            )
        st.page_link(PUBLIC[0][0], label="Revenir au tableau de bord", icon=":material/dashboard:")

    return st.Page(page, title="Accès refusé", url_path=url_path, visibility="hidden")


def _page(spec, default: bool = False):
    path, title, icon = spec
    return st.Page(path, title=title, icon=icon, default=default)


def build_navigation(user: User | None = None):
    """The st.navigation object for the current visitor: only the pages their roles may open."""
    if user is None:
        from ui.context import current_user

        user = current_user()
    specs = page_specs(user)
    home = landing(user)
    pages = [_page(p, default=p[0] == home) for p in specs]
    requested = _requested_url_path()
    allowed = {_url_path(p[0]) for p in specs}
    restricted = who_may_open(requested) if requested and requested not in allowed else None
    if restricted:
        pages.append(_refusal(requested, *restricted, user))
    elif requested == _url_path(SIGN_IN[0][0]) and user != ANONYMOUS:
        pages.append(_already_signed_in(requested, user))
    return st.navigation(pages, expanded=True)  # every page listed: no English "View more"


def _already_signed_in(url_path: str, user: User):
    """The sign-in address opened by someone already signed in (a bookmark): say so instead of a 404."""

    def page():
        st.title("Connexion")
        st.info(f"Vous êtes déjà connecté avec le compte {markup.plain(user.email)}.", icon=":material/check_circle:")
        st.page_link(PUBLIC[0][0], label="Revenir au tableau de bord", icon=":material/dashboard:")

    return st.Page(page, title="Connexion", url_path=url_path, visibility="hidden")
