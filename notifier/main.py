"""Start the notifier: heartbeat and the jobs that relay the outbox, on an APScheduler clock."""

from __future__ import annotations

import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session

from casework.bootstrap import Services, build_services
from casework.models import Heartbeat

log = logging.getLogger("notifier")


def beat(services: Services) -> None:
    """Record that this notifier process is alive (read by /healthz)."""
    name = f"notifier:{services.settings.NOTIFIER_INSTANCE}"
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        _upsert_heartbeat(session, name, now)


def _upsert_heartbeat(session: Session, name: str, now) -> None:  # type: ignore[no-untyped-def]
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(name=name, beat_at=now, info={}))
    else:
        row.beat_at = now


def build_scheduler(services: Services) -> BlockingScheduler:
    """The notifier's jobs on a blocking scheduler."""
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        beat, "interval", seconds=15, args=[services], id="heartbeat", next_run_time=services.clock.now()
    )
    return scheduler


def main(argv: list[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    services = build_services()
    scheduler = build_scheduler(services)

    def _stop(signum: int, _frame: object) -> None:
        log.info("stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("notifier %s started", services.settings.NOTIFIER_INSTANCE)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
