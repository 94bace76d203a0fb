"""Conversations with residents: inbound SMS, web chat, the transcript, contacts and public status.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.conversation.contacts import (
    InvalidPhoneNumber,
    confirm_phone,
    get_or_create_sms_contact,
    is_valid_web_id,
    new_web_id,
    normalise_phone,
    sms_sender_id,
    uk_mobile,
    web_sender_id,
)
from casework.conversation.deferred import retry_deferred
from casework.conversation.inbound_sms import receive_sms
from casework.conversation.inbound_terms import BadInboundSms, InboundStatus, IncomingSms
from casework.conversation.public_status import made_by, my_reports, partnership_summary, public_status
from casework.conversation.transcript import AssistantUnavailable, claim_conversation, report_transcript
from casework.conversation.web_chat import (
    MAX_MESSAGE_CHARS,
    ChatInputError,
    ChatRateLimited,
    chat_history,
    client_key,
    send_message,
)
from casework.conversation.web_upload import UploadLimited, UploadRefused, upload_evidence

__all__ = [
    "AssistantUnavailable",
    "BadInboundSms",
    "ChatInputError",
    "ChatRateLimited",
    "InboundStatus",
    "IncomingSms",
    "InvalidPhoneNumber",
    "MAX_MESSAGE_CHARS",
    "chat_history",
    "claim_conversation",
    "client_key",
    "confirm_phone",
    "get_or_create_sms_contact",
    "is_valid_web_id",
    "new_web_id",
    "normalise_phone",
    "made_by",
    "my_reports",
    "partnership_summary",
    "public_status",
    "receive_sms",
    "report_transcript",
    "retry_deferred",
    "send_message",
    "UploadLimited",
    "UploadRefused",
    "upload_evidence",
    "sms_sender_id",
    "uk_mobile",
    "web_sender_id",
]
