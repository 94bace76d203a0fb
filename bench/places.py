"""Resolve place phrases against the fixture open data and print how many reach the right ward.

Loads tests/fixtures/open_data (ward boundaries, ONSPD, OS Open Names) for Lichfield into a temporary
SQLite database with the real import commands, then resolves each phrase of the YAML list
``[{phrase, ward, kind?}]``. ``ward: OUTSIDE`` marks a place outside the area: it must not be placed inside
(no ward, and not "in the area"). Prints % to the right ward, outside places placed inside (must be 0),
and figures per kind (the phrase's ``kind`` when given, else how it was resolved).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import yaml

from casework.cli.migrate import upgrade
from casework.core.db import make_engine, make_session_factory
from casework.partnership import load_partnership, normalise_place_name
from casework.places import import_onspd, import_open_names, import_wards, resolve_place

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "open_data"


def _load(url: str) -> None:
    sessions = make_session_factory(make_engine(url))
    p = load_partnership("lichfield")
    common = {"partnership": p, "now": datetime.now(UTC), "actor": "bench"}
    import_wards(sessions, FIXTURES / "lichfield_wards.geojson", **common)  # type: ignore[arg-type]
    import_onspd(sessions, FIXTURES / "onspd_extract.csv", **common)  # type: ignore[arg-type]
    import_open_names(
        sessions,
        FIXTURES / "os_open_names_extract.csv",
        header=FIXTURES / "os_open_names_header.csv",
        **common,  # type: ignore[arg-type]
    )


TARGET_RIGHT = 0.95  # share of phrases to the right ward; outside places placed inside must be 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=Path, default=ROOT / "bench" / "places_dev.yml")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    phrases = yaml.safe_load(args.phrases.read_text(encoding="utf-8")) or []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/places.sqlite3"
        upgrade(url)
        _load(url)
        sessions = make_session_factory(make_engine(url))
        p = load_partnership("lichfield")
        right = outside_inside = outside_total = 0
        per_kind: Counter[str] = Counter()
        per_kind_right: Counter[str] = Counter()
        started = time.perf_counter()
        with sessions() as session:
            for item in phrases:
                phrase, want = str(item["phrase"]), str(item["ward"])
                match = resolve_place(session, p, phrase)
                if want.upper() == "OUTSIDE":
                    outside_total += 1
                    ok = not match.in_area
                    outside_inside += 0 if ok else 1
                else:
                    ok = match.ward is not None and normalise_place_name(want) == normalise_place_name(
                        match.ward
                    )
                kind = str(
                    item.get("kind")
                    or ("outside" if want.upper() == "OUTSIDE" else match.method or "unresolved")
                )
                per_kind[kind] += 1
                per_kind_right[kind] += int(ok)
                right += int(ok)
                if not ok and args.show_misses:
                    print(
                        f"  miss: {phrase!r}: want {want}, got {match.ward} "
                        f"({match.method}, {match.candidates})"
                    )
        elapsed = time.perf_counter() - started
    n = len(phrases)
    print(f"phrases: {n} from {args.phrases.name}")
    print(f"to the right ward (outside: kept outside): {right}/{n} = {100 * right / max(n, 1):.1f}%")
    print(f"outside the area placed inside: {outside_inside} of {outside_total} (must be 0)")
    for kind in sorted(per_kind):
        print(
            f"  {kind:12} {per_kind_right[kind]:4}/{per_kind[kind]:<4} "
            f"{100 * per_kind_right[kind] / per_kind[kind]:5.1f}%"
        )
    print(f"resolution time: {1000 * elapsed / max(n, 1):.1f} ms per phrase")
    return 0 if outside_inside == 0 and right >= TARGET_RIGHT * n else 1  # the two targets


if __name__ == "__main__":
    sys.exit(main())
