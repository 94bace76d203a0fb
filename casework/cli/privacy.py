"""Data protection commands for the data protection officer (every run is audited).

    python -m casework.cli.privacy sar --phone +447700900123 --out sar.json
    python -m casework.cli.privacy erase --phone +447700900123 [--include-open]
    python -m casework.cli.privacy retention
    python -m casework.cli.privacy subject-sar --name "Jo Bloggs" --out subject.json
    python -m casework.cli.privacy subject-erase --subject S-12

`sar` writes everything held about a phone number to a JSON file (readable only by its owner).
`erase` anonymises the number's reports, deletes its messages, chat turns, contact and Rasa trackers, and
cancels any SMS still queued to it; it refuses, changing nothing, while a report is open unless
--include-open is given. `retention` runs the daily retention job now. `subject-sar` writes what staff
recorded about a named person, household or address (subjects linked to reports, with those reports) for
that person's own request; `subject-erase` deletes one subject record and its links (the reports stay).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from casework.conversation import InvalidPhoneNumber, normalise_phone, sms_sender_id
from casework.core.bootstrap import Services, build_services
from casework.core.db import DatabaseUnavailable, transaction
from casework.evidence import StoredFileMissing, purge_files, storage_for
from casework.privacy import (
    OpenReportsNeedConfirmation,
    delete_trackers_for,
    erase,
    install_log_redaction,
    record_request,
    run_retention,
    secrets_from_settings,
    subject_access,
    subject_files,
)
from casework.subjects import erase_subject
from casework.subjects import subject_access as subject_record_access

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}

DESCRIPTION = "Data protection commands: subject access, erasure, retention (every run is audited)."


def cli_actor() -> str:
    """The audit actor for a command run by hand: "cli:" + the operating-system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"cli:{user}"


def run_sar(services: Services, *, phone: str, out: Path) -> dict[str, int]:
    """Write the subject access file and audit the request; returns the counts written."""
    now = services.clock.now()
    key = services.settings.SENDER_ID_KEY
    with transaction(services.sessions) as session:
        data = subject_access(session, phone=phone, sender_key=key, now=now)
        counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
        record_request(
            session,
            actor=cli_actor(),
            action="privacy.subject_access",
            now=now,
            sender_id=sms_sender_id(normalise_phone(phone), key),
            detail={"counts": counts, "file": out.name},
        )
        # Written inside the transaction: if the file cannot be written, the audit entry is not kept.
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, default=str)
            fh.write("\n")
        files = subject_files(session, phone=phone, sender_key=key)
    counts["evidence_files_written"] = _write_files(services, files, out.with_name(out.stem + "-files"))
    return counts


def _write_files(services: Services, files: list[tuple[int, str, str]], folder: Path) -> int:
    """Copy the person's photos and recordings beside the JSON, named by their id in it."""
    if not files:
        return 0
    storage = storage_for(services.settings)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = 0
    for file_id, key, media_type in files:
        try:
            data = storage.get(key)
        except StoredFileMissing:
            continue
        ext = EXTENSIONS.get(media_type, media_type.rsplit("/", 1)[-1] or "bin")
        path = folder / f"{file_id}.{ext}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        written += 1
    return written


def run_erase(services: Services, *, phone: str, include_open: bool) -> dict[str, object]:
    """Erase everything about the number, delete its Rasa trackers, audit it; returns what was erased."""
    now = services.clock.now()
    key = services.settings.SENDER_ID_KEY
    with transaction(services.sessions) as session:
        result = erase(session, phone=phone, sender_key=key, now=now, include_open=include_open)
        record_request(
            session,
            actor=cli_actor(),
            action="privacy.erasure",
            now=now,
            sender_id=sms_sender_id(normalise_phone(phone), key),
            detail={k: v for k, v in result.as_dict().items() if k != "tracker_events_deleted"},
        )
    erased: dict[str, object] = result.as_dict()
    # The erasure is committed: now the stored photos and recordings themselves are deleted.
    erased["evidence_files_deleted"] = purge_files(services)
    try:
        erased["tracker_events_deleted"] = delete_trackers_for(
            services.settings.RASA_TRACKER_DB_URL, result.sender_ids
        )
    except SQLAlchemyError as exc:
        # The casework erasure is committed; say plainly what is left rather than fail with a traceback.
        erased["tracker_events_deleted"] = None
        erased["tracker_error"] = (
            f"the Rasa tracker store could not be reached ({type(exc).__name__}): delete the conversations "
            f"{', '.join(result.sender_ids)} from its events table once it is up (the retention job also "
            "removes them after RETENTION_CONVERSATION_DAYS)"
        )
    return erased


def write_private_json(out: Path, data: object) -> None:
    """Write JSON readable only by its owner (mode 0600)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False, default=str)
        fh.write("\n")


def run_subject_commands(services: Services, args: argparse.Namespace) -> str:
    """subject-sar / subject-erase: what staff recorded about a named subject (audited)."""
    now = services.clock.now()
    if args.command == "subject-sar":
        data = subject_record_access(services.sessions, words=args.name, actor=cli_actor(), now=now)
        write_private_json(args.out, data)
        return f"Wrote {args.out} ({len(data['subjects'])} subject record(s)). Review it before release."
    erased = erase_subject(services.sessions, subject_id=args.subject, actor=cli_actor(), now=now)
    return f"Erased {erased} subject record(s) ({args.subject}); the reports stay."


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; exit code 0 on success, 1 on a refused request."""
    parser = argparse.ArgumentParser(prog="python -m casework.cli.privacy", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    sar = sub.add_parser("sar", help="write everything held about a phone number to a JSON file")
    sar.add_argument("--phone", required=True, help="the number, e.g. +447700900123 or 07700 900123")
    sar.add_argument("--out", required=True, type=Path, help="the JSON file to write")
    era = sub.add_parser("erase", help="erase everything held about a phone number")
    era.add_argument("--phone", required=True)
    era.add_argument("--include-open", action="store_true", help="also anonymise reports still open")
    sub.add_parser("retention", help="run the retention job now (the notifier runs it daily)")
    ssar = sub.add_parser("subject-sar", help="write what staff recorded about a named subject")
    ssar.add_argument("--name", required=True, help="words of the name, description or address")
    ssar.add_argument("--out", required=True, type=Path)
    serase = sub.add_parser("subject-erase", help="erase one subject record (e.g. S-12) and its links")
    serase.add_argument("--subject", required=True)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    services = build_services()
    install_log_redaction(secrets_from_settings(services.settings))
    try:
        if args.command == "sar":
            counts = run_sar(services, phone=args.phone, out=args.out)
            summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
            print(f"Wrote {args.out} ({summary}). The request is recorded in the audit trail.")
        elif args.command == "erase":
            erased = run_erase(services, phone=args.phone, include_open=args.include_open)
            print(json.dumps({"erased": erased}, indent=2))
            print("Erasure done and recorded in the audit trail.")
        elif args.command in ("subject-sar", "subject-erase"):
            print(run_subject_commands(services, args))
        else:
            print(json.dumps({"retention": run_retention(services).as_dict()}, indent=2))
    except InvalidPhoneNumber as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OpenReportsNeedConfirmation as exc:
        print(f"refused, nothing changed: {exc}", file=sys.stderr)
        return 1
    except (DatabaseUnavailable, OperationalError) as exc:
        print(
            f"error: the database is not answering ({type(exc).__name__}); nothing changed", file=sys.stderr
        )
        return 1
    finally:
        services.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
