"""Delivery over SMTP (plain, STARTTLS or TLS) and a JSON webhook; each raises on failure."""

from __future__ import annotations

import json
import mimetypes
import smtplib
import ssl
import urllib.request
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipelines.notify.ledger import Delivery
from pipelines.settings import Settings

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


# Headers unfolded up to RFC 5322's hard limit: Python's folding of a long non-ASCII subject
# drops the space between two encoded words ("on track" arrived as "ontrack").
EMAIL_POLICY = policy.SMTP.clone(max_line_length=998)


def build_email(d: Delivery, sender: str) -> EmailMessage:
    msg = EmailMessage(policy=EMAIL_POLICY)
    msg["From"], msg["To"], msg["Subject"] = sender, d.to, d.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["X-KPI-Event"] = d.key
    msg.set_content(d.body)
    for a in d.attachments:
        path = Path(a["path"])
        data = path.read_bytes()  # a missing attachment fails the send: retried, then logged
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"attachment {path.name} is over {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
        ctype = mimetypes.guess_type(a["name"])[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        if maintype == "text":
            try:
                msg.add_attachment(data.decode("utf-8"), subtype=subtype, charset="utf-8", filename=a["name"])
                continue
            except UnicodeDecodeError:
                maintype, subtype = "application", "octet-stream"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=a["name"])
    return msg


class Mailer:
    """One SMTP session for a run's e-mails, opened on the first message."""

    def __init__(self, settings: Settings):
        self.s = settings
        self.smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.s.smtp_ca_file) if self.s.smtp_ca_file else None)

    def _open(self) -> smtplib.SMTP:
        s = self.s
        if s.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s, context=self._context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
            if s.smtp_security == "starttls":
                smtp.starttls(context=self._context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
        return smtp

    def send(self, d: Delivery) -> None:
        msg = build_email(d, self.s.smtp_from)
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(msg)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


def post_webhook(d: Delivery, settings: Settings) -> None:
    payload = {"event": d.key, "kind": d.kind, "audience": d.audience, "language": d.lang,
               "subject": d.subject, "text": d.body, "attachments": [a["name"] for a in d.attachments], "data": d.data}
    request = urllib.request.Request(d.to, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=settings.smtp_timeout_s) as response:  # noqa: S310 - https/loopback only (settings)
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")
