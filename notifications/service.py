"""Reminders: build, for every active account, one message grouping what is due in their scope, then send
it by e-mail (SMTP configured) or keep it for "Mon compte". An item is never put in two messages for the
same person, and a message once sent is never sent again; a failed send is retried at the next run.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from accounts import service as accounts
from accounts.models import User
from accounts.sessions import utcnow
from formatting import french as fmt
from notifications import mail, repository
from notifications.late_values import late_values
from notifications.review_values import awaiting_validation, returned_values
from notifications.sources import Item, Run, Source, counted
from plan import freshness
from store.audit import append
from store.db import Database

# Every kind of reminder, in the order their sections appear in a message. Adding one: write its function
# (see notifications/sources.py) and add its line here.
SOURCES: list[Source] = [
    Source(
        kind="valeurs_a_corriger",
        heading="Valeurs à corriger",
        counted=counted("valeur à corriger", "valeurs à corriger"),
        items=returned_values,
        hint="Corrigez-les sur la page « Saisie » (onglet Saisie ou Import) : elles repartent en validation.",
    ),
    Source(
        kind="valeurs_a_valider",
        heading="Valeurs à valider",
        counted=counted("lot de valeurs à valider", "lots de valeurs à valider"),
        items=awaiting_validation,
        hint="Relisez-les et publiez-les sur la page « Saisie », onglet « Validation ».",
    ),
    Source(
        kind="valeurs_en_retard",
        heading="Valeurs en retard",
        counted=counted("valeur en retard", "valeurs en retard"),
        items=late_values,
        hint="Saisissez-les sur la page « Saisie » de Carrefours ou importez un fichier. " + freshness.rule_text(),
    ),
]


# One run at a time in a process (the server may get two API calls at once): the second builds after the
# first has recorded its items, so it finds nothing new instead of colliding on the same keys.
_RUN_LOCK = threading.Lock()


@dataclass(frozen=True)
class Draft:
    """A message built for one recipient, not yet in the outbox."""

    recipient: str
    kind: str
    subject: str
    body: str
    dedup_key: str
    item_keys: tuple[str, ...]


@dataclass
class Report:
    """What a run built and what became of every unsent message (ids of the outbox)."""

    on: date
    drafts: list[Draft]
    dry_run: bool
    smtp: bool
    waiting: pd.DataFrame  # messages unsent before this run (kept or failed), to send again
    created: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def recipients(self) -> int:
        """How many people this run wrote to."""
        return len({d.recipient for d in self.drafts})


def build(db: Database, on: date, users: list[User] | None = None, sources: list[Source] | None = None) -> list[Draft]:
    """One draft per recipient with something new to tell (items already in a message left out)."""
    users = accounts.active_users(db) if users is None else users
    with db.read() as cur:
        known = repository.known_items(cur)
    run = Run(db=db, on=on)
    drafts = []
    for user in users:
        sections = []
        for source in SOURCES if sources is None else sources:
            fresh = {}
            for item in source.items(run, user):
                key = f"{source.kind}|{item.key}"
                if (user.email, key) not in known:
                    fresh.setdefault(key, item)
            if fresh:
                sections.append((source, fresh))
        if sections:
            drafts.append(_draft(user, on, sections))
    return drafts


def _draft(user: User, on: date, sections: list[tuple[Source, dict[str, Item]]]) -> Draft:
    parts = [f"Bonjour {user.name or user.email},", "", f"Voici ce qui vous concerne dans Carrefours au {fmt.day(on)}."]
    for source, items in sections:
        parts += ["", f"{source.heading} ({fmt.number(len(items))}) :"]
        parts += [f"- {item.line}" for item in items.values()]
        if source.hint:
            parts += ["", source.hint]
    parts += [
        "",
        "Chaque élément n'est signalé qu'une fois. Vos rappels restent lisibles sur la page « Mon compte ».",
        "",
        "— Carrefours, suivi du plan national des tiers-lieux",
    ]
    keys = tuple(key for _, items in sections for key in items)
    kind = "+".join(source.kind for source, _ in sections)
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]
    return Draft(
        recipient=user.email,
        kind=kind,
        subject="Carrefours : "
        + ", ".join(source.counted(len(items)) for source, items in sections)
        + " dans votre périmètre",
        body="\n".join(parts) + "\n",
        dedup_key=f"{kind}|{digest}",
        item_keys=keys,
    )


def notify(
    db: Database,
    actor: str,
    *,
    on: date | None = None,
    settings: mail.SmtpSettings | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    how: str = "cli",
) -> Report:
    """Build what is due, put it in the outbox, send every unsent message (or keep it); dry_run writes nothing.

    Messages of demo accounts and of accounts disabled since are kept, never e-mailed. The run is one
    audit row (entity notification, action notify) listing the messages built, sent, kept and failed.
    """
    with _RUN_LOCK:
        return _notify(db, actor, on or freshness.today_paris(), settings, dry_run, now, how)


def _notify(db: Database, actor: str, on: date, settings, dry_run: bool, now: datetime | None, how: str) -> Report:
    users = accounts.active_users(db)
    drafts = build(db, on, users)
    with db.read() as cur:
        waiting = repository.unsent(cur)
    report = Report(on=on, drafts=drafts, dry_run=dry_run, smtp=settings is not None, waiting=waiting)
    if dry_run:
        return report
    now = now or utcnow()

    def put(cur) -> list[int]:
        return [
            repository.add(
                cur,
                recipient=d.recipient,
                kind=d.kind,
                subject=d.subject,
                body=d.body,
                dedup_key=d.dedup_key,
                items=d.item_keys,
                now=now,
            )
            for d in drafts
        ]

    report.created = db.write(put)
    with db.read() as cur:
        unsent = repository.unsent(cur)
    mailable = {u.email for u in users if not u.is_demo} if settings else set()
    to_send = unsent[unsent["recipient"].isin(mailable)]
    report.kept = [int(i) for i in unsent.loc[~unsent["recipient"].isin(mailable), "id"]]
    if len(to_send):
        _send(db, settings, to_send, report, now)
    db.write(lambda cur: _audit(cur, actor, report, how))
    return report


def _send(db: Database, settings: mail.SmtpSettings, to_send: pd.DataFrame, report: Report, now: datetime) -> None:
    """Send each message on one connection; a failure is recorded on its message, which stays unsent."""

    def failed(message_id: int, why: str) -> None:
        text = f"Échec de l'envoi le {fmt.moment(now)} : {why}. Nouvel essai à la prochaine exécution."
        report.failed[message_id] = text
        db.write(lambda cur: repository.mark_failed(cur, message_id, text))

    try:
        with mail.Mailer(settings) as mailer:
            for row in to_send.itertuples():
                try:
                    mailer.send(mail.build(settings, row.recipient, row.subject, row.body))
                except mail.Failure as error:
                    failed(int(row.id), str(error))
                    continue
                # Recorded at once, message by message: a run stopped midway never sends these again.
                db.write(lambda cur, message_id=int(row.id): repository.mark_sent(cur, message_id, utcnow()))
                report.sent.append(int(row.id))
    except mail.Failure as error:  # no connection: every message not yet handled fails with the same reason
        for message_id in to_send["id"]:
            if int(message_id) not in report.sent and int(message_id) not in report.failed:
                failed(int(message_id), str(error))


def _audit(cur, actor: str, report: Report, how: str) -> None:
    append(
        cur,
        actor=actor,
        entity="notification",
        action="notify",
        key=report.on.isoformat(),
        how=how,
        new={
            "date": report.on,
            "messages": report.created,
            "destinataires": report.recipients,
            "envoyes": report.sent,
            "conserves": report.kept,
            "echecs": sorted(report.failed),
            "smtp": report.smtp,
        },
    )


def summary(report: Report) -> dict:
    """A run as JSON-ready data, the same whether the command ran on the file or through the server's API."""
    return {
        "date": report.on.isoformat(),
        "dry_run": report.dry_run,
        "smtp": report.smtp,
        "recipients": report.recipients,
        "messages": [
            {"recipient": d.recipient, "subject": d.subject, "lines": [x for x in d.body.splitlines() if x[:2] == "- "]}
            for d in report.drafts
        ],
        "waiting": len(report.waiting),
        "created": report.created,
        "sent": report.sent,
        "kept": report.kept,
        "failed": [{"id": i, "error": e} for i, e in report.failed.items()],
    }


def mine(db: Database, user: User) -> pd.DataFrame:
    """The signed-in person's own messages, newest first (id, kind, subject, body, created_at, sent_at, error)."""
    with db.read() as cur:
        return repository.of_recipient(cur, user.email)
