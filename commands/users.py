"""`users`: manage accounts from the server's command line (add, list, disable, set-role, reset-password).

Who acts: with --user EMAIL, that account (it must be an active administrator, and every change is
logged under its name); without it, the local system operator — whoever can run this command on the
server can read the database file anyway — logged as « cli:<login système> ».
"""

from __future__ import annotations

import argparse
import getpass
import sys

from accounts import admin, service
from accounts.models import Role, Scope, User
from accounts.passwords import generate_password
from accounts.policy import AccessDenied
from bootstrap import open_database
from commands.output import print_json
from formatting import french as fmt
from territories.levels import FRANCE


def register(sub) -> None:
    """Add the users command and its sub-commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--user", metavar="EMAIL", help="agir au nom de ce compte administrateur (par défaut : l'opérateur du serveur)"
    )
    users = sub.add_parser("users", help="gérer les comptes (ajouter, lister, désactiver, rôles, mot de passe)")
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", parents=[common], help="lister les comptes")
    listing.add_argument("--json", action="store_true", help="sortie JSON")
    listing.set_defaults(run=_guard(run_list))

    add = actions.add_parser("add", parents=[common], help="créer un compte")
    add.add_argument("email")
    add.add_argument("--name", default="", help="nom affiché")
    add.add_argument("--role", required=True, choices=[r.value for r in admin.ASSIGNABLE])
    add.add_argument(
        "--territory",
        action="append",
        default=[],
        metavar="ID",
        help="REG-11, DEP-77, COM-77475… (répétable ; aucun pour admin et ministere)",
    )
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    secret.add_argument("--oidc-only", action="store_true", help="sans mot de passe : connexion ProConnect seulement")
    add.add_argument("--json", action="store_true", help="sortie JSON")
    add.set_defaults(run=_guard(run_add))

    disable = actions.add_parser("disable", parents=[common], help="désactiver un compte (ou le réactiver)")
    disable.add_argument("email")
    disable.add_argument("--enable", action="store_true", help="réactiver au lieu de désactiver")
    disable.set_defaults(run=_guard(run_disable))

    set_role = actions.add_parser("set-role", parents=[common], help="remplacer les rôles d'un compte")
    set_role.add_argument("email")
    set_role.add_argument("--role", required=True, choices=[r.value for r in admin.ASSIGNABLE])
    set_role.add_argument("--territory", action="append", default=[], metavar="ID")
    set_role.add_argument("--json", action="store_true", help="sortie JSON")
    set_role.set_defaults(run=_guard(run_set_role))

    reset = actions.add_parser("reset-password", parents=[common], help="donner un nouveau mot de passe")
    reset.add_argument("email")
    reset.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    reset.add_argument("--json", action="store_true", help="sortie JSON")
    reset.set_defaults(run=_guard(run_reset))


def operator() -> User:
    """The local system operator: an administrator named after the system login."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "inconnu"
    return User(email=f"cli:{login}", name="Opérateur du serveur", scopes=(Scope(role=Role.admin),))


def _actor(db, args) -> User:
    if not args.user:
        return operator()
    user = service.find_user(db, args.user)
    if user is None:
        raise admin.AccountError(f"Le compte « {args.user.strip()} » n'existe pas ou est désactivé.")
    return user


def _guard(run):
    def wrapped(args) -> int:
        db = open_database()
        try:
            return run(db, _actor(db, args), args)
        except (admin.AccountError, AccessDenied) as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 2
        finally:
            db.close()

    return wrapped


def _read_password() -> str:
    return sys.stdin.readline().rstrip("\n")


def _scopes(args) -> list[Scope]:
    return [admin.parse_scope(args.role, t) for t in (args.territory or [None])]


def run_list(db, actor, args) -> int:
    frame = admin.list_accounts(db, actor)
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        state = "actif" if row["active"] else "désactivé"
        demo = " [démo]" if row["is_demo"] else ""
        print(f"{row['email']:40} {state:10} {row['scopes'] or '-'}{demo}")
    print(f"{fmt.number(len(rows))} compte(s)")
    return 0


def run_add(db, actor, args) -> int:
    password = None if args.oidc_only else (_read_password() if args.password_stdin else generate_password())
    user = admin.create_account(db, actor, args.email, args.name, _scopes(args), password, how="cli")
    shown = password if (password and not args.password_stdin) else None
    if args.json:
        print_json(
            {
                "email": user.email,
                "scopes": [f"{s.role}:{s.territory_id or FRANCE}" for s in user.scopes],
                "password": shown,
            }
        )
    else:
        print(f"Compte créé : {user.email}")
        if shown:
            print(f"Mot de passe (à transmettre, il ne sera plus affiché) : {shown}")
    return 0


def run_disable(db, actor, args) -> int:
    admin.set_active(db, actor, args.email, args.enable, how="cli")
    print(f"Compte {'réactivé' if args.enable else 'désactivé'} : {args.email.strip().lower()}")
    return 0


def run_set_role(db, actor, args) -> int:
    user = admin.set_scopes(db, actor, args.email, _scopes(args), how="cli")
    scopes = [f"{s.role}:{s.territory_id or FRANCE}" for s in user.scopes]
    if args.json:
        print_json({"email": user.email, "scopes": scopes})
    else:
        print(f"Rôles de {user.email} : {', '.join(scopes)}")
    return 0


def run_reset(db, actor, args) -> int:
    password = _read_password() if args.password_stdin else generate_password()
    admin.reset_password(db, actor, args.email, password, how="cli")
    shown = None if args.password_stdin else password
    if args.json:
        print_json({"email": args.email.strip().lower(), "password": shown})
    else:
        print(f"Nouveau mot de passe enregistré pour {args.email.strip().lower()}.")
        if shown:
            print(f"Mot de passe (à transmettre, il ne sera plus affiché) : {shown}")
    return 0
