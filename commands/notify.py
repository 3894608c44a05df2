"""`notify`: build the reminders due for every active account, send them by e-mail or keep them in the app."""

from __future__ import annotations

import sys
from datetime import date

from bootstrap import open_database
from commands.users import operator
from formatting import french as fmt
from notifications import mail
from notifications.service import notify
from plan.freshness import today_paris
from store.db import StoreError


def register(sub) -> None:
    """Add the notify command."""
    cmd = sub.add_parser(
        "notify", help="rappels : envoyer à chacun ce qui est dû dans son périmètre (e-mail ou page Mon compte)"
    )
    cmd.add_argument("--dry-run", action="store_true", help="montrer ce qui partirait, sans rien écrire ni envoyer")
    cmd.add_argument("--date", help="date du jour AAAA-MM-JJ (défaut : aujourd'hui, heure de Paris)")
    cmd.set_defaults(run=run)


def _plural(n: int, one: str, many: str) -> str:
    return f"{fmt.number(n)} {one if n <= 1 else many}"  # French: 0 takes the singular


def run(args) -> int:
    try:
        on = date.fromisoformat(args.date) if args.date else today_paris()
    except ValueError as error:
        raise StoreError(f"Date « {args.date} » illisible : écrivez-la AAAA-MM-JJ, par exemple 2026-11-25.") from error
    try:
        settings = mail.from_environment()
    except mail.MailSettingError as error:  # checked before anything is built: nothing written
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    db = open_database()
    try:
        report = notify(db, operator().email, on=on, settings=settings, dry_run=args.dry_run)
    finally:
        db.close()
    built = _plural(len(report.drafts), "nouveau message", "nouveaux messages")
    people = _plural(report.recipients, "destinataire", "destinataires")
    if report.dry_run:
        print(f"Essai (--dry-run), rien n'est écrit ni envoyé. Rappels du {fmt.day(on)} : {built} pour {people}.")
        for draft in report.drafts:
            print(f"- {draft.recipient} : {draft.subject}")
            for line in draft.body.splitlines():
                if line.startswith("- "):
                    print(f"    {line}")
        if len(report.waiting):
            waiting = _plural(len(report.waiting), "message en attente", "messages en attente")
            print(f"Et {waiting} d'une exécution précédente (conservés ou en échec).")
        if not report.smtp:
            print(
                "CARREFOURS_SMTP_URL n'est pas réglé : ils seraient conservés et affichés sur la page « Mon compte »."
            )
        return 0
    print(f"Rappels du {fmt.day(on)} : {built} pour {people}.")
    print(
        f"Envoyés par e-mail : {fmt.number(len(report.sent))} ; conservés dans l'application : "
        f"{fmt.number(len(report.kept))} ; en échec : {fmt.number(len(report.failed))}."
    )
    if not report.smtp:
        print(
            "CARREFOURS_SMTP_URL n'est pas réglé : les messages sont conservés et affichés sur la page « Mon compte »."
        )
    for error in dict.fromkeys(report.failed.values()):
        print(f"  {error}")
    return 1 if report.failed else 0
