"""Notifier job: relay SMS kept while the assistant was down, and text residents its replies."""

from __future__ import annotations

import logging

from casework.conversation import retry_deferred as relay_deferred
from casework.core.bootstrap import Services
from webhook.rasa_client import client_for

log = logging.getLogger("notifier.deferred_replies")


def retry_deferred(services: Services) -> int:
    """Relay deferred inbound SMS to Rasa in order; each answer becomes an outbox row (purpose "reply")."""
    delivered = relay_deferred(services, assistant=client_for(services.settings))
    if delivered:
        log.info("relayed %d deferred inbound SMS; replies queued as outbound SMS", delivered)
    return delivered
