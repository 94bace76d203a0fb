"""/healthz tells an operator which part is down."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.core.models import Heartbeat


def test_healthz_is_503_and_names_the_parts_that_are_down(client, services) -> None:  # type: ignore[no-untyped-def]
    services.settings.RASA_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    services.settings.ACTION_SERVER_URL = "http://127.0.0.1:9"
    resp = client.get("/healthz")
    assert resp.status_code == 503
    parts = resp.get_json()["parts"]
    assert parts["database"]["status"] == "ok"
    assert parts["rasa"]["status"] == "down"
    assert parts["action_server"]["status"] == "down"
    assert parts["notifier"]["status"] == "down"


def test_a_fresh_notifier_heartbeat_counts_as_up(client, services) -> None:  # type: ignore[no-untyped-def]
    with services.sessions() as s, s.begin():
        s.add(Heartbeat(name="notifier:a", beat_at=services.clock.now(), info={}))
    parts = client.get("/healthz").get_json()["parts"]
    assert parts["notifier"]["status"] == "ok"


def test_the_short_addresses_printed_by_make_run_lead_to_the_chat_and_the_inbox(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/").headers["Location"].endswith("/chat")
    inbox = client.get("/inbox")
    assert inbox.status_code == 302 and inbox.headers["Location"].endswith("/staff/inbox")
    assert client.get("/staff/inbox").status_code in (302, 303)  # not signed in: to the sign-in page


def test_a_bad_partnership_file_stops_start_up_naming_the_file_and_key(services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from casework.partnership import PartnershipConfigError
    from webhook import create_app

    bad = tmp_path / "broken.yml"
    source = (Path(__file__).resolve().parents[3] / "partnerships" / "lichfield.yml").read_text()
    bad.write_text(source.replace("triage_agency: ldc-triage", "triage_agency: nobody"))
    services.settings.PARTNERSHIP = str(bad)
    with pytest.raises(PartnershipConfigError) as err:
        create_app({"TESTING": True}, services=services)
    assert "broken.yml" in str(err.value) and "triage_agency" in str(err.value)


def test_every_rasa_replica_is_probed(client, services) -> None:  # type: ignore[no-untyped-def]
    services.settings.RASA_URLS = "http://127.0.0.1:9,http://127.0.0.2:9"
    rasa = client.get("/healthz").get_json()["parts"]["rasa"]
    assert rasa["status"] == "down"
    assert "127.0.0.1:9" in rasa["detail"] and "127.0.0.2:9" in rasa["detail"]
