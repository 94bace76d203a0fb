"""POST /sms/status: Twilio's delivery receipts for outbound SMS, signature-checked like /sms/inbound.

Each message is sent with ``StatusCallback = PUBLIC_BASE_URL/sms/status?outbox=<id>``; the outbox id in
the URL ties a receipt to its row even when the sending process died before recording Twilio's sid.
Receipts only move a message's delivery state forward and are idempotent (Twilio may repeat them).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from casework.core.settings import Settings
from casework.messaging import UnknownMessage, record_receipt
from webhook import services
from webhook.sms import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, public_url, signing_token

log = logging.getLogger(__name__)

bp = Blueprint("sms_status", __name__)


def _signature_problem(settings: Settings) -> str | None:
    token = signing_token(settings)
    if token is None:
        return "TWILIO_AUTH_TOKEN is not set (APP_ENV=production): refusing every status callback"
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return f"missing {SIGNATURE_HEADER}"
    url = public_url(settings, request.path, request.query_string)
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not RequestValidator(token).validate(url, request.form, signature, algorithm=algorithm):
        return f"invalid {SIGNATURE_HEADER} for {url}"
    return None


def _text(body: str, status: int) -> Response:
    return Response(body + "\n", status=status, mimetype="text/plain")


@bp.post("/sms/status")
def status() -> Response:
    """Record one delivery receipt: 204 when applied or already known, 4xx with the reason otherwise."""
    svc = services()
    problem = _signature_problem(svc.settings)
    if problem:
        log.warning("refused /sms/status from %s: %s", request.remote_addr, problem)
        return _text("Forbidden: request signature not valid", 403)
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    raw_id = request.args.get("outbox")
    if not sid or not state or (raw_id is not None and not raw_id.isdigit()):
        return _text("Bad request: MessageSid and MessageStatus are required; outbox must be a number", 400)
    try:
        outcome = record_receipt(
            svc.sessions,
            message_sid=sid,
            status=state,
            outbox_id=int(raw_id) if raw_id else None,
            error_code=request.form.get("ErrorCode") or None,
            now=svc.clock.now(),
        )
    except UnknownMessage:
        log.warning("delivery receipt for unknown message %s (outbox %s)", sid, raw_id)
        return _text("Not found: no outbound message with that sid", 404)
    log.info("delivery receipt %s for outbox %s: %s", state, raw_id or sid, outcome)
    return Response(status=204)
