"""The outbox relay: claim due rows, hand each to its sender, record the outcome; reconcile stale claims.

Each step is its own short transaction, and the claim commits BEFORE any provider is called: a process
killed at any point leaves rows ``sending`` that `reconcile` settles after the lease, by asking the
provider (SMS) or by re-sending with the same delivery id and a note on the row (email, webhooks).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from casework.bootstrap import Services
from casework.sending import (
    Claimed,
    Receipt,
    RetryPolicy,
    SendFailure,
    claim_due,
    complete,
    fail,
    known_provider_ids,
    release,
    resolve_stale,
    stale_claims,
)
from notifier.agencies import EmailSender, Open311Sender, WebhookSender
from notifier.options import NotifierOptions
from notifier.sms import LookupUnavailable, make_sms_sender, mask_number

log = logging.getLogger("notifier.relay")


class Sender(Protocol):
    """Anything that can hand one outbox row to its destination."""

    def send(self, message: Claimed) -> Receipt: ...


@dataclass
class RelayStats:
    """What one relay run did."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    held: int = 0
    cancelled: int = 0
    unknown: int = 0
    released: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def busy(self) -> bool:
        """True when the run found any due work."""
        return any(
            (self.sent, self.failed, self.retried, self.held, self.cancelled, self.unknown, self.released)
        )


def default_senders(services: Services, options: NotifierOptions) -> dict[str, Sender]:
    """Senders per transport: SMS by Twilio (or console), referrals by email, webhook or Open311."""
    timeout = options.NOTIFIER_SEND_TIMEOUT_SECONDS
    return {
        "sms": make_sms_sender(services.settings),
        "email": EmailSender(services.settings, timeout=timeout),
        "webhook": WebhookSender(services.partnership, timeout=timeout),
        "open311": Open311Sender(services.partnership, timeout=timeout),
    }


class Relay:
    """Moves outbox rows to their senders for one notifier process."""

    def __init__(
        self,
        services: Services,
        *,
        options: NotifierOptions | None = None,
        senders: dict[str, Sender] | None = None,
        worker: str | None = None,
    ) -> None:
        self.services = services
        self.options = options or NotifierOptions()
        self.senders = senders if senders is not None else default_senders(services, self.options)
        self.worker = worker or services.settings.NOTIFIER_INSTANCE
        self.policy = RetryPolicy(max_attempts=self.options.NOTIFIER_MAX_ATTEMPTS)
        self.lease = timedelta(seconds=self.options.NOTIFIER_LEASE_SECONDS)

    def _partnership(self):  # type: ignore[no-untyped-def]
        try:
            return self.services.partnership
        except Exception:  # noqa: BLE001 - a bad partnership file must not stop SMS going (defaults apply)
            log.exception("partnership not loaded; using default quiet hours")
            return None

    def run_once(self) -> RelayStats:
        """Claim one batch and send it."""
        stats = RelayStats()
        now = self.services.clock.now()
        with self.services.sessions() as session, session.begin():
            claimed = claim_due(
                session,
                now=now,
                worker=self.worker,
                limit=self.options.NOTIFIER_BATCH_SIZE,
                partnership=self._partnership(),
            )
        stats.held, stats.cancelled = claimed.held, claimed.cancelled
        started = time.monotonic()
        deadline = self.options.NOTIFIER_LEASE_SECONDS / 2
        for index, message in enumerate(claimed.claimed):
            if time.monotonic() - started > deadline:
                # Past half the lease another process may soon reconcile these: give them back unsent.
                rest = [m.id for m in claimed.claimed[index:]]
                with self.services.sessions() as session, session.begin():
                    stats.released = release(session, rest, worker=self.worker, now=self.services.clock.now())
                log.warning("batch ran past %.0fs; released %d unsent rows", deadline, stats.released)
                break
            self._send_one(message, stats)
        return stats

    def _send_one(self, message: Claimed, stats: RelayStats) -> None:
        sender = self.senders.get(message.transport)
        try:
            if sender is None:
                raise SendFailure(f"no sender for transport {message.transport!r}")
            receipt = sender.send(message)
        except SendFailure as failure:
            with self.services.sessions() as session, session.begin():
                outcome = fail(
                    session,
                    message.id,
                    worker=self.worker,
                    failure=failure,
                    now=self.services.clock.now(),
                    policy=self.policy,
                )
            outcome = outcome or "moved_on"
            stats.outcomes[outcome] = stats.outcomes.get(outcome, 0) + 1
            if outcome in ("retry", "backoff"):
                stats.retried += 1
            elif outcome == "unknown":
                stats.unknown += 1
            else:
                stats.failed += 1
            log.warning(
                "outbox %s (%s to %s) %s: %s",
                message.id,
                message.transport,
                _who(message),
                outcome,
                failure.message,
            )
            return
        with self.services.sessions() as session, session.begin():
            complete(session, message.id, worker=self.worker, receipt=receipt, now=self.services.clock.now())
        stats.sent += 1
        log.debug("outbox %s sent (%s)", message.id, receipt.provider_id)

    def drain(self, max_seconds: float | None = None) -> RelayStats:
        """Run batches while there is due work, for at most ``max_seconds`` (the scheduler's relay job)."""
        budget = self.options.NOTIFIER_DRAIN_SECONDS if max_seconds is None else max_seconds
        started = time.monotonic()
        total = RelayStats()
        while True:
            stats = self.run_once()
            for name in ("sent", "failed", "retried", "held", "cancelled", "unknown", "released"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            if not stats.busy or time.monotonic() - started >= budget:
                break
        if total.busy:
            log.info(
                "relay: sent %d, retrying %d, failed %d, held %d (quiet hours), cancelled %d, unknown %d",
                total.sent,
                total.retried,
                total.failed,
                total.held,
                total.cancelled,
                total.unknown,
            )
        return total

    def reconcile(self) -> dict[str, int]:
        """Settle rows left ``sending`` past the lease: look SMS up at the provider before any re-send."""
        now = self.services.clock.now()
        with self.services.sessions() as session, session.begin():
            stale = stale_claims(session, now=now, lease=self.lease)
        counts: dict[str, int] = {}
        for message in stale:
            sender = self.senders.get(message.transport)
            lookup = getattr(sender, "lookup", None)
            found: str | None = None
            checked = False
            if lookup is not None:
                try:
                    candidates = lookup(message)
                except LookupUnavailable as exc:
                    log.warning(
                        "outbox %s: cannot check with the provider yet (%s); will retry", message.id, exc
                    )
                    counts["unchecked"] = counts.get("unchecked", 0) + 1
                    continue
                checked = True
            with self.services.sessions() as session, session.begin():
                if checked:
                    known = known_provider_ids(session, candidates)
                    found = next((c for c in candidates if c not in known), None)
                outcome = resolve_stale(
                    session,
                    message.id,
                    claimed_by=message.claimed_by,
                    found_provider_id=found,
                    checked=checked,
                    now=self.services.clock.now(),
                )
            counts[outcome] = counts.get(outcome, 0) + 1
            log.info(
                "outbox %s (%s to %s) left sending by %s: %s",
                message.id,
                message.transport,
                _who(message),
                message.claimed_by,
                outcome,
            )
        return counts


def _who(message: Claimed) -> str:
    return (
        mask_number(message.recipient)
        if message.transport == "sms"
        else (message.agency_id or message.recipient)
    )
