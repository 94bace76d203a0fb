"""Tuning for the notifier process (all optional; the defaults suit one county's traffic)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifierOptions(BaseSettings):
    """NOTIFIER_* environment variables: intervals, batch size, lease and retry limits."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    NOTIFIER_RELAY_INTERVAL_SECONDS: float = Field(default=2.0, gt=0)
    NOTIFIER_BATCH_SIZE: int = Field(default=50, ge=1, le=1000)
    # Messages of one batch handed over at the same time (provider round trips overlap).
    NOTIFIER_SEND_CONCURRENCY: int = Field(default=4, ge=1, le=32)
    # A row left "sending" longer than this is reconciled (its process died or lost the answer).
    # Must exceed the batch deadline (half the lease) plus one send timeout.
    NOTIFIER_LEASE_SECONDS: float = Field(default=120.0, ge=1)
    NOTIFIER_RECONCILE_INTERVAL_SECONDS: float = Field(default=30.0, gt=0)
    NOTIFIER_SCAN_INTERVAL_SECONDS: float = Field(default=300.0, gt=0)
    NOTIFIER_HEARTBEAT_SECONDS: float = Field(default=15.0, gt=0)
    NOTIFIER_SEND_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0)
    NOTIFIER_MAX_ATTEMPTS: int = Field(default=8, ge=1)
    # One relay run keeps claiming batches while there is work, for at most this long.
    NOTIFIER_DRAIN_SECONDS: float = Field(default=10.0, gt=0)
