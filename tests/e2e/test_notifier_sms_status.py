"""POST /sms/status: Twilio's signed delivery receipts move a message forward only, idempotently."""

from __future__ import annotations

from datetime import timedelta

from twilio.request_validator import RequestValidator

from casework.core.models import Contact, OutboxMessage
from casework.messaging.notifications import notify_victim
from casework.messaging.send_types import Receipt
from casework.messaging.sending import claim_due, complete
from notifier.options import NotifierOptions
from notifier.relay import Relay
from notifier.sms import ConsoleSmsSender
from tests.notifier_fakes import make_contact, make_report


def sent_message(services, *, provider_id="SM" + "a" * 32, complete_it=True):  # type: ignore[no-untyped-def]
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        contact = make_contact(session, now)
        report = make_report(session, now, contact=contact)
        message_id = notify_victim(session, report, purpose="status_update", now=now).id
        claim_due(session, now=now, worker="w", limit=5, partnership=services.partnership)
    if complete_it:
        with services.sessions() as session, session.begin():
            complete(
                session,
                message_id,
                worker="w",
                receipt=Receipt(provider_id=provider_id, delivery_status="queued"),
                now=now,
            )
    return message_id, contact.id


def post_receipt(client, services, message_id, status, sid="SM" + "a" * 32, error_code=None, sign=True):  # type: ignore[no-untyped-def]
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        form["ErrorCode"] = error_code
    path = f"/sms/status?outbox={message_id}"
    url = services.settings.PUBLIC_BASE_URL + path
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = RequestValidator(
            services.settings.TWILIO_AUTH_TOKEN
        ).compute_signature(url, form)
    return client.post(path, data=form, headers=headers)


def get(services, message_id):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.get(OutboxMessage, message_id)


def test_delivered_receipt_marks_the_message_delivered(client, services):
    message_id, _ = sent_message(services)
    assert post_receipt(client, services, message_id, "sent").status_code == 204
    assert post_receipt(client, services, message_id, "delivered").status_code == 204
    row = get(services, message_id)
    assert row.status == "delivered" and row.delivery_status == "delivered"


def test_late_or_repeated_receipts_never_move_the_state_backwards(client, services):
    message_id, _ = sent_message(services)
    post_receipt(client, services, message_id, "delivered")
    for late in ("sent", "queued", "sending", "delivered"):
        assert post_receipt(client, services, message_id, late).status_code == 204
    row = get(services, message_id)
    assert row.status == "delivered" and row.delivery_status == "delivered"


def test_unsigned_or_badly_signed_receipts_are_refused(client, services):
    message_id, _ = sent_message(services)
    assert post_receipt(client, services, message_id, "delivered", sign=False).status_code == 403
    resp = client.post(
        f"/sms/status?outbox={message_id}",
        data={"MessageSid": "SMx", "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    )
    assert resp.status_code == 403
    assert get(services, message_id).delivery_status == "queued"


def test_receipt_for_an_unknown_message_is_a_clear_404(client, services):
    resp = post_receipt(client, services, 999, "delivered", sid="SM" + "f" * 32)
    assert resp.status_code == 404 and b"no outbound message" in resp.data


def test_undelivered_because_the_carrier_filtered_it_goes_to_staff_for_wording_review(client, services):
    message_id, _ = sent_message(services)
    post_receipt(client, services, message_id, "undelivered", error_code="30007")
    row = get(services, message_id)
    assert row.status == "failed" and row.needs_attention and "wording needs review" in row.error_message
    assert post_receipt(client, services, message_id, "delivered").status_code == 204
    assert get(services, message_id).status == "failed"


def test_undelivered_to_a_landline_flags_the_number_invalid(client, services):
    message_id, contact_id = sent_message(services)
    post_receipt(client, services, message_id, "undelivered", error_code="30006")
    with services.sessions() as session:
        assert session.get(Contact, contact_id).number_invalid is True


def test_unreachable_handset_is_sent_again_later_and_old_receipts_are_ignored(client, services, clock):
    message_id, _ = sent_message(services)
    post_receipt(client, services, message_id, "undelivered", error_code="30003")
    row = get(services, message_id)
    assert row.status == "pending" and row.provider_id is None
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert post_receipt(client, services, message_id, "failed").status_code == 204
    again = get(services, message_id)
    assert again.status == "pending" and again.provider_id is None and again.delivery_status is None


def test_a_receipt_that_arrives_for_a_crashed_send_lets_reconciliation_confirm_it_without_resending(
    client, services, clock
):
    message_id, _ = sent_message(
        services, complete_it=False
    )  # claimed; the process died after Twilio took it
    assert post_receipt(client, services, message_id, "sent", sid="SM" + "b" * 32).status_code == 204
    assert get(services, message_id).provider_id == "SM" + "b" * 32
    clock.advance(minutes=3)
    # The console sender can look nothing up, but the receipt already proved Twilio has the message.
    relay = Relay(services, options=NotifierOptions(), senders={"sms": ConsoleSmsSender()}, worker="w2")
    assert relay.reconcile() == {"sent": 1}
    assert get(services, message_id).status == "sent"
