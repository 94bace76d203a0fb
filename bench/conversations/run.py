"""End-to-end conversations: scripted residents file reports through the public doors, judged by staff API.

Each scenario in scenarios.yml (written blind: by someone who had read neither the training data nor the
dialogue) is played by a scripted resident (resident.py) through the signed `POST /sms/inbound` or
`POST /chat/messages`, exactly as a phone or browser would. Each filed report is then read back through the
staff API (signed in as the demo triage officer) and judged: filed, right type, right lead agency.

Prints task success, resident messages per report (median and p90) by channel and type class, silent
replies, danger messages answered without 999 guidance first (at a later turn of the report, and when
adding to a filed report: a scenario's optional `diary_danger`, judged on its 999 guidance first and on the
entry reaching the report), and turn p50/p95.

    .venv/bin/python bench/conversations/run.py                 # against `make run` (127.0.0.1:8000)
    .venv/bin/python bench/conversations/run.py --spawn         # start a private stack for the run
    .venv/bin/python bench/conversations/run.py --spawn --check # exit 1 below the floor (make test)
    .venv/bin/python bench/conversations/run.py --spawn --scenarios FILE   # another scenario file
    .venv/bin/python bench/conversations/run.py --burst-only --burst 400  # 400 first texts, 400 numbers
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.conversations.resident import Played, Send, play  # noqa: E402
from bench.conversations.stack import private_stack  # noqa: E402
from bench.load.resident import sms_sender as load_sms_sender  # noqa: E402

SCENARIOS = Path(__file__).with_name("scenarios.yml")
CLASSES = {
    "intimidation_harassment": "personal",
    "abandoned_vehicle": "environmental",
    "criminal_damage": "environmental",
    "graffiti": "environmental",
    "litter_flytipping": "environmental",
    "animal_problems": "environmental",
    "deliberate_fire": "environmental",
}
# The floor `make test` enforces (the targets are printed beside the figures).
FLOOR_SUCCESS = 0.90
TARGET_SUCCESS = 0.97
NUMBERED = re.compile(r"^\s*(\d+)[.)]?\s+(.+?)\s*$")
EXAMPLE_REFERENCE = "ASB-7K3QXR"


def type_class(scenario: dict[str, Any]) -> str:
    expect = scenario.get("expect") or {}
    if expect.get("domestic_abuse") or expect.get("hate"):
        return "personal"
    return CLASSES.get(str(expect.get("asb_type")), "nuisance")


# -- the two doors ---------------------------------------------------------------------------------


def sms_sender(url: str, public_url: str, token: str, number: str) -> Send:
    """Texts as Twilio delivers them (bench/load's signed sender); numbered choices read back as buttons."""
    send_sms = load_sms_sender(url, public_url, token, number)

    def send(message: str) -> tuple[list[str], list[dict[str, str]]]:
        texts, _ = send_sms(message)
        buttons = [
            {"title": m.group(2)}
            for text in texts
            for line in text.splitlines()
            if (m := NUMBERED.match(line))
        ]
        return texts, buttons

    return send


def chat_sender(url: str) -> Send:
    """The web chat as a browser uses it (one cookie per resident)."""
    session = requests.Session()

    def send(message: str) -> tuple[list[str], list[dict[str, str]]]:
        resp = session.post(url.rstrip("/") + "/chat/messages", json={"message": message}, timeout=30)
        if resp.status_code >= 500:
            raise RuntimeError(f"HTTP {resp.status_code}")
        body = resp.json() if resp.status_code == 200 else []
        buttons = [b for m in body for b in m.get("buttons") or []]
        return [m.get("text") or "" for m in body if m.get("text")], buttons

    return send


def staff_session(url: str, email: str, password: str) -> requests.Session:
    """Sign in through the staff login page (CSRF token included), as an officer would."""
    session = requests.Session()
    page = session.get(url.rstrip("/") + "/staff/login", timeout=10).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"csrf_token": found.group(1) if found else "", "email": email, "password": password, "next": ""}
    resp = session.post(url.rstrip("/") + "/staff/login", data=form, timeout=10)
    if resp.status_code >= 400 or "/staff/login" in resp.url:
        raise SystemExit(f"could not sign in as {email} (HTTP {resp.status_code}); is the demo data seeded?")
    return session


# -- judging and figures ---------------------------------------------------------------------------


def judge(played: Played, staff: requests.Session, url: str) -> dict[str, Any]:
    expect = played.scenario.get("expect") or {}
    verdict: dict[str, Any] = {"filed": False, "type_ok": False, "lead_ok": False, "report": None}
    if not played.reference or played.reference == EXAMPLE_REFERENCE:
        return verdict
    resp = staff.get(f"{url.rstrip('/')}/api/v1/reports/{played.reference}", timeout=10)
    if resp.status_code != 200:
        return verdict
    report = resp.json()
    verdict.update(
        filed=True,
        report=report,
        type_ok=report.get("asb_type") == expect.get("asb_type")
        or (bool(expect.get("domestic_abuse")) and bool(report.get("domestic_abuse"))),
        lead_ok=report.get("lead_agency") == expect.get("lead_agency"),
    )
    if played.scenario.get("diary_danger"):
        verdict["diary_added"] = diary_added(report, str(played.scenario["diary_danger"]))
    return verdict


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def diary_added(report: dict[str, Any], message: str) -> bool:
    """The report's diary (staff API) holds an entry with the resident's danger message in it."""
    wanted = _words(message)
    return any(wanted in _words(str(entry.get("text") or "")) for entry in report.get("diary") or [])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def report(results: list[tuple[Played, dict[str, Any]]]) -> dict[str, float]:
    """Print the figures; return the ones the floor checks."""
    n = len(results)
    success = [p for p, v in results if v["filed"] and v["type_ok"] and v["lead_ok"]]
    filed = [p for p, v in results if v["filed"]]
    silent = sum(p.silent_turns for p, _ in results)
    danger_missed = sum(p.danger_missed for p, _ in results)
    turns = [t.seconds for p, _ in results for t in p.turns]
    print(
        f"scenarios: {n}   filed: {len(filed)}   task success (filed, right type, right lead): "
        f"{len(success)}/{n} = {len(success) / max(n, 1):.1%} (target >= {TARGET_SUCCESS:.0%})"
    )
    later = [p for p, _ in results if any(t.kind == "danger" for t in p.turns)]
    later_first = sum(1 for p in later if not p.danger_missed)
    diary = [(p, v) for p, v in results if p.scenario.get("diary_danger")]
    diary_first = sum(1 for p, _ in diary if p.diary_danger_first)
    diary_added_n = sum(1 for _, v in diary if v.get("diary_added"))
    print(f"silent replies: {silent} (target 0)   danger messages without 999 first: {danger_missed}")
    print(
        f"danger at a later turn: 999 first {later_first}/{len(later)}   "
        f"danger when adding to a filed report: 999 first {diary_first}/{len(diary)}, "
        f"entry on the report {diary_added_n}/{len(diary)}"
    )
    print(f"turn latency: p50 {pct(turns, 50) * 1000:.0f} ms, p95 {pct(turns, 95) * 1000:.0f} ms")
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for played, verdict in results:
        if verdict["filed"]:
            s = played.scenario
            groups[(s.get("channel", "sms"), type_class(s))].append(played.resident_messages)
            groups[("all", type_class(s))].append(played.resident_messages)
    print("resident messages per filed report (targets: median <= 6 environmental/nuisance, <= 9 personal):")
    for (channel, klass), counts in sorted(groups.items()):
        print(
            f"  {channel:4} {klass:13} n={len(counts):3}  median {statistics.median(counts):4.1f}  "
            f"p90 {pct([float(c) for c in counts], 90):4.1f}"
        )
    for played, verdict in results:
        if not (verdict["filed"] and verdict["type_ok"] and verdict["lead_ok"]):
            got = verdict["report"] or {}
            print(
                f"  MISS {played.scenario['id']}: filed={verdict['filed']} type={got.get('asb_type')} "
                f"lead={got.get('lead_agency')} {played.error}"
            )
    for played, verdict in diary:
        if not (played.diary_danger_first and verdict.get("diary_added")):
            print(
                f"  DIARY MISS {played.scenario['id']}: 999 first={bool(played.diary_danger_first)} "
                f"entry on the report={bool(verdict.get('diary_added'))} {played.error}"
            )
    diary_failed = sum(1 for p, v in diary if not (p.diary_danger_first and v.get("diary_added")))
    return {
        "success": len(success) / max(n, 1),
        "silent": silent,
        "danger_missed": danger_missed,
        "diary_failed": diary_failed,
    }


# -- the burst -------------------------------------------------------------------------------------


def burst(url: str, public_url: str, token: str, count: int) -> int:
    """`count` first texts from `count` numbers as fast as two threads send; 1 in 20 says danger now."""
    from concurrent.futures import ThreadPoolExecutor

    danger = "theres a man with a knife outside my door right now"
    ordinary = "loud music from the flat above every night"

    def one(i: int) -> tuple[bool, bool, int]:
        number = f"+4477009{i:05d}"
        text = danger if i % 20 == 0 else ordinary
        try:
            answer, _ = sms_sender(url, public_url, token, number)(text)
        except RuntimeError:
            return i % 20 == 0, False, 500
        answered = any(a.strip() for a in answer)
        first = answer[0] if answer else ""
        return i % 20 == 0, answered and "999" in first and "55" in first, 200 if answered else 0

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(count)))
    silent = sum(1 for _, _, code in results if code == 0)
    errors = sum(1 for _, _, code in results if code >= 500)
    danger_missed = sum(1 for is_danger, has_999, _ in results if is_danger and not has_999)
    print(
        f"burst: {count} first texts; silent replies {silent}; 5xx {errors}; "
        f"danger texts without 999 first {danger_missed} of {sum(1 for d, _, _ in results if d)}"
    )
    return silent + errors + danger_missed


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--spawn", action="store_true", help="start a private stack (temporary database)")
    parser.add_argument("--check", action="store_true", help="exit 1 below the floor")
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS, help="scenario file (default: the 81)")
    parser.add_argument("--only", help="run the scenarios whose id contains this")
    parser.add_argument("--burst", type=int, default=0, help="after the scenarios, a burst of N first texts")
    parser.add_argument("--burst-only", action="store_true", help="only the burst, no scenarios")
    parser.add_argument("--twilio-token", help="the webhook's Twilio signing token (default: from settings)")
    parser.add_argument("--verbose", action="store_true", help="print every conversation")
    args = parser.parse_args(argv)

    scenarios = yaml.safe_load(args.scenarios.read_text())
    if args.only:
        scenarios = [s for s in scenarios if args.only in s["id"]]
    stack = private_stack() if args.spawn else nullcontext(None)
    with stack as spawned:
        url = spawned.url if spawned else args.url
        token, public_url = (args.twilio_token, url) if args.twilio_token else _signing(spawned)
        burst_failures = 0
        if args.burst_only:
            burst_failures = burst(url, public_url, token, args.burst or 400)
            return 1 if burst_failures and args.check else 0
        staff = staff_session(url, "triage@demo.asb.local", "demo-triage-pass")
        results = []
        for i, scenario in enumerate(scenarios):
            web = scenario.get("channel") == "web"
            send = chat_sender(url) if web else sms_sender(url, public_url, token, f"+4477009{50000 + i:05d}")
            played = play(scenario, send, web=web)
            results.append((played, judge(played, staff, url)))
            if args.verbose:
                print(f"--- {scenario['id']} ({scenario.get('channel')})")
                for turn in played.turns:
                    print(f"  > {turn.sent}")
                    for line in turn.answer:
                        print("    < " + line.replace("\n", "\n      "))
        figures = report(results)
        if args.burst:
            burst_failures = burst(url, public_url, token, args.burst)
    failed = (
        figures["success"] < FLOOR_SUCCESS
        or figures["silent"]
        or figures["danger_missed"]
        or figures["diary_failed"]
        or burst_failures
    )
    if args.check and failed:
        print(
            f"FAILED the floor: task success >= {FLOOR_SUCCESS:.0%}, 0 silent replies, 999 first on danger "
            "(also when adding to a report, and the entry on the report), and in the burst 0 silent "
            "replies, 0 server errors, 999 first on every danger text"
        )
        return 1
    return 0


def _signing(spawned: Any) -> tuple[str, str]:
    """The Twilio signing token and public URL the webhook checks signatures against."""
    if spawned is not None:
        return spawned.twilio_token, spawned.url
    from casework.core.settings import get_settings
    from webhook.sms import signing_token

    settings = get_settings()
    token = signing_token(settings)
    if token is None:
        raise SystemExit("TWILIO_AUTH_TOKEN is not set: the webhook refuses every SMS")
    return token, settings.PUBLIC_BASE_URL


if __name__ == "__main__":
    raise SystemExit(main())
