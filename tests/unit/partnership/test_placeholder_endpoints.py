"""Production refuses referral endpoints that cannot be real (example domains, .invalid, loopback), naming
each agency and the key to change; development and the local production rehearsal accept them."""

from __future__ import annotations

import pytest

from casework.core.bootstrap import build_services
from casework.core.settings import ConfigurationError, load_settings
from casework.partnership import load_partnership, placeholder_endpoints
from casework.partnership.endpoints import placeholder_reason

PROD = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://asb@db.internal/asb",
    "SECRET_KEY": "a-long-production-secret-key-0001",
    "INTERNAL_API_TOKEN": "a-long-production-internal-token-01",
    "SENDER_ID_KEY": "a-long-production-sender-key-00001",
}


@pytest.mark.parametrize(
    ("host", "refused"),
    [
        ("lichfielddc.example.org", True),
        ("example.com", True),
        ("referrals.police.invalid", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", True),
        ("referrals.durham.gov.uk", False),
        ("203.0.113.9", False),
    ],
)
def test_placeholder_hosts(host: str, refused: bool) -> None:
    assert (placeholder_reason(host) is not None) is refused


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_production_refuses_each_shipped_partnership_naming_every_placeholder_agency(name: str) -> None:
    services = build_services(load_settings(PARTNERSHIP=name, **PROD))
    with pytest.raises(ConfigurationError) as refused:
        services.check_configuration()
    message = str(refused.value)
    flagged = placeholder_endpoints(load_partnership(name))
    assert flagged, "the shipped file uses development stand-ins"
    for line in flagged:
        assert line in message
    for agency_id, agency in load_partnership(name).agencies.items():
        if agency.referral.method != "inbox":
            assert f"({agency_id})" in message, agency_id
    services.engine.dispose()


def test_production_starts_once_every_endpoint_is_real() -> None:
    services = build_services(load_settings(PARTNERSHIP="durham", **PROD))
    p = services.partnership
    real = {}
    for agency_id, agency in p.agencies.items():
        ref = agency.referral
        update = {}
        if ref.address:
            update["address"] = f"asb-referrals@{agency_id}.gov.uk"
        if ref.url:
            update["url"] = f"https://referrals.{agency_id}.gov.uk/asb"
        real[agency_id] = agency.model_copy(update={"referral": ref.model_copy(update=update)})
    services.partnership = p.model_copy(update={"agencies": real})  # type: ignore[misc]
    services.check_configuration()  # no error
    services.engine.dispose()


def test_development_and_the_local_rehearsal_accept_stand_ins() -> None:
    build_services(load_settings(PARTNERSHIP="durham", DATABASE_URL="sqlite://")).check_configuration()
    rehearsal = build_services(load_settings(PARTNERSHIP="durham", ALLOW_PLACEHOLDER_ENDPOINTS=True, **PROD))
    rehearsal.check_configuration()
    rehearsal.engine.dispose()
