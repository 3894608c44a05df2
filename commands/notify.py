"""`notify`: build the reminders due for every active account, send them by e-mail or keep them in the app.

On the database file, it acts as the server's operator (audit actor « cli:<login> »); with --server, through
the running server's API with a personal token of the national team or an administrator.
"""

from __future__ import annotations

import sys
from datetime import date

from bootstrap import open_database
from commands import remote
from commands.common import day_option
from commands.users import operator
from formatting import french as fmt
from notifications import mail
from notifications.service import notify, summary
from notifications.sources import counted


def register(sub) -> None:
    """Add the notify command."""
    cmd = sub.add_parser(
        "notify", help="rappels : envoyer à chacun ce qui est dû dans son périmètre (e-mail ou page Mon compte)"
    )
    cmd.add_argument("--dry-run", action="store_true", help="montrer ce qui partirait, sans rien écrire ni envoyer")
    cmd.add_argument("--date", help="date du jour AAAA-MM-JJ (défaut : aujourd'hui, heure de Paris)")
    remote.add_option(cmd)
    cmd.set_defaults(run=run)


def run(args) -> int:
    on = day_option(args.date, "2026-11-25")
    server = remote.server_of(args)
    if server:  # the server reads its own SMTP setting
        params = {"date": on.isoformat(), "dry_run": "1" if args.dry_run else None}
        return show(remote.call(server, "POST", "/notify", params=params).json())
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
    return show(summary(report))


def show(data: dict) -> int:
    """Print a run's summary in French; exit code 1 when a send failed (retried at the next run)."""
    built = counted("nouveau message", "nouveaux messages")(len(data["messages"]))
    people = counted("destinataire", "destinataires")(data["recipients"])
    day = fmt.day(date.fromisoformat(data["date"]))
    unset = "CARREFOURS_SMTP_URL n'est pas réglé : "
    if data["dry_run"]:
        print(f"Essai (--dry-run), rien n'est écrit ni envoyé. Rappels du {day} : {built} pour {people}.")
        for message in data["messages"]:
            print(f"- {message['recipient']} : {message['subject']}")
            for line in message["lines"]:
                print(f"    {line}")
        if data["waiting"]:
            waiting = counted("message en attente", "messages en attente")(data["waiting"])
            print(f"Et {waiting} d'une exécution précédente (conservés ou en échec).")
        if not data["smtp"]:
            print(unset + "ils seraient conservés et affichés sur la page « Mon compte ».")
        return 0
    print(f"Rappels du {day} : {built} pour {people}.")
    print(
        f"Envoyés par e-mail : {fmt.number(len(data['sent']))} ; conservés dans l'application : "
        f"{fmt.number(len(data['kept']))} ; en échec : {fmt.number(len(data['failed']))}."
    )
    if not data["smtp"]:
        print(unset + "les messages sont conservés et affichés sur la page « Mon compte ».")
    for error in dict.fromkeys(f["error"] for f in data["failed"]):
        print(f"  {error}")
    return 1 if data["failed"] else 0
