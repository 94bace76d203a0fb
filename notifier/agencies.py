"""Referral senders: email over SMTP, a JSON webhook signed with HMAC-SHA256, and Open311 GeoReport v2.

Every sender gets the outbox row (with the payload `casework.messaging.referrals` built) and returns a
Receipt or
raises SendFailure: transient for "try again later" (nothing listening, a timeout, a 5xx), permanent for
an answer that will not change (a 4xx, a refused recipient), so staff see it in the inbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
from email.message import EmailMessage
from email.utils import formatdate

import requests

from casework.core.settings import Settings
from casework.messaging import Claimed, Receipt, SendFailure
from casework.partnership import Partnership

log = logging.getLogger("notifier.agencies")
USER_AGENT = "asb-reporting-notifier/1"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`` (see docs/agency-webhooks.md)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _http_failure(resp: requests.Response, what: str) -> SendFailure:
    text = resp.text[:300].strip()
    message = f"{what} answered HTTP {resp.status_code}" + (f": {text}" if text else "")
    transient = resp.status_code in (408, 425) or resp.status_code >= 500
    return SendFailure(
        message, code=f"HTTP {resp.status_code}", http_status=resp.status_code, transient=transient
    )


def _post(
    session: requests.Session, url: str, what: str, timeout: float, **kwargs: object
) -> requests.Response:
    try:
        return session.post(url, timeout=timeout, allow_redirects=False, **kwargs)  # type: ignore[arg-type]
    except requests.RequestException as exc:
        raise SendFailure(f"{what} at {url} not reachable: {type(exc).__name__}", transient=True) from exc


class WebhookSender:
    """POST the referral JSON, signed; a repeat after a crash carries the same X-ASB-Delivery id."""

    def __init__(self, partnership: Partnership, *, timeout: float = 10.0) -> None:
        self.partnership = partnership
        self.timeout = timeout
        self.http = requests.Session()

    def send(self, message: Claimed) -> Receipt:
        """Deliver one referral to the agency's webhook."""
        if not message.recipient:
            raise SendFailure("the agency's webhook has no url in the partnership file")
        secret = self.partnership.agency(message.agency_id or "").referral.secret()
        if not secret:
            raise SendFailure(f"no webhook secret for {message.agency_id}: set its secret_env variable")
        body = json.dumps(message.payload["document"], sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-ASB-Timestamp": timestamp,
            "X-ASB-Signature": signature(secret, timestamp, body),
            "X-ASB-Delivery": str(message.id),
        }
        resp = _post(
            self.http, message.recipient, "the agency webhook", self.timeout, data=body, headers=headers
        )
        if not 200 <= resp.status_code < 300:
            raise _http_failure(resp, "the agency webhook")
        return Receipt(
            provider_id=resp.headers.get("X-Request-Id"), delivered=True, delivery_status="delivered"
        )


class Open311Sender:
    """POST a GeoReport v2 service request to the agency's endpoint (form-encoded, with its api_key)."""

    def __init__(self, partnership: Partnership, *, timeout: float = 10.0) -> None:
        self.partnership = partnership
        self.timeout = timeout
        self.http = requests.Session()

    def send(self, message: Claimed) -> Receipt:
        """Create the service request; the agency's service_request_id (or token) is the provider id."""
        referral = self.partnership.agency(message.agency_id or "").referral
        fields = dict(message.payload["fields"])
        api_key = referral.api_key()
        if api_key:
            fields["api_key"] = api_key
        resp = _post(
            self.http,
            message.recipient,
            "the agency's Open311 endpoint",
            self.timeout,
            data=fields,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        if not 200 <= resp.status_code < 300:
            raise _http_failure(resp, "the agency's Open311 endpoint")
        try:
            answer = resp.json()
            first = answer[0] if isinstance(answer, list) and answer else answer
            # A request answers service_request_id or token; an update (a diary entry) update_id.
            ident = first.get("service_request_id") or first.get("token") or first.get("update_id")
        except (ValueError, AttributeError, TypeError):
            ident = None
        return Receipt(provider_id=str(ident) if ident else None, delivered=True, delivery_status="delivered")


class EmailSender:
    """Send the referral as plain-text email to the agency over SMTP (SMTP_HOST:SMTP_PORT)."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        self.host = settings.SMTP_HOST
        self.port = settings.SMTP_PORT
        self.sender = settings.SMTP_FROM
        self.timeout = timeout

    def build(self, message: Claimed) -> EmailMessage:
        """The email, with a Message-ID fixed by the outbox id so a repeat is recognisably the same."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.payload.get("subject") or f"ASB referral {message.id}"
        email["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<asb-referral-{message.id}@{domain}>"
        email["X-ASB-Delivery"] = str(message.id)
        email.set_content(message.body)
        return email

    def send(self, message: Claimed) -> Receipt:
        """Hand the email to the SMTP server; a 4xx or nothing listening is retried, a 5xx is not."""
        if not message.recipient:
            raise SendFailure("the agency has no email address in the partnership file")
        email = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailure(
                f"the mail server refused {message.recipient}: {exc.recipients}", code="SMTP 550"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise SendFailure(
                f"the mail server answered {exc.smtp_code}: {text}",
                code=f"SMTP {exc.smtp_code}",
                transient=400 <= exc.smtp_code < 500,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailure(
                f"no mail server at {self.host}:{self.port} ({type(exc).__name__}: {exc})", transient=True
            ) from exc
        return Receipt(provider_id=email["Message-ID"], delivery_status="sent")
