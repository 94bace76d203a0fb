"""The inbox list and report page over HTTP: what a signed-in officer sees, and what is audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent
from tests.factories import (
    PASSWORD,
    cheap_password_hashing,
    make_contact,
    make_outbox,
    make_report,
    make_staff,
    make_turns,
)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the real form, CSRF token included."""
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})


def test_triage_officer_sees_reports_in_the_inbox_and_opens_one(services, client):
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        contact = make_contact(db, sender_id="web:abc")
        report = make_report(
            db,
            description="Music <script>alert(1)</script> all night",
            contact_id=contact.id,
            risk_level="high",
            conversation_id="web:abc",
        )
        make_report(db, asb_type="graffiti", ward="Stowe", lead_agency="ldc")
        make_outbox(db, report, status="cancelled", error_message="not sent: number opted out (STOP)")
        make_turns(
            db,
            "web:abc",
            [("resident", "There is loud music"), ("assistant", "I'm sorry to hear that.")],
            start=report.created_at.replace(minute=0) - timedelta(minutes=5),
        )
        db.commit()
        email, ref = officer.email, report.reference
    assert sign_in(client, email).status_code == 302
    listing = client.get("/staff/inbox").get_data(as_text=True)
    assert ref in listing and "High risk" in listing
    page = client.get(f"/staff/reports/{ref}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "number opted out (STOP)" in html
    assert "There is loud music" in html
    with services.sessions() as db:
        views = db.scalars(select(AuditEvent).where(AuditEvent.action == "report.view")).all()
        assert [(v.target_id, v.actor) for v in views] == [(ref, f"staff:{officer.id}")]
