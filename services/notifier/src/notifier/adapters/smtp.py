"""E-mail through any SMTP server (aiosmtplib): Mailpit locally, the canton's relay in production."""

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from ..service_layer.ports import MailUnavailable, OutgoingMail


class SmtpTransport:
    def __init__(self, *, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    def message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = formatdate(localtime=False)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.text)
        for name, mime, content in mail.attachments:
            maintype, subtype = mime.split("/", 1)
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
        return message

    async def send(self, mail: OutgoingMail) -> None:
        try:
            await aiosmtplib.send(self.message(mail), hostname=self._host, port=self._port,
                                  username=self._username, password=self._password,
                                  start_tls=self._starttls, timeout=self._timeout)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailUnavailable(f"{self._host}:{self._port}: {exc}") from exc
