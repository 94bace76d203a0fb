"""The notifier's scheduled jobs, each a thin call into a casework use case (which owns its transaction)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from casework.core.bootstrap import Services
from casework.core.db import DatabaseUnavailable
from casework.core.heartbeat import beat as record_beat
from casework.core.heartbeat import forget
from casework.diary import queue_diary_reminders
from casework.messaging import queue_scheduled

log = logging.getLogger("notifier.jobs")


def logged(job: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a database outage or a lost race into one readable log line; the next run tries again."""

    @wraps(job)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except (DatabaseUnavailable, OperationalError) as exc:
            log.warning(
                "%s: database unavailable (%s); will try again", job.__name__, str(exc).splitlines()[0]
            )
        except IntegrityError:
            # Another notifier queued the same scheduled message first (dedupe key): nothing lost.
            log.info("%s: another notifier got there first; will re-check next run", job.__name__)
        return None

    return run


@logged
def beat(services: Services) -> None:
    """Record that this notifier process is alive (read by /healthz)."""
    record_beat(
        services.sessions, name=f"notifier:{services.settings.NOTIFIER_INSTANCE}", now=services.clock.now()
    )


def forget_beat(services: Services) -> None:
    """On a clean stop: remove this process's heartbeat so /healthz counts only processes that run."""
    name = f"notifier:{services.settings.NOTIFIER_INSTANCE}"[:60]
    try:
        forget(services.sessions, name=name)
    except Exception:  # the database may be what stopped us; the beat then simply ages out
        log.warning("could not remove the heartbeat of %s", name, exc_info=True)


@logged
def scan_schedules(services: Services) -> tuple[int, int]:
    """Queue due "still being worked on" updates and satisfaction surveys."""
    now = services.clock.now()
    cadence, surveys = queue_scheduled(services.sessions, now=now, partnership=services.partnership)
    if cadence or surveys:
        log.info("queued %d progress update(s) and %d satisfaction survey(s)", cadence, surveys)
    reminders = queue_diary_reminders(services.sessions, now=now, partnership=services.partnership)
    if reminders:
        log.info("queued %d diary reminder(s)", reminders)
    return cadence, surveys
