"""Sending reminders by e-mail: the SMTP setting (CARREFOURS_SMTP_URL, CARREFOURS_SMTP_FROM) and the sender.

CARREFOURS_SMTP_URL forms:
  smtp://host[:port]                          plain SMTP (port 25 by default)
  smtp://user:password@host:587?starttls=1    plain connection upgraded with STARTTLS (port 587 usual)
  smtps://user:password@host[:port]           implicit TLS from the first byte (port 465 by default)
User and password are URL-encoded (%40 for @). Unset or empty: no e-mail, messages are kept in the app.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_FROM = "Carrefours <ne-pas-repondre@carrefours.localhost>"
TIMEOUT_SECONDS = 30
_TRUE = {"1", "true", "oui", "yes", "on"}
_FALSE = {"0", "false", "non", "no", "off"}


class MailSettingError(ValueError):
    """A CARREFOURS_SMTP_URL or CARREFOURS_SMTP_FROM that cannot be used, said in French."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: host, port, implicit TLS or STARTTLS, credentials, sender."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    user: str | None
    password: str | None
    sender: str

    @property
    def where(self) -> str:
        """host:port, as error messages name the server."""
        return f"{self.host}:{self.port}"


def parse(url: str, sender: str | None = None) -> SmtpSettings:
    """The settings a CARREFOURS_SMTP_URL names; MailSettingError (in French) if it is not usable."""
    fix = "Forme attendue : smtp://utilisateur:motdepasse@hote:587?starttls=1 ou smtps://hote:465."
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise MailSettingError(f"CARREFOURS_SMTP_URL doit commencer par smtp:// ou smtps://. {fix}")
    if not parts.hostname:
        raise MailSettingError(f"CARREFOURS_SMTP_URL ne nomme pas de serveur. {fix}")
    try:
        port = parts.port
    except ValueError:
        raise MailSettingError(f"Le port de CARREFOURS_SMTP_URL n'est pas un nombre entre 1 et 65535. {fix}") from None
    query = {k: v[-1].strip().lower() for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise MailSettingError(f"Réglage inconnu dans CARREFOURS_SMTP_URL : {', '.join(sorted(unknown))}. {fix}")
    flag = query.get("starttls", "0")
    if flag not in _TRUE | _FALSE:
        raise MailSettingError(f"starttls vaut 1 ou 0 dans CARREFOURS_SMTP_URL (reçu « {flag} »). {fix}")
    implicit = parts.scheme == "smtps"
    if implicit and flag in _TRUE:
        raise MailSettingError(f"smtps:// chiffre déjà la connexion : retirez starttls=1. {fix}")
    sender = (sender or "").strip() or DEFAULT_FROM
    if "@" not in sender or "\n" in sender or "\r" in sender:
        raise MailSettingError(
            f"CARREFOURS_SMTP_FROM n'est pas une adresse d'expéditeur (reçu « {sender} ») : "
            "par exemple « Carrefours <ne-pas-repondre@exemple.gouv.fr> »."
        )
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if implicit else 25),
        implicit_tls=implicit,
        starttls=flag in _TRUE,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
    )


def from_environment() -> SmtpSettings | None:
    """The SMTP settings of this process, None when CARREFOURS_SMTP_URL is unset (messages are kept)."""
    url = os.environ.get("CARREFOURS_SMTP_URL", "").strip()
    if not url:
        return None
    return parse(url, os.environ.get("CARREFOURS_SMTP_FROM"))


def build(settings: SmtpSettings, recipient: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 plain-text e-mail (French subject and body) from the configured sender to one recipient."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = formataddr(("", recipient))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1].strip("> "))
    message.set_content(body, charset="utf-8")
    return message


class Failure(Exception):
    """A send that failed, with its reason in French."""


class Mailer:
    """One SMTP connection for a run: open, send each message, close."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        try:
            if s.implicit_tls:
                self._smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                self._smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if s.starttls:
                    self._smtp.starttls(context=ssl.create_default_context())
            if s.user:
                self._smtp.login(s.user, s.password or "")
        except Exception as error:  # every way a connection fails becomes the message's French reason
            self.close()
            raise Failure(reason(error, s)) from error
        return self

    def send(self, message: EmailMessage) -> None:
        """Send one message; Failure (in French) if the server refuses it."""
        try:
            self._smtp.send_message(message)
        except Exception as error:
            raise Failure(reason(error, self.settings)) from error

    def close(self) -> None:
        """Close the connection (quietly: the messages' outcome is already known)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # a dropped connection has nothing left to close
                pass
            self._smtp = None

    def __exit__(self, *exc) -> None:
        self.close()


def reason(error: Exception, settings: SmtpSettings) -> str:
    """Why a send failed, in French, naming the server."""
    where = settings.where
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"le serveur {where} refuse l'identifiant ou le mot de passe de CARREFOURS_SMTP_URL"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"le serveur {where} refuse l'adresse du destinataire"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"le serveur {where} refuse l'expéditeur {settings.sender} (CARREFOURS_SMTP_FROM)"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"le serveur {where} a répondu {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"le serveur {where} ne propose pas STARTTLS : retirez starttls=1 ou utilisez smtps://"
    if isinstance(error, ConnectionRefusedError):
        return f"connexion refusée par {where} (serveur SMTP arrêté ou mauvais port)"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"pas de réponse de {where} en {TIMEOUT_SECONDS} secondes"
    if isinstance(error, socket.gaierror):
        return f"serveur SMTP inconnu : {settings.host}"
    if isinstance(error, ssl.SSLError):
        return f"échec du chiffrement TLS avec {where} ({error.reason or error})"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"le serveur {where} a coupé la connexion"
    return f"envoi impossible par {where} ({type(error).__name__} : {error})"
