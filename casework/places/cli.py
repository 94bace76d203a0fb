"""`python -m casework.places import onspd|open-names|wards FILE`: load official open data for the area.

Each command shows a progress bar on the terminal, then a summary (imported, updated, already present,
skipped with reasons). Running it again with the same file adds nothing. A file not in the published
format is refused with a message naming the missing column. `check` prints the start-up warnings.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from casework.core.bootstrap import build_services
from casework.core.db import read
from casework.core.settings import load_settings
from casework.places.checks import check_against_official
from casework.places.formats import FormatError
from casework.places.importing import ImportSummary, import_onspd, import_open_names, import_wards
from casework.places.service import forget_official_places


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m casework.places", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import one official source for the partnership's area")
    imp.add_argument("source", choices=["onspd", "open-names", "wards"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--header", type=Path, help="OS Open Names: Doc/OS_Open_Names_Header.csv")
    sub.add_parser("check", help="check the partnership file against the imported data")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 2 when the file or partnership cannot be used."""
    args = _parser().parse_args(argv)
    services = build_services(load_settings())
    partnership = services.partnership
    if args.command == "check":
        warnings = read(services.sessions, check_against_official, partnership)
        for line in warnings:
            print(f"warning: {line}")
        print(f"{len(warnings)} warning(s)")
        return 0
    if not args.file.is_file():
        print(f"error: {args.file}: no such file", file=sys.stderr)
        return 2
    total = 0 if args.source == "wards" else args.file.stat().st_size
    bar = tqdm(
        total=total or None,
        unit="B" if total else " wards",
        unit_scale=bool(total),
        file=sys.stderr,
        desc=f"{args.source} {args.file.name}",
        disable=None,
    )
    common = {
        "partnership": partnership,
        "now": services.clock.now(),
        "actor": f"cli:{getpass.getuser()}",
        "progress": bar.update,
    }
    try:
        summary: ImportSummary
        if args.source == "onspd":
            summary = import_onspd(services.sessions, args.file, **common)  # type: ignore[arg-type]
        elif args.source == "open-names":
            summary = import_open_names(services.sessions, args.file, header=args.header, **common)  # type: ignore[arg-type]
        else:
            summary = import_wards(services.sessions, args.file, **common)  # type: ignore[arg-type]
    except FormatError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar.close()
    forget_official_places()
    print("\n".join(summary.lines()))
    return 0
