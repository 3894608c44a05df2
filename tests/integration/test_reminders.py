"""Reminders on the real database: which late values each recipient is told about (their scope only, with
Complétude's rule), the outbox never telling an item twice, and `cli.py notify` through a local SMTP server."""

import email
import email.policy
import socket
from datetime import date

import pytest
from aiosmtpd.controller import Controller

import cli
from accounts import repository as accounts
from accounts.models import Role, Scope, User
from bootstrap import open_database
from indicators import writes
from indicators.models import ValueChange
from notifications.late_values import late_values
from notifications.service import build, notify
from notifications.sources import Run
from plan import alerts
from tests.conftest import opened_copy
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, ELU, MINISTERE, count

ON = date(2026, 11, 25)
COORD_77 = User(
    email="coord.77@example.fr", name="Coordination 77", scopes=(Scope(role=Role.coordinateur, territory_id="DEP-77"),)
)
ADMIN = User(email="admin@example.fr", name="Admin", scopes=(Scope(role=Role.admin),))
DEMO_IDF = "coordinateur.idf@demo.test"  # the demo database's coordinator (REG-11): kept, never e-mailed
LATE = "valeurs_en_retard"


@pytest.fixture(scope="module")
def shared_db(built_db_file, tmp_path_factory):
    """One read-only copy for the tests that only build drafts."""
    with opened_copy(built_db_file, tmp_path_factory.mktemp("reminders")) as database:
        yield database


def _territories(draft) -> set[str]:
    return {key.split("|")[2] for key in draft.item_keys}


def _lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("- ")]


def test_two_coordinators_each_get_only_their_own_region_s_late_values(shared_db):
    drafts = {d.recipient: d for d in build(shared_db, ON, users=[COORD_IDF, COORD_ARA, ELU, MINISTERE, ADMIN])}
    assert set(drafts) == {COORD_IDF.email, COORD_ARA.email}  # the élu, the national team, the admin: nothing
    idf, ara = drafts[COORD_IDF.email], drafts[COORD_ARA.email]
    assert _territories(idf) == {"REG-11"} and _territories(ara) == {"REG-84"}
    # EMPLOIS_DIRECTS is due 180 days after 31/12: 2025 on 29/06/2026, 149 days late on 25/11/2026
    # (30 to 29/07, then 31 + 31 + 30 + 27); 2024 on 29/06/2025, 365 + 149 = 514 days: very late.
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-11|2025|2026-06-29" in idf.item_keys
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-84|2025|2026-06-29" in ara.item_keys
    assert (
        "- Emplois directs dans les tiers-lieux — Île-de-France, période 2025 : attendue le 29/06/2026, "
        "en retard de 149 jours ; valeurs reçues : 0 sur 1." in idf.body.splitlines()
    )
    assert "période 2024 : attendue le 29/06/2025, en retard de 514 jours (très en retard)" in idf.body
    assert all("Île-de-France" in line for line in _lines(idf.body))
    assert "Île-de-France" not in ara.body and all("Auvergne-Rhône-Alpes" in line for line in _lines(ara.body))
    assert idf.body.startswith("Bonjour Coordination IDF,\n") and "au 25/11/2026" in idf.body
    # Exactly Complétude's « Qui est en retard » rows for the région, in its order, one line each.
    late = alerts.completeness(shared_db, ON)["late"]
    late = late[late["territory_id"] == "REG-11"]
    assert idf.item_keys == tuple(
        f"{LATE}|{r.indicator_code}|REG-11|{r.period}|{r.due_on.isoformat()}" for r in late.itertuples()
    )
    assert len(_lines(idf.body)) == len(late) > 2
    assert idf.subject == f"Carrefours : {len(late)} valeurs en retard dans votre périmètre"
    assert idf.kind == LATE and idf.dedup_key.startswith(f"{LATE}|")


def test_a_departement_coordinator_gets_their_departement_s_rows_not_the_region_s(shared_db):
    (draft,) = build(shared_db, ON, users=[COORD_77])
    assert _territories(draft) == {"DEP-77"}  # région-level values (REG-11) are not theirs to enter
    # TL_RURAL comes from the registry (delay 0): 2025 due on 31/12/2025, 304 + 25 = 329 days late.
    assert f"{LATE}|TL_RURAL|DEP-77|2025|2025-12-31" in draft.item_keys
    rural = "Part des tiers-lieux en commune rurale — Seine-et-Marne, période 2025 : attendue le 31/12/2025"
    assert f"- {rural}, en retard de 329 jours ;" in draft.body
    assert not any("EMPLOIS_DIRECTS" in key for key in draft.item_keys)


def test_an_elu_an_admin_and_the_national_team_get_nothing_from_late_values(shared_db):
    run = Run(db=shared_db, on=ON)
    both = User(email="x@example.fr", scopes=(Scope(role=Role.ministere), Scope(role=Role.elu, territory_id="REG-11")))
    for user in (ELU, MINISTERE, ADMIN, both):
        assert late_values(run, user) == [], user.email
    assert late_values(run, COORD_IDF) != []  # the same run, a coordinator: the source does answer


def test_a_value_entered_is_no_longer_late_for_its_region_only(db):
    change = ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="REG-11", period="2025", value=120)
    assert writes.apply(db, COORD_IDF, [change], how="saisie", confirm=True).inserted == 1
    drafts = {d.recipient: d for d in build(db, ON, users=[COORD_IDF, COORD_ARA])}
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-11|2025|2026-06-29" not in drafts[COORD_IDF.email].item_keys
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-11|2024|2025-06-29" in drafts[COORD_IDF.email].item_keys
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-84|2025|2026-06-29" in drafts[COORD_ARA.email].item_keys


def _add_accounts(database) -> None:
    with database.transaction() as cur:
        for user in (COORD_IDF, COORD_ARA, ELU, MINISTERE):
            accounts.add(cur, user)


def test_an_item_is_told_once_and_a_new_late_period_makes_a_new_message(db):
    _add_accounts(db)
    first = notify(db, "test", on=ON)
    assert {d.recipient for d in first.drafts} == {COORD_IDF.email, COORD_ARA.email, DEMO_IDF}
    assert len(first.created) == 3 and first.sent == [] and sorted(first.kept) == sorted(first.created)
    again = notify(db, "test", on=ON)
    assert again.drafts == [] and again.created == []
    assert count(db, "SELECT count(*) FROM notification_outbox") == 3
    # 31/12/2026 + 180 days = 29/06/2027: EMPLOIS_DIRECTS 2026 is late by 1 day on 30/06/2027. Only the
    # new period is told: 2025, still late, was in the first message.
    later = notify(db, "test", on=date(2027, 6, 30))
    idf = next(d for d in later.drafts if d.recipient == COORD_IDF.email)
    assert f"{LATE}|EMPLOIS_DIRECTS|REG-11|2026|2027-06-29" in idf.item_keys
    assert {key.split("|")[3] for key in idf.item_keys} == {"2026"}
    assert "période 2026 : attendue le 29/06/2027, en retard de 1 jour ;" in idf.body
    assert count(db, "SELECT count(*) FROM notification_outbox WHERE recipient = ?", [COORD_IDF.email]) == 2
    audit = count(db, "SELECT count(*) FROM audit_log WHERE entity = 'notification' AND action = 'notify'")
    assert audit == 3  # one row per run


# --- cli.py notify through a local SMTP server ---------------------------------------------------------


class Inbox:
    """An aiosmtpd handler keeping what it receives; refuses the recipients listed in `refuse`."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 Boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def cli_db(db_file, monkeypatch):
    """A private database with four accounts, closed so that the command opens it, named by CARREFOURS_DB."""
    database = open_database(db_file)
    _add_accounts(database)
    database.close()
    monkeypatch.setenv("CARREFOURS_DB", str(db_file))
    monkeypatch.setenv("CARREFOURS_SMTP_FROM", "Carrefours <rappels@carrefours.example.fr>")
    monkeypatch.delenv("CARREFOURS_SMTP_URL", raising=False)
    return db_file


def _outbox(db_file) -> list[tuple]:
    database = open_database(db_file)
    try:
        with database.read() as cur:
            return cur.execute(
                "SELECT recipient, sent_at IS NOT NULL, error FROM notification_outbox ORDER BY recipient"
            ).fetchall()
    finally:
        database.close()


def _audit_rows(db_file) -> int:
    database = open_database(db_file)
    try:
        return count(database, "SELECT count(*) FROM audit_log")
    finally:
        database.close()


def test_notify_mails_each_coordinator_their_own_scope_once(cli_db, smtp_server, monkeypatch, capsys):
    inbox, port = smtp_server
    monkeypatch.setenv("CARREFOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    assert cli.main(["notify", "--date", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "Rappels du 25/11/2026 : 3 nouveaux messages pour 3 destinataires." in out
    assert "Envoyés par e-mail : 2 ; conservés dans l'application : 1 ; en échec : 0." in out
    received = {tuple(to): message for to, message in inbox.messages}
    assert set(received) == {(COORD_IDF.email,), (COORD_ARA.email,)}  # the demo account is kept, not mailed
    idf, ara = received[(COORD_IDF.email,)], received[(COORD_ARA.email,)]
    assert idf["From"] == "Carrefours <rappels@carrefours.example.fr>" and idf["To"] == COORD_IDF.email
    lines = _lines(idf.get_content())
    assert idf["Subject"] == f"Carrefours : {len(lines)} valeurs en retard dans votre périmètre"
    assert idf.get_content_charset() == "utf-8"
    assert lines and all(" — Île-de-France, période " in line for line in lines)
    assert (
        "- Emplois directs dans les tiers-lieux — Île-de-France, période 2025 : attendue le 29/06/2026, "
        "en retard de 149 jours ; valeurs reçues : 0 sur 1." in lines
    )
    assert all(" — Auvergne-Rhône-Alpes, période " in line for line in _lines(ara.get_content()))
    assert "Île-de-France" not in ara.get_content()
    assert _outbox(cli_db) == [(COORD_ARA.email, True, None), (COORD_IDF.email, True, None), (DEMO_IDF, False, None)]
    audit = _audit_rows(cli_db)

    assert cli.main(["notify", "--date", "2026-11-25"]) == 0  # again: nothing new, nothing sent twice
    out = capsys.readouterr().out
    assert "0 nouveau message pour 0 destinataire." in out and "Envoyés par e-mail : 0 ;" in out
    assert len(inbox.messages) == 2
    assert _audit_rows(cli_db) == audit + 1  # one audit row per run


def test_dry_run_sends_and_writes_nothing(cli_db, smtp_server, monkeypatch, capsys):
    inbox, port = smtp_server
    monkeypatch.setenv("CARREFOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    audit = _audit_rows(cli_db)
    assert cli.main(["notify", "--dry-run", "--date", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "rien n'est écrit ni envoyé" in out and "3 nouveaux messages pour 3 destinataires" in out
    assert f"- {COORD_ARA.email} : Carrefours : " in out
    assert "    - Emplois directs dans les tiers-lieux — Île-de-France, période 2025 : attendue le 29/06/2026" in out
    assert inbox.messages == []
    assert _outbox(cli_db) == [] and _audit_rows(cli_db) == audit


def test_a_failed_send_keeps_the_message_with_its_error_and_is_retried(cli_db, smtp_server, monkeypatch, capsys):
    inbox, port = smtp_server
    closed = _free_port()  # nothing listens there
    monkeypatch.setenv("CARREFOURS_SMTP_URL", f"smtp://127.0.0.1:{closed}")
    assert cli.main(["notify", "--date", "2026-11-25"]) == 1
    assert "connexion refusée par 127.0.0.1:" in capsys.readouterr().out
    rows = _outbox(cli_db)
    assert [(r, sent) for r, sent, _ in rows] == [(COORD_ARA.email, False), (COORD_IDF.email, False), (DEMO_IDF, False)]
    errors = [error for _, _, error in rows]
    assert errors[2] is None  # the demo account's message was never to be mailed
    assert errors[0] == errors[1] and errors[0].startswith("Échec de l'envoi le ")
    assert f"connexion refusée par 127.0.0.1:{closed} (serveur SMTP arrêté ou mauvais port)" in errors[0]

    # The next run, the server up but refusing one address: the other message goes, once, and the refused
    # one keeps its new error.
    inbox.refuse = {COORD_ARA.email}
    monkeypatch.setenv("CARREFOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    assert cli.main(["notify", "--date", "2026-11-25"]) == 1
    assert "Envoyés par e-mail : 1 ; conservés dans l'application : 1 ; en échec : 1." in capsys.readouterr().out
    assert [to for to, _ in inbox.messages] == [[COORD_IDF.email]]
    rows = {r: (sent, error) for r, sent, error in _outbox(cli_db)}
    assert rows[COORD_IDF.email] == (True, None)
    assert rows[COORD_ARA.email][0] is False
    assert f"le serveur 127.0.0.1:{port} refuse l'adresse du destinataire" in rows[COORD_ARA.email][1]

    inbox.refuse = set()
    assert cli.main(["notify", "--date", "2026-11-25"]) == 0
    assert [to for to, _ in inbox.messages] == [[COORD_IDF.email], [COORD_ARA.email]]  # IDF's not sent twice


def test_a_bad_smtp_setting_is_explained_and_nothing_is_written(cli_db, monkeypatch, capsys):
    audit = _audit_rows(cli_db)
    monkeypatch.setenv("CARREFOURS_SMTP_URL", "http://smtp.exemple.fr")
    assert cli.main(["notify", "--date", "2026-11-25"]) == 2
    assert "CARREFOURS_SMTP_URL doit commencer par smtp:// ou smtps://" in capsys.readouterr().err
    assert _outbox(cli_db) == [] and _audit_rows(cli_db) == audit


def test_without_smtp_the_messages_are_kept(cli_db, capsys):
    assert cli.main(["notify", "--date", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "Envoyés par e-mail : 0 ; conservés dans l'application : 3 ; en échec : 0." in out
    assert "CARREFOURS_SMTP_URL n'est pas réglé" in out
    assert [sent for _, sent, _ in _outbox(cli_db)] == [False, False, False]


def test_a_new_source_is_one_function_and_one_line_and_shares_the_recipient_s_message(shared_db):
    from notifications.service import SOURCES
    from notifications.sources import Item, Source, counted

    def awaiting(run, user):  # as the review workflow's « soumises » source will be: national team only
        if Role.ministere not in user.roles:
            return []
        return [Item(key="EMPLOIS_DIRECTS|REG-11|2025|v2", line="Emplois directs — Île-de-France, 2025")]

    sources = [
        *SOURCES,
        Source("valeurs_a_valider", "À valider", counted("valeur à valider", "valeurs à valider"), awaiting),
    ]
    both = User(
        email="both@example.fr",
        scopes=(Scope(role=Role.ministere), Scope(role=Role.coordinateur, territory_id="REG-84")),
    )
    drafts = {d.recipient: d for d in build(shared_db, ON, users=[MINISTERE, both, ELU], sources=sources)}
    assert set(drafts) == {MINISTERE.email, both.email}
    assert drafts[MINISTERE.email].subject == "Carrefours : 1 valeur à valider dans votre périmètre"
    assert drafts[MINISTERE.email].item_keys == ("valeurs_a_valider|EMPLOIS_DIRECTS|REG-11|2025|v2",)
    grouped = drafts[both.email]  # one message: the late values of REG-84, then the value to validate
    assert grouped.kind == "valeurs_en_retard+valeurs_a_valider"
    assert grouped.subject.endswith(" valeurs en retard, 1 valeur à valider dans votre périmètre")
    assert grouped.body.index("Valeurs en retard (") < grouped.body.index("À valider (1) :")
