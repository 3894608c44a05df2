"""Mon compte lists the signed-in person's own reminders (kept in the app without SMTP), never another's."""

import uuid
from datetime import datetime

from notifications import repository
from tests.app.test_access import sign_in
from ui.context import db


def _keep(recipient: str, subject: str, body: str, now: datetime) -> None:
    with db().transaction() as cur:
        repository.add(
            cur,
            recipient=recipient,
            kind="valeurs_en_retard",
            subject=subject,
            body=body,
            dedup_key=f"test|{uuid.uuid4()}",
            items=[f"test|{uuid.uuid4()}"],
            now=now,
        )


def test_mon_compte_shows_my_kept_reminder_and_not_another_person_s(app):
    at = sign_in(app, "coordinateur.idf@demo.test", "demo-coordination-idf")
    mine = f"Carrefours : 2 valeurs en retard dans votre périmètre ({uuid.uuid4().hex[:6]})"
    other = f"Carrefours : 5 valeurs à valider ({uuid.uuid4().hex[:6]})"
    # 14:05 UTC on 25/11/2026 is 15:05 in Paris (winter time, UTC+1).
    _keep(
        "coordinateur.idf@demo.test",
        mine,
        "Bonjour,\n- Emplois directs — Île-de-France, période 2025\n",
        datetime(2026, 11, 25, 14, 5),
    )
    _keep("ministere@demo.test", other, "Bonjour,\n- Valeur soumise — Bretagne\n", datetime(2026, 11, 25, 14, 6))
    app.switch_page("ui/compte.py")
    at = app.run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert f"25/11/2026 à 15:05 — {mine}" in labels
    assert not any(other in label for label in labels)
    texts = [t.value for t in at.text]
    assert any("- Emplois directs — Île-de-France, période 2025" in t for t in texts)
    assert not any("Bretagne" in t for t in texts)
    assert "Conservé ici (pas d'envoi par e-mail)." in [c.value for c in at.caption]
