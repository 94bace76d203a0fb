"""Sign-in security: atomic failure counting, a throttle instead of a lock, revocable sessions, no-store."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.db import make_engine, make_session_factory
from casework.core.models import AuditEvent, StaffUser
from casework.staff.sign_in import ACCOUNT_PAUSE, MAX_FAILED_LOGINS, authenticate
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, cheap_password_hashing, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _actions(services: Services) -> list[str]:
    with services.sessions() as db:
        return [a.action for a in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _error(resp) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'id="login-error">(.*?)<', resp.get_data(as_text=True), re.S)
    assert match, resp.get_data(as_text=True)
    return match.group(1).strip()


# Item 3: parallel guesses must not get more than the limit of password checks.


def test_parallel_wrong_guesses_check_no_more_than_the_limit_of_passwords(pg_db_url):  # type: ignore[no-untyped-def]
    engine = make_engine(pg_db_url, pool_size=20)
    sessions = make_session_factory(engine)
    with sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    guesses = 16
    barrier = threading.Barrier(guesses)
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        try:
            with sessions() as db:
                barrier.wait()
                authenticate(db, email=email, password=f"wrong guess {n}", now=FIXED_NOW, ip=f"203.0.113.{n}")
                db.commit()
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as db:
        actions = [a.action for a in db.scalars(select(AuditEvent).where(AuditEvent.action.like("login%")))]
        user = db.scalar(select(StaffUser).where(StaffUser.email == email))
        # Exactly the limit of wrong passwords was checked; every other guess was refused unchecked.
        assert actions.count("login.failed") == MAX_FAILED_LOGINS
        assert actions.count("login.throttled") == guesses - MAX_FAILED_LOGINS
        assert user.locked_until is not None and user.locked_until > FIXED_NOW
        # The right password is refused too while the account's pause lasts.
        assert not authenticate(db, email=email, password=PASSWORD, now=FIXED_NOW, ip="198.51.100.1").ok
    engine.dispose()


def test_parallel_guesses_from_one_address_stop_at_the_address_limit(pg_db_url):  # type: ignore[no-untyped-def]
    from casework.staff.sign_in import ADDRESS_LIMIT

    engine = make_engine(pg_db_url, pool_size=20)
    sessions = make_session_factory(engine)
    earlier = ADDRESS_LIMIT - 4
    with sessions() as db:
        email = make_staff(db, "triage").email
        for n in range(earlier):
            authenticate(db, email=f"earlier{n}@example.org", password="x", now=FIXED_NOW, ip="203.0.113.5")
        db.commit()
    guesses = 16
    barrier = threading.Barrier(guesses)
    outcomes: list[bool] = []

    def guess(n: int) -> None:
        with sessions() as db:
            barrier.wait()
            # Different accounts each time (so no account pause), one address.
            outcome = authenticate(
                db, email=f"guess{n}@example.org", password="x", now=FIXED_NOW, ip="203.0.113.5"
            )
            db.commit()
            outcomes.append(outcome.ok)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == guesses
    with sessions() as db:
        actions = [a.action for a in db.scalars(select(AuditEvent).where(AuditEvent.ip == "203.0.113.5"))]
        assert actions.count("login.failed") == ADDRESS_LIMIT
        assert actions.count("login.throttled") == earlier + guesses - ADDRESS_LIMIT
        assert not authenticate(db, email=email, password=PASSWORD, now=FIXED_NOW, ip="203.0.113.5").ok
    engine.dispose()


# Item 13: a locked (paused) account answers like an unknown address; short pause; per-address limit.


def test_a_paused_account_answers_exactly_like_an_unknown_address(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    for _ in range(MAX_FAILED_LOGINS):
        assert sign_in(client, email, "wrong password!").status_code == 401
    paused = sign_in(client, email)  # the right password, but the account is paused
    assert paused.status_code == unknown.status_code == 401
    assert _error(paused) == _error(unknown)
    assert "locked" not in paused.get_data(as_text=True)
    assert _actions(services).count("login.throttled") == 1


def test_the_account_pause_is_short_so_nobody_can_lock_a_user_out(services, client, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    for _round in range(3):  # an attacker keeps guessing; the owner gets in once each pause ends
        for _ in range(MAX_FAILED_LOGINS):
            sign_in(client, email, "wrong password!")
        assert sign_in(client, email).status_code == 401
        clock.advance(seconds=ACCOUNT_PAUSE.total_seconds() + 1)
    assert ACCOUNT_PAUSE <= timedelta(minutes=5)
    assert sign_in(client, email).status_code == 302


def test_one_address_guessing_across_accounts_is_refused_but_others_sign_in(services, app):  # type: ignore[no-untyped-def]
    from casework.staff.sign_in import ADDRESS_LIMIT

    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for n in range(ADDRESS_LIMIT):
        assert sign_in(attacker, f"guess{n}@example.org", "wrong password!").status_code == 401
    refused = sign_in(attacker, email)  # even the right password, from this address
    assert refused.status_code == 401
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(owner, email).status_code == 302
    with services.sessions() as db:
        throttled = db.scalar(select(AuditEvent).where(AuditEvent.action == "login.throttled"))
    assert throttled.ip == "203.0.113.9" and throttled.detail["reason"] == "address"


def test_an_admin_can_lift_the_pause(services, app, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        admin = make_staff(db, "admin").email
        db.commit()
        user_id = db.scalar(select(StaffUser.id).where(StaffUser.email == email))
    officer = app.test_client()
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(officer, email, "wrong password!")
    admin_client = app.test_client()
    sign_in(admin_client, admin)
    token = csrf_from(admin_client.get("/staff/admin/users").get_data(as_text=True))
    admin_client.post(
        f"/staff/admin/users/{user_id}", data={"role": "triage", "active": "yes", "csrf_token": token}
    )
    assert sign_in(officer, email).status_code == 302


# Item 4: sessions end on sign-out, password change, role change and deactivation.


def _copy_of(app, client):  # type: ignore[no-untyped-def]
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_signing_out_ends_every_copy_of_the_session(services, app):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        make_report(db)
        db.commit()
    officer = app.test_client()
    sign_in(officer, email)
    thief = _copy_of(app, officer)
    other_device = app.test_client()
    sign_in(other_device, email)
    assert thief.get("/staff/inbox").status_code == 200
    assert thief.get("/api/v1/reports").status_code == 200
    token = csrf_from(officer.get("/staff/inbox").get_data(as_text=True))
    officer.post("/staff/logout", data={"csrf_token": token})
    assert thief.get("/staff/inbox").status_code == 302
    assert thief.get("/api/v1/reports").status_code == 401
    assert other_device.get("/staff/inbox").status_code == 302
    sign_in(officer, email)  # signing in again works, with a fresh session
    assert officer.get("/staff/inbox").status_code == 200


def test_a_session_ends_by_itself_after_a_working_day(services, app, clock):  # type: ignore[no-untyped-def]
    from webhook.auth import SESSION_LIFETIME

    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    officer = app.test_client()
    sign_in(officer, email)
    thief = _copy_of(app, officer)
    clock.advance(seconds=SESSION_LIFETIME.total_seconds() - 60)
    assert thief.get("/staff/inbox").status_code == 200
    clock.advance(seconds=120)
    assert SESSION_LIFETIME <= timedelta(hours=12)
    assert thief.get("/staff/inbox").status_code == 302
    assert thief.get("/api/v1/reports").status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"role": "triage", "active": "yes", "new_password": "a brand new password"},
        {"role": "viewer", "active": "yes"},
        {"role": "triage", "active": "no"},
    ],
    ids=["password reset", "role change", "deactivation"],
)
def test_an_admin_change_ends_the_officers_sessions(services, app, change):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        admin = make_staff(db, "admin").email
        db.commit()
        user_id = db.scalar(select(StaffUser.id).where(StaffUser.email == email))
    officer = app.test_client()
    sign_in(officer, email)
    assert officer.get("/staff/dashboard").status_code == 200
    admin_client = app.test_client()
    sign_in(admin_client, admin)
    token = csrf_from(admin_client.get("/staff/admin/users").get_data(as_text=True))
    admin_client.post(f"/staff/admin/users/{user_id}", data={**change, "csrf_token": token})
    assert officer.get("/staff/dashboard").status_code == 302
    assert admin_client.get("/staff/admin/users").status_code == 200  # the admin's own session is untouched


def test_an_unrelated_admin_save_keeps_the_officer_signed_in(services, app):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        admin = make_staff(db, "admin").email
        db.commit()
        user_id = db.scalar(select(StaffUser.id).where(StaffUser.email == email))
    officer = app.test_client()
    sign_in(officer, email)
    admin_client = app.test_client()
    sign_in(admin_client, admin)
    token = csrf_from(admin_client.get("/staff/admin/users").get_data(as_text=True))
    admin_client.post(
        f"/staff/admin/users/{user_id}", data={"role": "triage", "active": "yes", "csrf_token": token}
    )
    assert officer.get("/staff/inbox").status_code == 200


def test_a_regenerated_or_revoked_staff_api_token_stops_at_once(services, app):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        admin = make_staff(db, "admin").email
        db.commit()
        user_id = officer.id
    admin_client = app.test_client()
    sign_in(admin_client, admin)
    token = csrf_from(admin_client.get("/staff/admin/users").get_data(as_text=True))

    def issue() -> str:
        page = admin_client.post(f"/staff/admin/users/{user_id}/token", data={"csrf_token": token})
        return re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True)).group(1)

    api = app.test_client()
    first = issue()
    assert api.get("/api/v1/reports", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    second = issue()
    assert api.get("/api/v1/reports", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert api.get("/api/v1/reports", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    revoked = admin_client.post(f"/staff/admin/users/{user_id}/token/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert api.get("/api/v1/reports", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    third = issue()
    admin_client.post(
        f"/staff/admin/users/{user_id}", data={"role": "triage", "active": "no", "csrf_token": token}
    )
    assert api.get("/api/v1/reports", headers={"Authorization": f"Bearer {third}"}).status_code == 401
    with services.sessions() as db:
        actions = [a.action for a in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "staff.api_token.revoke" in actions


# Item 15: nothing a member of staff sees is kept in a browser or proxy cache.


def test_staff_admin_login_api_and_open311_responses_are_not_stored(services, app):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        triage = make_staff(db, "triage").email
        admin = make_staff(db, "admin").email
        reference = make_report(db).reference
        db.commit()
    anonymous = app.test_client()
    officer = app.test_client()
    sign_in(officer, triage)
    admin_client = app.test_client()
    sign_in(admin_client, admin)
    responses = {
        "login page": anonymous.get("/staff/login"),
        "failed sign-in": sign_in(anonymous, "nobody@example.org", "wrong password!"),
        "inbox": officer.get("/staff/inbox"),
        "report page": officer.get(f"/staff/reports/{reference}"),
        "dashboard": officer.get("/staff/dashboard"),
        "export": officer.get("/staff/export.csv"),
        "admin users": admin_client.get("/staff/admin/users"),
        "admin api keys": admin_client.get("/staff/admin/api-keys"),
        "staff api": officer.get("/api/v1/reports"),
        "staff api report": officer.get(f"/api/v1/reports/{reference}"),
        "staff api refused": anonymous.get("/api/v1/reports"),
        "open311 requests": anonymous.get("/open311/v2/requests.json?api_key=test-open311-key"),
    }
    missing = {name: r.headers.get("Cache-Control") for name, r in responses.items()}
    assert {n: v for n, v in missing.items() if v is None or "no-store" not in v} == {}


def _client_behind_proxy(app, forwarded_for: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the reverse proxy
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


@pytest.mark.parametrize("settings_overrides", [{"TRUSTED_PROXY_COUNT": 1}])
def test_behind_a_trusted_proxy_the_limit_is_per_real_address(services, app):  # type: ignore[no-untyped-def]
    from casework.staff.sign_in import ADDRESS_LIMIT

    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    attacker = _client_behind_proxy(app, "203.0.113.9")
    for n in range(ADDRESS_LIMIT + 1):
        sign_in(attacker, f"guess{n}@example.org", "wrong password!")
    assert sign_in(_client_behind_proxy(app, "198.51.100.7"), email).status_code == 302
    with services.sessions() as db:
        logins = db.scalars(select(AuditEvent).where(AuditEvent.action.like("login%")))
        assert {a.ip for a in logins} == {"203.0.113.9", "198.51.100.7"}


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(services, app):  # type: ignore[no-untyped-def]
    from casework.staff.sign_in import ADDRESS_LIMIT

    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    for n in range(ADDRESS_LIMIT):
        sign_in(_client_behind_proxy(app, f"192.0.2.{n}"), f"guess{n}@example.org", "wrong password!")
    assert sign_in(_client_behind_proxy(app, "198.51.100.7"), email).status_code == 401
