"""What several commands share: the acting user, the shared `import` command."""

from __future__ import annotations

from datetime import date

from accounts.models import User
from accounts.service import find_user
from plan.freshness import today_paris
from store.db import Database, StoreError


def acting_user(db: Database, email: str) -> User:
    """The active account named by --user; a French error if there is none."""
    user = find_user(db, email)
    if user is None:
        raise StoreError(
            f"Aucun compte actif pour « {email.strip()} ». Vérifiez l'adresse "
            "(python cli.py users list) ou demandez un compte à un administrateur."
        )
    return user


def import_kinds(sub):
    """The sub-commands of the shared `import` command (values, lieux, densite, aav…)."""
    if not hasattr(sub, "carrefours_import"):
        parser = sub.add_parser("import", help="importer un fichier (valeurs, lieux, classifications INSEE)")
        sub.carrefours_import = parser.add_subparsers(dest="kind", required=True, metavar="TYPE")
    return sub.carrefours_import


def day_option(text: str | None, example: str) -> date:
    """The --date of a command (today in Paris without one), or a French error giving an example."""
    try:
        return date.fromisoformat(text) if text else today_paris()
    except ValueError as error:
        raise StoreError(f"Date « {text} » illisible : écrivez-la AAAA-MM-JJ, par exemple {example}.") from error
