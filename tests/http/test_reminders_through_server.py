"""`cli.py notify --server`: the reminders run by the server that holds the database, sent by its SMTP setting."""

from __future__ import annotations

from aiosmtpd.controller import Controller

from accounts import repository as accounts
from bootstrap import open_database
from tests.http.conftest import cli, serve
from tests.integration.test_reminders import Inbox, _free_port
from tests.integration.values_helpers import COORD_ARA
from tests.postgres_backend import ON_POSTGRES, rows


def test_notify_goes_through_the_running_server_for_the_national_team_only(db_file):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    database = open_database(db_file)
    with database.transaction() as cur:
        accounts.add(cur, COORD_ARA)
    database.close()
    server = serve(db_file, {"CARREFOURS_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}"})
    try:
        env = {**server.env, "CARREFOURS_TOKEN": server.tokens["national"]}
        if not ON_POSTGRES:  # the server holds the file's lock; PostgreSQL has none
            locked = cli("notify", "--date", "2026-11-25", env=env)
            assert locked.returncode == 2 and "--server URL" in locked.stderr
        dry = cli("notify", "--dry-run", "--date", "2026-11-25", "--server", server.url, env=env)
        assert dry.returncode == 0, dry.stderr
        assert "2 nouveaux messages pour 2 destinataires" in dry.stdout
        assert f"- {COORD_ARA.email} : Carrefours : " in dry.stdout and inbox.messages == []
        elu = cli("notify", "--server", server.url, env={**env, "CARREFOURS_TOKEN": server.tokens["elu"]})
        assert elu.returncode == 2 and "403" in elu.stderr and "équipe nationale" in elu.stderr
        done = cli("notify", "--date", "2026-11-25", "--server", server.url, env=env)
        assert done.returncode == 0, done.stderr
        # The demo coordinator's message is kept (a demo account is never e-mailed), ARA's is sent.
        assert "Envoyés par e-mail : 1 ; conservés dans l'application : 1 ; en échec : 0." in done.stdout
        ((to, message),) = inbox.messages
        assert to == [COORD_ARA.email] and "Auvergne-Rhône-Alpes" in message.get_content()
    finally:
        server.stop()
        smtp.stop()
    outbox = rows(db_file, "SELECT recipient, sent_at IS NOT NULL FROM notification_outbox ORDER BY recipient")
    runs = rows(db_file, "SELECT actor, how FROM audit_log WHERE entity = 'notification' AND action = 'notify'")
    assert outbox == [(COORD_ARA.email, True), ("coordinateur.idf@demo.test", False)]
    assert runs == [("ministere@demo.test", "api")]
