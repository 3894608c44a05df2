"""Local sign-in and sign-out over HTTP: the form, its post, the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts import landing, server_sessions, sign_in
from accounts.passwords import RULES_FR
from accounts.server_sessions import COOKIE
from accounts.settings import access_settings
from store.db import Database
from web import csrf
from web.requests import address, is_https, same_origin

FORM_PATH = "/connexion/compte"
SIGN_OUT_PATH = "/deconnexion"
SIGNED_OUT = "/?deconnexion=ok"
UNAVAILABLE = "La base de données Carrefours est en cours de préparation : réessayez dans quelques instants."
CROSS_SITE = (
    "Ce formulaire n'a pas été envoyé depuis une page de Carrefours, ou il a expiré. Rechargez la page "
    "de connexion puis réessayez."
)

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connexion — Carrefours</title>
<style>body{{font-family:"Source Sans Pro",sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#262730}}
label{{display:block;margin-top:1rem}}input{{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}}
button{{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#000091;color:#fff;border:0;border-radius:.3rem}}
.refus{{background:#fde8e8;padding:.75rem;border-radius:.3rem}} small{{color:#555}}</style></head>
<body><h1>Connexion</h1><p>Connectez-vous avec votre compte Carrefours.</p>{error}
<form method="post" action="{action}">
<input type="hidden" name="csrf" value="{token}">{landing}
<label for="email">Adresse e-mail</label>
<input id="email" name="email" type="email" autocomplete="username" required value="{email}"
 placeholder="prenom.nom@exemple.fr">
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Se connecter</button></form>
<p><small>Mot de passe oublié ? Un administrateur peut vous en donner un nouveau. Règles d'un mot de passe :
{rules}</small></p><p><a href="/">Revenir à Carrefours sans se connecter</a></p></body></html>"""


def _form(
    request: Request, *, error: str | None = None, email: str = "", wanted: str | None = None, status: int = 200
) -> Response:
    secret, new = csrf.browser_secret(request)
    landing_field = (
        f'<input type="hidden" name="{landing.PARAMETER}" value="{escape(wanted, quote=True)}">' if wanted else ""
    )
    body = _PAGE.format(
        action=FORM_PATH,
        token=csrf.token_for(secret),
        email=escape(email, quote=True),
        landing=landing_field,
        rules=escape(RULES_FR),
        error=f'<p class="refus" role="alert">{escape(error)}</p>' if error else "",
    )
    response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    if new:
        csrf.set_cookie(response, secret, is_https(request))
    return response


def sign_in_routes(database: Callable[[], Database | None]) -> list:
    """The sign-in form (GET), its post (POST) and sign-out (POST), on the process's database."""

    def show(request: Request) -> Response:
        return _form(request, wanted=landing.local_path(request.query_params.get(landing.PARAMETER)))

    async def post(request: Request) -> Response:
        form = await request.form()
        email, password = str(form.get("email") or ""), str(form.get("password") or "")
        wanted = landing.local_path(form.get(landing.PARAMETER))  # the deep link that led here, if local
        if not same_origin(request) or not csrf.valid(request, form.get("csrf")):
            return _form(request, error=CROSS_SITE, email=email, wanted=wanted, status=403)
        db = await run_in_threadpool(database)
        if db is None:
            return _form(request, error=UNAVAILABLE, email=email, wanted=wanted, status=503)
        try:  # the password check is slow on purpose: off the event loop
            user = await run_in_threadpool(sign_in.authenticate, db, email, password, address(request))
            token = await run_in_threadpool(server_sessions.open_local, db, user, address(request))
        except sign_in.SignInRefused as refusal:
            return _form(request, error=str(refusal), email=email, wanted=wanted, status=401)
        # The page the person asked for, else "/", their landing page (élu: territoire).
        response = RedirectResponse(landing.after_sign_in(wanted), status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(access_settings().session_absolute.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=is_https(request),
            path="/",
        )
        return response

    async def sign_out(request: Request) -> Response:
        form = await request.form()
        if not same_origin(request) or not csrf.valid(request, form.get("csrf")):
            return HTMLResponse(CROSS_SITE, status_code=403)
        db, token = await run_in_threadpool(database), request.cookies.get(COOKIE)
        if db is not None and token:
            key = server_sessions.token_hash(token)
            resumed = await run_in_threadpool(server_sessions.resume, db, key)
            if resumed.user is not None:
                await run_in_threadpool(server_sessions.close, db, key, resumed.user)
        response = RedirectResponse(SIGNED_OUT, status_code=303)  # the page says "Vous êtes déconnecté."
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))
        return response

    return [
        Route(FORM_PATH, show, methods=["GET"]),
        Route(FORM_PATH, post, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
    ]
