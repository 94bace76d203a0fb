"""The states of the tables several capabilities write: reports, the outbox and evidence files.

Each is a StrEnum whose values are the strings stored in the database and shown by the APIs, so a member
equals its stored value (``ReportStatus.CLOSED == "closed"``) and no migration is needed. A state that one
capability alone runs lives in that capability: ``conversation.InboundStatus`` (inbound SMS),
``insight.ImportStatus`` (import batches), ``case_review.CaseReviewState`` (Case Review applications).
"""

from __future__ import annotations

from enum import StrEnum


class ReportStatus(StrEnum):
    """A report's status. Staff set the first four; closing needs an outcome, linking a primary report.

    The public contracts show these values as they are (staff API ``status``); Open311 shows ``closed``
    as ``closed`` and every other status as ``open``.
    """

    OPEN = "open"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    LINKED = "linked"
    CLOSED = "closed"


class OutboxStatus(StrEnum):
    """An outbox row (a text or a referral): pending -> sending -> sent -> delivered; failed after the
    last retry; cancelled when it must not go (opted out, not safe to text, erased); held until quiet hours
    end. The provider's own delivery state (Twilio's queued, undelivered, read, ...) is kept apart, in
    ``delivery_status``."""

    PENDING = "pending"
    HELD = "held"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


# Not yet handed to anyone (may still be cancelled); handed over or given up (nothing more will happen).
UNSENT = (OutboxStatus.PENDING, OutboxStatus.HELD)
FINISHED = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.FAILED, OutboxStatus.CANCELLED)
# Staff may send again a text or referral that did not go.
RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.CANCELLED)


class EvidenceStatus(StrEnum):
    """An evidence file: pending (an MMS item to fetch from Twilio) -> fetching -> stored or refused;
    purge marks stored objects to delete, then the row."""

    PENDING = "pending"
    FETCHING = "fetching"
    STORED = "stored"
    REFUSED = "refused"
    PURGE = "purge"
