"""SMS senders: Twilio (real client, configurable base URL) and a console sender for offline use."""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from casework.core.settings import Settings
from casework.core.sms_text import encoding, segments
from casework.messaging import Claimed, Receipt, SendFailure
from notifier.twilio_client import make_twilio_client

log = logging.getLogger("notifier.sms")

# A message created this long before the claim is not the claimed one (clock skew allowance).
LOOKUP_SKEW = timedelta(minutes=2)


class LookupUnavailable(Exception):
    """The provider could not be asked whether it has a message; try reconciling again later."""


def mask_number(phone: str) -> str:
    """+447700900123 -> +44******0123: enough for staff to recognise, not enough to misuse in logs."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class ConsoleSmsSender:
    """No Twilio credentials: log each message (number masked) and mark it sent; the product runs offline."""

    name = "console"

    def send(self, message: Claimed) -> Receipt:
        """Log the message instead of sending it."""
        log.info(
            "SMS (console, not sent) to %s [%s]: %s",
            mask_number(message.recipient),
            message.purpose,
            message.body,
        )
        return Receipt(
            provider_id=f"console-{message.id}-{message.attempts}",
            segments=segments(message.body),
            encoding=encoding(message.body),
            note="console transport: logged, not sent to a phone (no Twilio credentials configured)",
        )

    def lookup(self, message: Claimed) -> list[str]:
        """The console keeps no record: an interrupted console message is logged again."""
        return []


def _never_reached(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the provider (so re-sending cannot duplicate)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        inner = exc.args[0]
        reason = inner.reason if isinstance(inner, MaxRetryError) else inner
        return isinstance(reason, NewConnectionError | NameResolutionError)
    return False


class TwilioSmsSender:
    """Send through twilio-python with a status callback carrying the outbox id (the idempotency marker)."""

    name = "twilio"

    def __init__(self, settings: Settings, *, client: Client | None = None, timeout: float = 10.0) -> None:
        self.client = client or make_twilio_client(settings, timeout=timeout)
        self.from_number = settings.TWILIO_FROM_NUMBER
        self.messaging_service_sid = settings.TWILIO_MESSAGING_SERVICE_SID
        self.callback_base = settings.PUBLIC_BASE_URL.rstrip("/") + "/sms/status"

    def status_callback(self, message: Claimed) -> str:
        """Where Twilio reports delivery for this row: /sms/status?outbox=<id>."""
        return f"{self.callback_base}?outbox={message.id}"

    def send(self, message: Claimed) -> Receipt:
        """Create the message at Twilio; SendFailure with Twilio's error code when it refuses."""
        kwargs: dict[str, object] = {
            "to": message.recipient,
            "body": message.body,
            "status_callback": self.status_callback(message),
            "smart_encoded": True,
        }
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        try:
            created = self.client.messages.create(**kwargs)  # type: ignore[arg-type]
        except TwilioRestException as exc:
            code = str(exc.code) if exc.code else None
            if exc.status >= 500:
                raise SendFailure(
                    f"Twilio answered HTTP {exc.status}: {exc.msg}",
                    code=code,
                    http_status=exc.status,
                    outcome_unknown=True,
                ) from exc
            raise SendFailure(str(exc.msg), code=code, http_status=exc.status) from exc
        except requests.RequestException as exc:
            if _never_reached(exc):
                raise SendFailure(f"Twilio not reachable: {type(exc).__name__}", transient=True) from exc
            raise SendFailure(f"no answer from Twilio: {type(exc).__name__}", outcome_unknown=True) from exc
        except TwilioException as exc:
            raise SendFailure(f"Twilio client error: {exc}", transient=True) from exc
        num = (
            int(created.num_segments)
            if created.num_segments and str(created.num_segments).isdigit()
            else None
        )
        return Receipt(
            provider_id=created.sid,
            delivery_status=created.status,
            segments=num or segments(message.body),
            encoding=encoding(message.body),
        )

    def lookup(self, message: Claimed) -> list[str]:
        """Sids Twilio holds that may be this row's message (same number and text, created since claim)."""
        try:
            recent = self.client.messages.list(to=message.recipient, limit=50)
        except (TwilioException, requests.RequestException) as exc:
            raise LookupUnavailable(f"{type(exc).__name__}: {exc}") from exc
        since = message.claimed_at - LOOKUP_SKEW
        return [
            str(found.sid)
            for found in recent
            if (found.body or "").strip() == message.body.strip()
            and (found.date_created is None or found.date_created >= since)
        ]


def make_sms_sender(settings: Settings) -> TwilioSmsSender | ConsoleSmsSender:
    """Twilio when credentials are configured, else the console sender."""
    if settings.twilio_configured:
        return TwilioSmsSender(settings)
    return ConsoleSmsSender()
