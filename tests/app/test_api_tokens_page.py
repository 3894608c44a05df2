"""Mon compte: a signed-in person creates a token (shown once) and revokes it."""

import pytest

from accounts import tokens
from tests.app.test_access import sign_in
from ui.context import db


def test_a_token_is_created_shown_once_and_revoked_on_mon_compte(app):
    at = sign_in(app, "coordinateur.idf@demo.test", "demo-coordination-idf")
    app.switch_page("ui/compte.py")
    at = app.run()
    form_name = next(t for t in at.text_input if t.label == "Nom du jeton")
    form_name.input("script régional")
    at = next(b for b in at.button if b.label == "Créer un jeton").click().run()
    assert not at.exception
    secret = at.code[0].value
    assert secret.startswith("crf_") and "Copiez-le maintenant" in at.success[0].value
    user, token_id = tokens.authenticate(db(), secret)
    assert user.email == "coordinateur.idf@demo.test"
    at = app.run()
    assert not at.code  # shown once: the next run no longer shows it
    at = next(b for b in at.button if b.key == f"revoke_{token_id}").click().run()
    assert "révoqué le" in " ".join(m.value for m in at.markdown)
    with pytest.raises(tokens.TokenError, match="révoqué"):
        tokens.authenticate(db(), secret)
