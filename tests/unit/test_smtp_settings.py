"""CARREFOURS_SMTP_URL read as the README documents it; a setting that cannot work is refused in French."""

import pytest

from notifications.mail import DEFAULT_FROM, MailSettingError, build, from_environment, parse


def test_the_three_documented_forms():
    plain = parse("smtp://relais.exemple.fr")
    assert (plain.host, plain.port, plain.implicit_tls, plain.starttls, plain.user) == (
        "relais.exemple.fr",
        25,
        False,
        False,
        None,
    )
    upgraded = parse("smtp://rappels%40anct.fr:p%40ss%3Aw0rd@smtp.exemple.fr:587?starttls=1")
    assert (upgraded.port, upgraded.starttls, upgraded.user, upgraded.password) == (
        587,
        True,
        "rappels@anct.fr",
        "p@ss:w0rd",
    )
    tls = parse("smtps://u:p@smtp.exemple.fr")
    assert (tls.port, tls.implicit_tls, tls.starttls, tls.where) == (465, True, False, "smtp.exemple.fr:465")
    assert plain.sender == DEFAULT_FROM
    assert parse("smtp://h", " Carrefours <rappels@anct.gouv.fr> ").sender == "Carrefours <rappels@anct.gouv.fr>"


@pytest.mark.parametrize(
    ("url", "sender", "says"),
    [
        ("http://smtp.exemple.fr", None, "doit commencer par smtp:// ou smtps://"),
        ("smtp://", None, "ne nomme pas de serveur"),
        ("smtp://h:99999", None, "n'est pas un nombre entre 1 et 65535"),
        ("smtp://h?tls=1", None, "Réglage inconnu dans CARREFOURS_SMTP_URL : tls"),
        ("smtp://h?starttls=peut-etre", None, "starttls vaut 1 ou 0"),
        ("smtps://h?starttls=1", None, "smtps:// chiffre déjà la connexion"),
        ("smtp://h", "carrefours", "CARREFOURS_SMTP_FROM n'est pas une adresse"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_with_what_to_write(url, sender, says):
    with pytest.raises(MailSettingError, match=says) as caught:
        parse(url, sender)
    assert "Forme attendue" in str(caught.value) or "par exemple" in str(caught.value)


def test_unset_means_no_email(monkeypatch):
    monkeypatch.delenv("CARREFOURS_SMTP_URL", raising=False)
    assert from_environment() is None
    monkeypatch.setenv("CARREFOURS_SMTP_URL", "  ")
    assert from_environment() is None


def test_the_email_is_utf8_with_a_french_subject():
    message = build(
        parse("smtp://h"), "coord@exemple.fr", "Carrefours : 2 valeurs en retard dans votre périmètre", "Île\n"
    )
    raw = message.as_bytes()
    assert b"p=C3=A9rim=C3=A8tre" in raw or b"=?utf-8?" in raw  # the subject is encoded, not sent as raw bytes
    assert message["Subject"] == "Carrefours : 2 valeurs en retard dans votre périmètre"
    assert message.get_content() == "Île\n" and message.get_content_charset() == "utf-8"
