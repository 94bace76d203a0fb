"""Twilio's Media API for the MMS job: download with the account's credentials, then DELETE.

Twilio answers a media URL with a redirect to short-lived storage; requests follows it and drops the
Authorization header when the host changes, so our credentials go only to Twilio's API host (or
TWILIO_API_BASE_URL in tests). Downloads stream and stop as soon as they pass the size limit.
"""

from __future__ import annotations

import logging

import requests

from casework.core.bootstrap import Services
from casework.core.settings import Settings
from casework.evidence import FetchFailed, FetchRun, Refused, fetch_sms_media

log = logging.getLogger("notifier.media")

CHUNK = 64 * 1024
PERMANENT = {400, 401, 403, 404, 410}


class TwilioMedia:
    """Fetch and delete MMS media with HTTP Basic auth (account SID and auth token)."""

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self.session = requests.Session()
        self.session.auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        self.timeout = timeout

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """The media bytes (Refused past ``max_bytes``; FetchFailed on an HTTP or network error)."""
        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as resp:
                if resp.status_code != 200:
                    raise FetchFailed(
                        f"GET media: HTTP {resp.status_code}", permanent=resp.status_code in PERMANENT
                    )
                declared = int(resp.headers.get("Content-Length") or 0)
                if declared > max_bytes:
                    raise Refused(f"it is larger than {max_bytes // (1024 * 1024)} MB")
                data = bytearray()
                for chunk in resp.iter_content(CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        raise Refused(f"it is larger than {max_bytes // (1024 * 1024)} MB")
                return bytes(data)
        except requests.RequestException as exc:
            raise FetchFailed(f"GET media: {type(exc).__name__}") from exc

    def delete(self, url: str) -> None:
        """DELETE the Media resource (204; 404 means it is already gone)."""
        try:
            resp = self.session.delete(url + ".json", timeout=self.timeout)
        except requests.RequestException as exc:
            raise FetchFailed(f"DELETE media: {type(exc).__name__}") from exc
        if resp.status_code not in (200, 204, 404):
            raise FetchFailed(f"DELETE media: HTTP {resp.status_code}")


def fetch_media(services: Services) -> FetchRun | None:
    """The notifier job: fetch pending MMS media (only when Twilio credentials are configured)."""
    settings = services.settings
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        return None
    run = fetch_sms_media(services, TwilioMedia(settings))
    if run.stored or run.refused or run.retried:
        log.info(
            "mms media: %d stored, %d refused, %d to retry, %d deleted from Twilio",
            run.stored,
            run.refused,
            run.retried,
            run.deleted_from_twilio,
        )
    return run
