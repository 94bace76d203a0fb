"""Demo staff accounts and (optionally) demo reports, so a fresh `make run` has someone to sign in as and a
dashboard with something on it. Idempotent: run it as often as you like.

    python -m casework.cli.seed_demo            # demo staff, demo place data and reports (development only)
    python -m casework.cli.seed_demo --no-reports [--no-places]
    python -m casework.cli.seed_demo --remove       # delete the demo staff accounts (allowed in production)

Seeding refuses to run when APP_ENV=production: demo passwords are published in the README. In production
the webhook and the notifier refuse to start while any demo account exists (`refuse_demo_accounts`).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casework.cli.demo_places import load_demo_places
from casework.core.asb_types import ASB_TYPES
from casework.core.audit import audit
from casework.core.bootstrap import Services, build_services
from casework.core.clock import LONDON
from casework.core.db import read, transaction
from casework.core.models import ApiKey, ImportBatch, Report, ReportEvent, StaffUser, SurveyResponse
from casework.core.references import allocate_reference
from casework.core.settings import ConfigurationError
from casework.core.states import ReportStatus
from casework.core.workdays import add_working_days
from casework.partnership import Partnership
from casework.places import official_places
from casework.staff import create_staff

# The demo logins, documented in the README; only ever created outside production.
DEMO_STAFF = (
    ("admin@demo.asb.local", "Demo Admin", "admin", None, "demo-admin-pass"),
    ("triage@demo.asb.local", "Demo Triage Officer", "triage", None, "demo-triage-pass"),
    ("ldc@demo.asb.local", "Demo District Council Officer", "agency", "ldc", "demo-agency-pass"),
    ("viewer@demo.asb.local", "Demo Viewer", "viewer", None, "demo-viewer-pass"),
)
DEMO_MARK = "demo-seed:"  # intake_key prefix of demo reports, so they are recognisable and not made twice
DEMO_REPORTS = 240

# Who leads each demo type (the rest go to the police), as the partnership's routing would usually say.
_COUNCIL_TYPES = {
    "noise",
    "litter_flytipping",
    "graffiti",
    "animal_problems",
    "abandoned_vehicle",
    "neighbour_nuisance",
}


def _lead_for(p: Partnership, asb_type: str) -> str:
    if asb_type in _COUNCIL_TYPES:
        return p.council_agency
    if asb_type == "deliberate_fire" and p.fire_agency:
        return p.fire_agency
    return p.police_agency


_WORDS = {
    "noise": "Loud music from a house most nights until the early hours.",
    "rowdy_behaviour": "A group shouting and drinking outside the shops in the evening.",
    "vehicle_nuisance": "Off-road bikes racing up and down the park paths.",
    "litter_flytipping": "Bags of rubbish and a mattress dumped in the lane.",
    "graffiti": "Graffiti sprayed on the bus shelter and the wall behind it.",
    "criminal_damage": "Windows of the community centre smashed again.",
    "drug_activity": "Dealing from a car parked by the garages most afternoons.",
    "intimidation_harassment": "Youths following people home and shouting abuse.",
}


def seed_staff(session: Session, *, now: datetime) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the emails created."""
    created = []
    for email, name, role, agency, password in DEMO_STAFF:
        if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None:
            create_staff(
                session,
                email=email,
                name=name,
                password=password,
                role=role,
                agency_id=agency,
                now=now,
                actor="system:seed_demo",
            )
            created.append(email)
    return created


# Hours of the day (UK time) weighted the way ASB reports arrive: quiet overnight, busy in the evening.
_HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 7, 8, 9, 10, 11, 11, 10, 8, 4]
MAX_AGE_DAYS = 140


def _add_history(
    session: Session,
    rng: random.Random,
    report: Report,
    *,
    status: ReportStatus,
    created: datetime,
    now: datetime,
) -> None:
    """The demo report's timeline entry, and a survey answer for some closed ones (never in the future)."""
    session.add(
        ReportEvent(
            report_id=report.id,
            kind="created",
            actor="system:seed_demo",
            public=False,
            body="Demo report.",
            data={},
            created_at=created,
        )
    )
    closed = report.closed_at
    answered = closed + timedelta(days=30, hours=rng.uniform(1, 72)) if closed else None
    if status == ReportStatus.CLOSED and answered is not None and answered < now and rng.random() < 0.4:
        session.add(
            SurveyResponse(
                report_id=report.id, survey="1m", score=rng.choice([2, 3, 4, 4, 5, 5]), created_at=answered
            )
        )


def demo_received_at(rng: random.Random, now: datetime) -> datetime:
    """When a demo report came in: within the last 20 weeks, more in the evening and at weekends, never
    after ``now`` (the service clock)."""
    while True:
        day = (now - timedelta(days=rng.randrange(MAX_AGE_DAYS + 1))).astimezone(LONDON).date()
        if day.weekday() < 5 and rng.random() < 0.3:
            continue  # weekdays are drawn less often than Saturdays and Sundays
        hour = rng.choices(range(24), _HOUR_WEIGHTS)[0]
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=LONDON)
        received = local.astimezone(UTC)
        if received <= now - timedelta(minutes=5):
            return received


def demo_history(
    rng: random.Random, *, created: datetime, now: datetime, target_days: int
) -> tuple[ReportStatus, datetime | None, datetime | None]:
    """(status, first response, closed) for a demo report received at ``created``: each after the one
    before and none after ``now``. Recent reports are more often still open."""
    age_days = (now - created).total_seconds() / 86400
    open_weight = 60 if age_days < 7 else 10
    statuses = [ReportStatus.OPEN, ReportStatus.ACCEPTED, ReportStatus.IN_PROGRESS, ReportStatus.CLOSED]
    status = rng.choices(statuses, [open_weight, 15, 20, 50])[0]
    if status == ReportStatus.OPEN:
        return status, None, None
    responded = created + timedelta(hours=rng.uniform(0.5, 24 * max(target_days, 1) * 1.6))
    if responded >= now:
        return ReportStatus.OPEN, None, None
    if status != ReportStatus.CLOSED:
        return status, responded, None
    closed = responded + timedelta(hours=rng.uniform(2, 24 * 21))
    if closed >= now:
        return ReportStatus.IN_PROGRESS, responded, None
    return status, responded, closed


# A demo report's street in its ward, from the loaded place data: (name, town, key, latitude, longitude).
DemoStreet = tuple[str, str | None, str, float, float]
_WHERE = ("Near the shops on", "Outside the flats on", "Behind the garages on", "By the bus stop on", "On")


def _demo_streets(session: Session, p: Partnership) -> dict[str, list[DemoStreet]]:
    """The loaded streets by ward, so demo reports are on real streets (none without place data)."""
    places = official_places(session, p)
    by_ward: dict[str, list[DemoStreet]] = {}
    for entries in places.streets.values() if places else []:
        for st in entries:
            if st.ward:
                by_ward.setdefault(st.ward, []).append((st.name, st.town, st.key, st.lat, st.lon))
    return by_ward


def _demo_place(i: int, ward: str | None, streets: dict[str, list[DemoStreet]]) -> dict[str, object]:
    """Where a demo report is: a street of its ward with its point when place data is loaded."""
    if not ward:
        return {"location_text": "Not given"}
    rng = random.Random(f"demo-place/{i}")  # its own sequence: the reports' spread does not change
    choices = sorted(streets.get(ward, []))
    if not choices:
        return {
            "location_text": f"Near the shops, {ward}",
            "place_key": f"demo {ward} {rng.randrange(6)}".lower(),
        }
    name, town, key, lat, lon = rng.choice(choices[:6])  # a few streets per ward, so some repeat
    return {
        "location_text": f"{rng.choice(_WHERE)} {name}, {town or ward}",
        "place_key": key,
        "latitude": lat,
        "longitude": lon,
        "place_method": "street+town",
        "place_confidence": 0.95,
    }


def _seed_one(
    session: Session,
    p: Partnership,
    rng: random.Random,
    i: int,
    *,
    now: datetime,
    wards: list[str],
    hot: list[str],
    types: list[str],
    streets: dict[str, list[DemoStreet]],
) -> None:
    """One demo report, with its timeline entry and (for some closed ones) a survey answer."""
    created = demo_received_at(rng, now)
    asb_type = rng.choice(types[:8] * 3 + types)
    ward = rng.choice(hot * 3 + wards) if wards else None
    risk = rng.choices(["standard", "medium", "high"], [80, 15, 5])[0]
    target = p.response_targets_working_days.for_level(risk)
    status, responded, closed = demo_history(rng, created=created, now=now, target_days=target)
    lead = _lead_for(p, asb_type)
    report = Report(
        reference=allocate_reference(session),
        asb_type=asb_type,
        nsir_class=ASB_TYPES[asb_type].nsir_class,
        description=_WORDS.get(asb_type, "Ongoing problem in the area that is causing distress."),
        ward=ward,
        **_demo_place(i, ward, streets),  # type: ignore[arg-type]
        risk_level=risk,
        status=status,
        lead_agency=lead,
        copied_agencies=[],
        routing_reasons=[f"demo data: {asb_type} → {lead}"],
        channel=rng.choice(["web", "web", "sms"]),
        hate=rng.random() < 0.04,
        repeat_victim_count=rng.choice([1, 1, 1, 1, 2, 3]),
        repeat_location_count=rng.choice([1, 1, 2, 3, 4]),
        case_review_eligible=rng.random() < 0.03,
        due_at=add_working_days(created, target),
        first_response_at=responded,
        closed_at=closed,
        outcome="Resolved after a visit (demo)." if closed else None,
        intake_key=f"{DEMO_MARK}{i}",
        created_at=created,
        updated_at=closed or responded or created,
    )
    session.add(report)
    session.flush()
    _add_history(session, rng, report, status=status, created=created, now=now)


def demo_accounts(session: Session) -> list[str]:
    """The demo staff accounts (published passwords) present in this database."""
    emails = [email for email, *_ in DEMO_STAFF]
    found = session.scalars(select(StaffUser.email).where(func.lower(StaffUser.email).in_(emails)))
    return sorted(found)


def remove_demo_accounts(session: Session, *, now: datetime) -> list[str]:
    """Delete the demo staff accounts (audited; what they did stays in the audit trail); caller commits."""
    emails = demo_accounts(session)
    users = session.scalars(select(StaffUser).where(StaffUser.email.in_(emails))).all()
    ids = [u.id for u in users]
    for model in (ApiKey, ImportBatch):
        session.execute(update(model).where(model.created_by.in_(ids)).values(created_by=None))
    for user in users:
        audit(
            session,
            actor="system:seed_demo",
            action="staff.delete",
            at=now,
            target_type="staff",
            target_id=str(user.id),
            detail={"reason": "demo account"},
        )
        session.delete(user)
    return emails


def refuse_demo_accounts(services: Services) -> None:
    """In production, raise ConfigurationError naming any demo account (their passwords are public)."""
    if not services.settings.is_production:
        return
    found = read(services.sessions, demo_accounts)
    if found:
        raise ConfigurationError(
            "APP_ENV=production but these demo staff accounts exist, and their passwords are published in "
            f"the README: {', '.join(found)}. Remove them with `python -m casework.cli.seed_demo --remove` "
            "(run with the production settings), then start again."
        )


def seed_reports(services: Services, session: Session, *, now: datetime, count: int = DEMO_REPORTS) -> int:
    """Spread demo reports over the last 20 weeks, wards, types and times of day; none if already seeded."""
    existing = session.scalar(
        select(func.count()).select_from(Report).where(Report.intake_key.like(f"{DEMO_MARK}%"))
    )
    if existing:
        return 0
    p = services.partnership
    rng = random.Random(20261118)  # the same demo data every time
    wards = [w.name for w in p.wards]
    hot = list(p.hotspot_wards)
    types = list(ASB_TYPES)
    streets = _demo_streets(session, p)
    for i in range(count):
        _seed_one(session, p, rng, i, now=now, wards=wards, hot=hot, types=types, streets=streets)
    return count


def main(argv: list[str] | None = None) -> int:
    """Seed the configured database (refused in production)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-reports", action="store_true", help="only the demo staff accounts")
    parser.add_argument(
        "--no-places",
        action="store_true",
        help="do not load the approximate demo place data (fixture extracts)",
    )
    parser.add_argument("--remove", action="store_true", help="delete the demo staff accounts (any APP_ENV)")
    args = parser.parse_args(argv)
    services = build_services()
    if args.remove:
        with transaction(services.sessions) as session:
            removed = remove_demo_accounts(session, now=services.clock.now())
        print(f"seed_demo: {len(removed)} demo staff account(s) removed: {', '.join(removed) or 'none'}")
        return 0
    if services.settings.is_production:
        print("seed_demo: refused, APP_ENV=production (demo passwords are public)", file=sys.stderr)
        return 2
    now = services.clock.now()
    if not args.no_places:
        print(f"seed_demo: {load_demo_places(services)}")
    with transaction(services.sessions) as session:
        created = seed_staff(session, now=now)
        reports = 0 if args.no_reports else seed_reports(services, session, now=now)
    print(f"seed_demo: {len(created)} demo staff account(s) created, {reports} demo report(s) added")
    for email, _name, role, _agency, password in DEMO_STAFF:
        print(f"  {role:7} {email}  password: {password}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
