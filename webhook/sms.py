"""POST /sms/inbound: Twilio's inbound SMS webhook, signature-checked, answered with TwiML.

The signature is checked over PUBLIC_BASE_URL + the request path (+ query string), not the URL the
request arrived on, so it holds behind a TLS-terminating proxy, and over the whole form.

Signing token: TWILIO_AUTH_TOKEN. In development, when it is unset, a token derived from SECRET_KEY
(`dev_auth_token`) is used, and `scripts/sms_console.py` signs with the same value, so the signed path is
exercised offline. With APP_ENV=production and no TWILIO_AUTH_TOKEN every request is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Blueprint, Response, request
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from casework.conversation import BadInboundSms, IncomingSms, receive_sms
from casework.core.settings import Settings
from webhook import services
from webhook.rasa_client import client_for

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def dev_auth_token(settings: Settings) -> str:
    """The development signing token: a key derived from SECRET_KEY (never the key itself)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"twilio-dev-auth-token", hashlib.sha256).hexdigest()


def signing_token(settings: Settings) -> str | None:
    """The token inbound requests must be signed with, or None when none is configured (production)."""
    if settings.TWILIO_AUTH_TOKEN:
        return settings.TWILIO_AUTH_TOKEN
    return None if settings.is_production else dev_auth_token(settings)


def public_url(settings: Settings, path: str, query_string: bytes = b"") -> str:
    """The URL Twilio was configured with: PUBLIC_BASE_URL + path (+ query string)."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + path
    return f"{url}?{query_string.decode('latin-1')}" if query_string else url


def twiml(parts: list[str], status: int = 200) -> Response:
    """A TwiML MessagingResponse with one <Message> per part (none for a silent answer)."""
    response = MessagingResponse()
    for part in parts:
        response.message(part)
    return Response(str(response), status=status, mimetype="text/xml")


def _signature_problem(settings: Settings) -> str | None:
    token = signing_token(settings)
    if token is None:
        return "TWILIO_AUTH_TOKEN is not set (APP_ENV=production): refusing every inbound SMS"
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return f"missing {SIGNATURE_HEADER}"
    url = public_url(settings, request.path, request.query_string)
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not RequestValidator(token).validate(url, request.form, signature, algorithm=algorithm):
        return f"invalid {SIGNATURE_HEADER} for {url}"
    return None


@bp.post("/sms/inbound")
def inbound() -> Response:
    """Receive one SMS from Twilio and answer with TwiML."""
    svc = services()
    problem = _signature_problem(svc.settings)
    if problem:
        log.warning("refused /sms/inbound from %s: %s", request.remote_addr, problem)
        return Response("Forbidden: request signature not valid\n", status=403, mimetype="text/plain")
    try:
        reply = receive_sms(svc, IncomingSms.from_form(request.form), assistant=client_for(svc.settings))
    except BadInboundSms as exc:
        log.warning("bad /sms/inbound request: %s", exc)
        return twiml([], status=400)
    return twiml(reply.parts)
