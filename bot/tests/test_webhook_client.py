"""The HTTP client is built lazily from the environment and never at import time."""

import asyncio
import importlib

from actions import webhook_client


def test_importing_the_module_builds_no_client():
    module = importlib.reload(webhook_client)
    assert module._client is None


def test_settings_come_from_the_environment_with_a_loopback_default(monkeypatch):
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    monkeypatch.setenv("INTERNAL_API_TOKEN", "t0k3n")
    settings = webhook_client.WebhookSettings.from_env()
    assert settings.base_url == "http://127.0.0.1:8000" and settings.token == "t0k3n"


def test_a_missing_token_is_treated_as_unavailable_not_sent():
    client = webhook_client.WebhookClient(
        webhook_client.WebhookSettings(base_url="http://127.0.0.1:9", token=None)
    )
    try:
        asyncio.run(client.partnership())
    except webhook_client.WebhookUnavailable as exc:
        assert "INTERNAL_API_TOKEN" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected WebhookUnavailable")
