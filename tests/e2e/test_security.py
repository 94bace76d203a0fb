"""Every response carries the security headers; oversized requests get a friendly 413; logs stay clean."""

from __future__ import annotations

import logging

from casework.privacy.redaction import RedactingFilter, mask_phone_numbers


def test_every_response_carries_the_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/healthz", "/no-such-page"):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] in ("same-origin", "no-referrer")


def test_hsts_is_sent_when_the_public_address_is_https(client) -> None:  # type: ignore[no-untyped-def]
    # The test settings use PUBLIC_BASE_URL=https://asb.example.org.
    assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_hsts_on_a_plain_http_deployment(services) -> None:  # type: ignore[no-untyped-def]
    from webhook import create_app

    services.settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    client = create_app({"TESTING": True}, services=services).test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_an_oversized_chat_message_is_refused_with_a_friendly_json_413(client) -> None:  # type: ignore[no-untyped-def]
    big = "x" * (2 * 1024 * 1024)
    resp = client.post("/chat/messages", json={"sender": "s", "message": big})
    assert resp.status_code == 413
    assert "too large" in resp.get_json()["error"]
    assert "1 MB" in resp.get_json()["error"]
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_an_oversized_form_post_is_refused_with_a_plain_413(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/sms/inbound", data={"Body": "x" * (2 * 1024 * 1024)})
    assert resp.status_code == 413
    assert resp.mimetype == "text/plain"
    assert "too large" in resp.get_data(as_text=True)


def test_phone_numbers_are_masked_in_every_log_record(app, caplog) -> None:  # type: ignore[no-untyped-def]
    log = logging.getLogger("some.module.anywhere")
    with caplog.at_level(logging.INFO):
        log.info("SMS from %s to %s", "+447700900123", "07700 900456")
        log.warning("form From=%2B447700900789&Body=hi")
    text = caplog.text
    for number in ("447700900123", "7700 900456", "07700900456", "447700900789"):
        assert number not in text
    assert "123" in text and "456" in text  # the last digits stay, so support can tell messages apart


def test_secrets_and_tokens_never_reach_the_log(app, services, caplog) -> None:  # type: ignore[no-untyped-def]
    log = logging.getLogger("webhook.anything")
    with caplog.at_level(logging.INFO):
        log.info("settings %s", services.settings.SECRET_KEY)
        log.info("calling with Authorization: Bearer abcdefghijklmnop")
        log.info("GET /open311/v2/requests.json?api_key=test-open311-key&x=1")
        log.info("db postgresql+psycopg://asb:hunter2secret@postgres/asb")
        try:
            raise ValueError(f"bad token {services.settings.INTERNAL_API_TOKEN}")
        except ValueError:
            log.exception("failed")
    text = caplog.text
    assert services.settings.SECRET_KEY not in text
    assert services.settings.INTERNAL_API_TOKEN not in text
    assert "abcdefghijklmnop" not in text
    assert "test-open311-key" not in text
    assert "hunter2secret" not in text
    assert "[redacted]" in text


def test_masking_keeps_other_numbers_intact() -> None:
    assert mask_phone_numbers("reference ASB-2026-000123 at 2026-11-18 10:00") == (
        "reference ASB-2026-000123 at 2026-11-18 10:00"
    )
    assert mask_phone_numbers("+447700900123") == "+*********123"
    assert RedactingFilter(["s3cr3t-value"]).redact("x s3cr3t-value y") == "x [redacted] y"
