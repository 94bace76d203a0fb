"""The outbox relay: claim due rows, hand each to its sender, record the outcome; reconcile stale claims.

Each step is its own short transaction, and the claim commits BEFORE any provider is called: a process
killed at any point leaves rows ``sending`` that `reconcile` settles after the lease, by asking the
provider (SMS) or by re-sending with the same delivery id and a note on the row (email, webhooks).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from casework.core.bootstrap import Services
from casework.messaging import (
    Claimed,
    Receipt,
    RetryPolicy,
    SendFailure,
    claim_batch,
    record_outcomes,
    settle_stale,
    stale,
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
        self.stopping = threading.Event()

    def run_once(self) -> RelayStats:
        """Claim one batch, hand its messages over (a few at a time), record the outcomes in one go."""
        stats = RelayStats()
        now = self.services.clock.now()
        claimed = claim_batch(
            self.services.sessions,
            now=now,
            worker=self.worker,
            limit=self.options.NOTIFIER_BATCH_SIZE,
            partnership=self.services.partnership,
            sms_per_number_per_day=self.services.settings.SMS_TEXTS_PER_NUMBER_PER_DAY,
        )
        stats.held, stats.cancelled = claimed.held, claimed.cancelled
        if not claimed.claimed:
            return stats
        started = time.monotonic()
        deadline = self.options.NOTIFIER_LEASE_SECONDS / 2

        def hand_over(message: Claimed) -> Receipt | SendFailure | None:
            if self.stopping.is_set() or time.monotonic() - started > deadline:
                # Stopping, or past half the lease (another process may soon reconcile): give it back unsent.
                return None
            return self._send(message)

        workers = min(self.options.NOTIFIER_SEND_CONCURRENCY, len(claimed.claimed))
        if workers == 1:
            results = [hand_over(m) for m in claimed.claimed]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="send") as pool:
                results = list(pool.map(hand_over, claimed.claimed))
        counts = record_outcomes(
            self.services.sessions,
            [(m.id, r) for m, r in zip(claimed.claimed, results, strict=True)],
            worker=self.worker,
            now=self.services.clock.now(),
            policy=self.policy,
        )
        for message, result in zip(claimed.claimed, results, strict=True):
            if isinstance(result, SendFailure):
                log.warning(
                    "outbox %s (%s to %s) not sent: %s",
                    message.id,
                    message.transport,
                    _who(message),
                    result.message,
                )
        stats.outcomes = counts
        stats.sent = counts.get("sent", 0)
        stats.retried = counts.get("retry", 0) + counts.get("backoff", 0)
        stats.unknown = counts.get("unknown", 0)
        stats.released = counts.get("released", 0)
        stats.failed = sum(
            n for k, n in counts.items() if k not in ("sent", "retry", "backoff", "unknown", "released")
        )
        if stats.released:
            log.warning(
                "released %d unsent rows (stopping, or the batch ran past %.0fs)", stats.released, deadline
            )
        return stats

    def _send(self, message: Claimed) -> Receipt | SendFailure:
        sender = self.senders.get(message.transport)
        if sender is None:
            return SendFailure(f"no sender for transport {message.transport!r}")
        try:
            return sender.send(message)
        except SendFailure as failure:
            return failure

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
        counts: dict[str, int] = {}
        for message in stale(self.services.sessions, now=now, lease=self.lease):
            sender = self.senders.get(message.transport)
            lookup = getattr(sender, "lookup", None)
            candidates: list[str] | None = None
            if lookup is not None:
                try:
                    candidates = lookup(message)
                except LookupUnavailable as exc:
                    log.warning(
                        "outbox %s: cannot check with the provider yet (%s); will retry", message.id, exc
                    )
                    counts["unchecked"] = counts.get("unchecked", 0) + 1
                    continue
            outcome = settle_stale(
                self.services.sessions, message, candidates=candidates, now=self.services.clock.now()
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
