"""The Twilio REST client, optionally pointed at another base URL (a local fake or a contract mock)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from casework.core.settings import Settings


class BaseUrlHttpClient(TwilioHttpClient):
    """twilio-python's own HTTP client, with every api.twilio.com URL rewritten to ``base_url``.

    The real client builds the requests (paths, form fields, auth); only scheme and host change, so a
    test server sees exactly what Twilio would.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"TWILIO_API_BASE_URL must look like http://host:port, not {base_url!r}")
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._prefix = parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        """Send the request to the configured host instead of Twilio's."""
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def make_twilio_client(settings: Settings, *, timeout: float = 10.0) -> Client:
    """A Twilio client from settings; honours TWILIO_API_BASE_URL when set."""
    if settings.TWILIO_API_BASE_URL:
        http_client: TwilioHttpClient = BaseUrlHttpClient(settings.TWILIO_API_BASE_URL, timeout=timeout)
    else:
        http_client = TwilioHttpClient(timeout=timeout)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
