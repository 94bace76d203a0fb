"""State names: each state machine's words are the ones already stored, and each fits its column."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import String

from casework.case_review import CaseReviewState
from casework.conversation import InboundStatus
from casework.core.models import (
    CaseReviewApplication,
    EvidenceFile,
    ImportBatch,
    InboundSms,
    OutboxMessage,
    Report,
)
from casework.core.states import EvidenceStatus, OutboxStatus, ReportStatus
from casework.insight import ImportStatus

# What databases already hold (and the staff API shows): renaming one needs a data migration.
STORED = [
    (ReportStatus, Report.status, {"open", "accepted", "in_progress", "waiting", "linked", "closed"}),
    (
        OutboxStatus,
        OutboxMessage.status,
        {"pending", "held", "sending", "sent", "delivered", "failed", "cancelled"},
    ),
    (EvidenceStatus, EvidenceFile.status, {"pending", "fetching", "stored", "refused", "purge"}),
    (
        InboundStatus,
        InboundSms.status,
        {"received", "relaying", "answered", "deferred", "limited", "rejected", "opted_out"},
    ),
    (ImportStatus, ImportBatch.status, {"running", "done", "failed"}),
    (
        CaseReviewState,
        CaseReviewApplication.state,
        {
            "applied",
            "threshold_met",
            "threshold_not_met",
            "review_meeting",
            "recommendations",
            "closed",
            "appeal_requested",
            "appeal_decided",
        },
    ),
]


@pytest.mark.parametrize(("states", "column", "stored"), STORED, ids=[s[0].__name__ for s in STORED])
def test_the_state_names_keep_the_words_already_stored(states: type[StrEnum], column, stored) -> None:  # type: ignore[no-untyped-def]
    assert {s.value for s in states} == stored


@pytest.mark.parametrize(("states", "column", "stored"), STORED, ids=[s[0].__name__ for s in STORED])
def test_every_state_fits_its_column(states: type[StrEnum], column, stored) -> None:  # type: ignore[no-untyped-def]
    column_type = column.property.columns[0].type
    assert isinstance(column_type, String) and column_type.length is not None
    assert max(len(s) for s in states) <= column_type.length


def test_a_state_reads_and_compares_as_its_stored_word() -> None:
    assert ReportStatus.CLOSED == "closed"
    assert f"{OutboxStatus.CANCELLED}" == "cancelled"
    assert "in_progress" in (ReportStatus.IN_PROGRESS, ReportStatus.WAITING)
