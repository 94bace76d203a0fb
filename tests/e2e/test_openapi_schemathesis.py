"""Property-based run of schemathesis against the real app (WSGI, temp database) from webhook/openapi.yaml.

Every operation in the description is called with generated valid and invalid input: no response may be a
server error, and every response must match the description (status code, content type, headers, body).
The assistant is a local stand-in for Rasa's REST channel, so /chat/messages exercises its success path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from casework.cli.migrate import upgrade
from casework.core.bootstrap import Services
from casework.core.db import make_engine, make_session_factory
from casework.core.settings import load_settings
from notifier.jobs import beat
from tests.rasa_standin import running_rasa

SPEC = Path(__file__).resolve().parents[2] / "webhook" / "openapi.yaml"
INTERNAL = "test-internal-token-0123456789"
STAFF = "test-staff-api-token-0123456789"
OPEN311 = "test-open311-key"


def buttons(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Rasa's answer with a quick reply, as the real assistant gives."""
    return [
        {
            "recipient_id": sender,
            "text": "What is happening?",
            "buttons": [{"title": "Noise", "payload": "/noise"}],
        }
    ]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real app on a fresh migrated SQLite database, with one report filed through the intake API."""
    from webhook import create_app

    path = tmp_path_factory.mktemp("openapi") / "api.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    with running_rasa(buttons) as rasa:
        settings_ = load_settings(
            DATABASE_URL=url,
            PARTNERSHIP="lichfield",
            PUBLIC_BASE_URL="http://localhost",
            SECRET_KEY="test-secret-key-0123456789",
            INTERNAL_API_TOKEN=INTERNAL,
            SENDER_ID_KEY="test-sender-key-0123456789",
            OPEN311_API_KEYS=OPEN311,
            STAFF_API_TOKEN=STAFF,
            RASA_URL=rasa.url,
            ACTION_SERVER_URL=rasa.url,
            RASA_TIMEOUT_SECONDS=5,
        )
        engine = make_engine(url)
        app = create_app(
            {"TESTING": False}, services=Services(settings_, engine, make_session_factory(engine))
        )
        client = app.test_client()
        filed = client.post(
            "/api/v1/intake",
            headers={"Authorization": f"Bearer {INTERNAL}"},
            json={
                "conversation_id": "web-schemathesis-conversation",
                "submission_id": "1",
                "channel": "web",
                "asb_type": "noise",
                "description": "Loud music every night",
                "location": "Dam Street, Lichfield",
            },
        )
        assert filed.status_code == 201, filed.get_data(as_text=True)
        wsgi_app.target = app
        yield app
        wsgi_app.target = None
        engine.dispose()


# Loaded from the file the app serves (a test below checks they are the same). Loaded eagerly: the lazy
# fixture loader of schemathesis 4.32 does not work with pytest 9 (it sets a private node attribute).
class AppUnderTest:
    """A WSGI entry point handed to schemathesis at collection; the fixture plugs the real app in."""

    target: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.target is not None, "the api_app fixture has not started the app"
        return self.target(environ, start_response)


wsgi_app = AppUnderTest()
schema = schemathesis.openapi.from_path(str(SPEC))
schema.app = wsgi_app
schema.config.update(base_url="http://localhost")


def credentials(path: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters a legitimate caller of this path sends."""
    if path.startswith("/api/v1/reports"):
        return {"Authorization": f"Bearer {STAFF}"}, {}
    if path.startswith("/api/v1/"):
        return {"Authorization": f"Bearer {INTERNAL}"}, {}
    if path.startswith("/open311/") and not path.startswith("/open311/v2/services"):
        return {}, {"api_key": OPEN311}
    return {}, {}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_matches_its_description_and_never_fails(api_app: Any, case: Any) -> None:
    # A notifier is alive (as in a running stack), so /healthz reports every part up.
    beat(api_app.extensions["asb"])
    headers, params = credentials(case.path)
    case.call_and_validate(headers=headers, params=params, checks=checks_for(case.path))


# Operations with a documented 400 for input a schema cannot rule out; "valid input is accepted" is not
# checked on them (everything else is).
CROSS_FIELD_RULES = {
    "/chat/messages": "a message made only of control or format characters has nothing to relay",
    "/open311/v2/requests.json": "end_date before start_date",
    "/api/v1/reports": "date_from after date_to",
}


def checks_for(path: str) -> list[Any]:
    """No server error, and every response as described; valid input accepted; methods as declared.

    Not run: the negative-data check (schemathesis expects every schema-violating request to be refused,
    but the edges are deliberately tolerant readers: unknown query parameters are ignored, and this test
    adds the caller's credentials to every request, which that check counts as a violation). Credentials
    are checked by test_every_secured_operation_refuses_a_caller_without_credentials below.
    """
    checks: list[Any] = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    if path not in CROSS_FIELD_RULES:
        checks.append(positive_data_acceptance)
    if not path.startswith("/open311/"):
        # Open311 answers any unknown path or method under /open311/v2/ with GeoReport's own 404 error list
        # (its catch-all route, which also puts POST in every Allow header) rather than Flask's 405.
        checks += [unsupported_method, allow_header_conformance]
    return checks


SECURED = [
    ("POST", "/api/v1/intake", 401),
    ("GET", "/api/v1/status?reference=ASB-K7M2QX&conversation_id=x", 401),
    ("GET", "/api/v1/places/resolve?q=Lichfield", 401),
    ("GET", "/api/v1/partnership", 401),
    ("GET", "/api/v1/reports", 401),
    ("GET", "/api/v1/reports/ASB-K7M2QX", 401),
    ("GET", "/open311/v2/requests.json", 403),
    ("POST", "/open311/v2/requests.json", 403),
    ("GET", "/open311/v2/requests/ASB-K7M2QX.json", 403),
    ("GET", "/open311/v2/tokens/abc.json", 403),
    ("GET", "/open311/v2/servicerequestupdates.json", 403),
    ("POST", "/open311/v2/servicerequestupdates.json", 403),
]


@pytest.mark.parametrize(("method", "path", "status"), SECURED)
def test_every_secured_operation_refuses_a_caller_without_credentials(
    api_app: Any, method: str, path: str, status: int
) -> None:
    client = api_app.test_client()
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        resp = client.open(path, method=method, headers=headers, json={} if method == "POST" else None)
        assert resp.status_code == status, (path, resp.status_code)
    wrong_key = client.open(path + ("&" if "?" in path else "?") + "api_key=wrong", method=method)
    assert wrong_key.status_code == status


def test_the_description_is_served_and_covers_the_public_contracts(api_app: Any) -> None:
    resp = api_app.test_client().get("/openapi.yaml")
    assert resp.status_code == 200
    served = yaml.safe_load(resp.get_data(as_text=True))
    assert served == yaml.safe_load(SPEC.read_text())
    for path in (
        "/chat/messages",
        "/api/v1/intake",
        "/api/v1/status",
        "/api/v1/reports",
        "/api/v1/reports/{reference}",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/healthz",
    ):
        assert path in served["paths"], path
