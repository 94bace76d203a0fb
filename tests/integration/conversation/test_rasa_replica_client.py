"""The webhook's client for several Rasa replicas (RASA_URLS): pinned by sender, fails over only when safe."""

from __future__ import annotations

import pytest

from casework.core.settings import load_settings
from tests.rasa_standin import free_port_url, running_rasa
from webhook.rasa_client import RasaClient, RasaUnavailable, ReplicatedRasaClient, client_for


def settings_with(**values: object):  # type: ignore[no-untyped-def]
    return load_settings(SECRET_KEY="k" * 20, INTERNAL_API_TOKEN="t" * 20, SENDER_ID_KEY="s" * 20, **values)


def test_one_url_gives_the_plain_client_and_several_give_the_replicated_one() -> None:
    assert isinstance(client_for(settings_with(RASA_URL="http://127.0.0.1:5005")), RasaClient)
    both = client_for(settings_with(RASA_URLS="http://127.0.0.1:5005, http://127.0.0.1:5006"))
    assert isinstance(both, ReplicatedRasaClient) and len(both.replicas) == 2


def test_each_conversation_stays_on_one_replica_and_conversations_spread_over_both() -> None:
    with running_rasa() as one, running_rasa() as two:
        client = ReplicatedRasaClient([one.url, two.url], timeout=5)
        for turn in range(3):
            for n in range(20):
                client.send(f"sms-{n}", f"turn {turn}", channel="sms")
        by_one = {c["sender"] for c in one.calls}
        by_two = {c["sender"] for c in two.calls}
    assert by_one and by_two and not (by_one & by_two)
    assert len(one.calls) + len(two.calls) == 60


def test_a_replica_that_refuses_connections_is_skipped() -> None:
    with running_rasa() as up:
        client = ReplicatedRasaClient([free_port_url(), up.url], timeout=5)
        answers = [client.send(f"web-{n}", "hello", channel="web") for n in range(10)]
    assert all(a[0]["text"] == "You said: hello" for a in answers)
    assert len(up.calls) == 10


def test_a_replica_that_answers_an_error_is_not_retried_elsewhere() -> None:
    # It may have processed the message; sending it to the other replica could process it twice.
    with running_rasa() as failing, running_rasa() as other:
        failing.mode = "down"
        client = ReplicatedRasaClient([failing.url, other.url], timeout=5)
        sender = next(
            s for s in (f"sms-{n}" for n in range(100)) if client.order_for(s)[0].url.startswith(failing.url)
        )
        with pytest.raises(RasaUnavailable):
            client.send(sender, "hello", channel="sms")
    assert other.calls == []
