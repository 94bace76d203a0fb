"""Everything the product sends: the outbox, texts to victims, referrals to agencies, and delivery.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.messaging.delivery import (
    claim_batch,
    queue_scheduled,
    record_outcomes,
    record_receipt,
    settle_stale,
    stale,
)
from casework.messaging.diary_updates import queue_diary_update
from casework.messaging.notifications import (
    notify_case_review,
    notify_filed,
    notify_victim,
    record_text_safe_answer,
    render,
    sms_block_reason,
)
from casework.messaging.outbox import enqueue
from casework.messaging.receipts import UnknownMessage
from casework.messaging.referrals import queue_referral
from casework.messaging.send_types import Claimed, Receipt, RetryPolicy, SendFailure
from casework.messaging.sending import requeue_for_staff

__all__ = [
    "Claimed",
    "Receipt",
    "RetryPolicy",
    "SendFailure",
    "UnknownMessage",
    "claim_batch",
    "enqueue",
    "notify_case_review",
    "notify_filed",
    "notify_victim",
    "queue_diary_update",
    "queue_referral",
    "queue_scheduled",
    "record_outcomes",
    "record_receipt",
    "record_text_safe_answer",
    "render",
    "requeue_for_staff",
    "settle_stale",
    "sms_block_reason",
    "stale",
]
