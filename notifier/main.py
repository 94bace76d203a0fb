"""Start the notifier: APScheduler is only the clock; the jobs relay the outbox and queue scheduled texts.

Several notifier processes may run against PostgreSQL (rows are claimed with SKIP LOCKED); on SQLite run
one. SIGTERM or SIGINT stops it cleanly: the message in hand is finished, nothing new is claimed.
"""

from __future__ import annotations

import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

from casework.cli.seed_demo import refuse_demo_accounts
from casework.core.bootstrap import Services, build_services
from casework.core.db import DatabaseUnavailable, wait_for_database
from casework.core.settings import ConfigurationError
from casework.partnership import PartnershipConfigError
from casework.privacy import install_log_redaction, run_retention, secrets_from_settings
from notifier.deferred_replies import retry_deferred
from notifier.jobs import beat, forget_beat, logged, scan_schedules
from notifier.media import fetch_media
from notifier.options import NotifierOptions
from notifier.relay import Relay

log = logging.getLogger("notifier")


class RelayJobs:
    """The relay's two jobs, stoppable between batches."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        # The relay checks the same event between messages, so a stop never starts a new hand-over.
        self.stopping = relay.stopping

    @logged
    def relay_outbox(self) -> None:
        """Send what is due, batch by batch, until none is due or the drain budget is spent."""
        budget = self.relay.options.NOTIFIER_DRAIN_SECONDS
        while not self.stopping.is_set():
            stats = self.relay.drain(max_seconds=min(budget, 1.0))
            budget -= 1.0
            if not stats.busy or budget <= 0:
                return

    @logged
    def reconcile_stale(self) -> None:
        """Settle rows a killed or stalled process left "sending"."""
        self.relay.reconcile()


def build_scheduler(
    services: Services, options: NotifierOptions | None = None, jobs: RelayJobs | None = None
) -> BlockingScheduler:
    """The notifier's jobs on a blocking scheduler (coalesced, one instance of each at a time)."""
    options = options or NotifierOptions()
    jobs = jobs or RelayJobs(Relay(services, options=options))
    scheduler = BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    now = services.clock.now()
    scheduler.add_job(
        beat,
        "interval",
        seconds=options.NOTIFIER_HEARTBEAT_SECONDS,
        args=[services],
        id="heartbeat",
        next_run_time=now,
    )
    scheduler.add_job(
        jobs.relay_outbox,
        "interval",
        seconds=options.NOTIFIER_RELAY_INTERVAL_SECONDS,
        id="relay_outbox",
        next_run_time=now,
    )
    scheduler.add_job(
        jobs.reconcile_stale,
        "interval",
        seconds=options.NOTIFIER_RECONCILE_INTERVAL_SECONDS,
        id="reconcile_stale",
        next_run_time=now,
    )
    scheduler.add_job(
        scan_schedules,
        "interval",
        seconds=options.NOTIFIER_SCAN_INTERVAL_SECONDS,
        args=[services],
        id="scan_schedules",
        next_run_time=now,
    )
    scheduler.add_job(logged(run_retention), "cron", hour=2, minute=30, args=[services], id="retention")
    scheduler.add_job(logged(retry_deferred), "interval", seconds=30, args=[services], id="retry_deferred")
    # MMS photos are fetched moments after the resident was answered (Twilio waits only 15 seconds).
    scheduler.add_job(logged(fetch_media), "interval", seconds=5, args=[services], id="fetch_media")
    return scheduler


def main(argv: list[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # twilio-python logs every request at INFO, phone numbers and message text included: keep them out.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    try:
        services = build_services()
        services.check_configuration()
        install_log_redaction(secrets_from_settings(services.settings))  # no numbers or secrets in logs
        options = NotifierOptions()
        wait_for_database(services.engine)
        refuse_demo_accounts(services)  # in production: their passwords are in the README
    except (ConfigurationError, PartnershipConfigError, DatabaseUnavailable) as exc:
        log.critical("notifier cannot start: %s", exc)
        return 2
    jobs = RelayJobs(Relay(services, options=options))
    scheduler = build_scheduler(services, options, jobs)

    def _stop(signum: int, _frame: object) -> None:
        log.info("stopping (signal %s): finishing the message in hand", signum)
        jobs.stopping.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sms = type(jobs.relay.senders.get("sms")).__name__
    log.info(
        "notifier %s started (SMS by %s; relay every %ss, batch %d, lease %ss)",
        services.settings.NOTIFIER_INSTANCE,
        sms,
        options.NOTIFIER_RELAY_INTERVAL_SECONDS,
        options.NOTIFIER_BATCH_SIZE,
        options.NOTIFIER_LEASE_SECONDS,
    )
    scheduler.start()
    forget_beat(services)
    log.info("notifier %s stopped", services.settings.NOTIFIER_INSTANCE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
