"""Interventions on reports: what was done, by which agency, with its class, counted for the partnership.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.interventions.counts import CLASSES, InterventionCounts, count_interventions
from casework.interventions.records import (
    MEDIATION_OUTCOMES,
    InterventionError,
    interventions_for,
    record_intervention,
    update_mediation_outcome,
)

if TYPE_CHECKING:
    from casework.partnership import Partnership
    from casework.staff import Actor


def record(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    kind: str,
    agency_id: str,
    done_on: date,
    outcome: str = "",
    mediation_outcome: str | None = None,
) -> int:
    """Use case: record an intervention on a report; returns its id (InterventionError says why not)."""
    with transaction(sessions) as session:
        row = record_intervention(
            session,
            actor=actor,
            reference=reference,
            now=now,
            partnership=partnership,
            kind=kind,
            agency_id=agency_id,
            done_on=done_on,
            outcome=outcome,
            mediation_outcome=mediation_outcome,
        )
        return row.id


def set_mediation_outcome(sessions: sessionmaker[Session], **kwargs: Any) -> None:
    """Use case: record how a mediation referral went."""
    with transaction(sessions) as session:
        update_mediation_outcome(session, **kwargs)


__all__ = [
    "CLASSES",
    "MEDIATION_OUTCOMES",
    "InterventionCounts",
    "InterventionError",
    "count_interventions",
    "interventions_for",
    "record",
    "record_intervention",
    "set_mediation_outcome",
]
