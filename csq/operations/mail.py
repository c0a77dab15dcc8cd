"""Sending the message by e-mail over SMTP: STARTTLS, implicit TLS or plain (a local relay), with or without login."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from csq.errors import NotSent
from csq.operations.config import SmtpConfig
from csq.operations.message import Message


def email(cfg: SmtpConfig, msg: Message) -> EmailMessage:
    """Return the e-mail of a message: its text as the body, its files attached."""
    mail = EmailMessage()
    mail["Subject"] = msg.subject
    mail["From"] = cfg.sender
    mail["To"] = ", ".join(cfg.to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2] or None)
    mail.set_content(msg.text)
    for f in msg.files:
        maintype, _, subtype = f.content_type.partition("/")
        mail.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.name)
    return mail


def _tls(cfg: SmtpConfig) -> ssl.SSLContext:
    """Return a TLS context that checks the server's certificate and name (against ca_file when given)."""
    return ssl.create_default_context(cafile=cfg.ca_file)


def send_mail(cfg: SmtpConfig, msg: Message) -> None:
    """Send the message to every address of cfg.to; raise NotSent with the server's reason when it fails."""
    password = cfg.password()   # a missing password is refused before anything is sent
    try:
        if cfg.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s, context=_tls(cfg))
        else:
            server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
        with server:
            if cfg.security == "starttls":
                server.starttls(context=_tls(cfg))
            if cfg.user:
                server.login(cfg.user, password or "")
            refused = server.send_message(email(cfg, msg))
    except (smtplib.SMTPException, OSError) as exc:
        raise NotSent(f"The e-mail to {', '.join(cfg.to)} was not sent: {type(exc).__name__}: {exc}.",
                      f"Check [csq_notify.smtp] (host {cfg.host}, port {cfg.port}, security {cfg.security}) and "
                      "that the server is reachable; nothing was recorded, so the next run sends it again.") from None
    if refused:
        raise NotSent(f"The mail server refused some addresses: {', '.join(sorted(refused))}.",
                      "Correct them in [csq_notify.smtp] to; nothing was recorded, so the next run sends again.")
