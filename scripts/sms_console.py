"""Chat as an SMS user from the terminal, through the real signed POST /sms/inbound path.

Each line you type is sent as Twilio would send it: a form with MessageSid, From, To and Body, signed
with X-Twilio-Signature over PUBLIC_BASE_URL + /sms/inbound using TWILIO_AUTH_TOKEN (in development,
when that is unset, the token derived from SECRET_KEY that the webhook also uses). The TwiML answer is
printed as the texts the phone would receive.

    .venv/bin/python scripts/sms_console.py                 # talk to http://127.0.0.1:8000
    .venv/bin/python scripts/sms_console.py --from 07700900456 --url http://127.0.0.1:8000
    echo "HELP" | .venv/bin/python scripts/sms_console.py   # one-shot, e.g. in scripts
"""

from __future__ import annotations

import argparse
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casework.conversation import InvalidPhoneNumber, normalise_phone  # noqa: E402
from casework.core.settings import get_settings  # noqa: E402
from casework.core.sms_text import encoding, segments  # noqa: E402
from webhook.sms import public_url, signing_token  # noqa: E402

# Ofcom reserves 07700 900000-900999 for drama: never a real person's phone.
DEFAULT_FROM = "+447700900001"
DEFAULT_TO = "+447700900999"
PATH = "/sms/inbound"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Chat with the assistant as an SMS user (signed /sms/inbound)."
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the webhook listens")
    parser.add_argument("--from", dest="sender", default=DEFAULT_FROM, help="the texting phone number")
    parser.add_argument("--to", default=DEFAULT_TO, help="the service's number")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for an answer")
    return parser.parse_args(argv)


def send(
    text: str, *, url: str, signed_url: str, token: str, sender: str, to: str, timeout: float
) -> tuple[int, list[str]]:
    """Post one signed message; return the HTTP status and the texts in the TwiML answer."""
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": text,
        "NumMedia": "0",
        "NumSegments": str(max(segments(text), 1)),
    }
    signature = RequestValidator(token).compute_signature(signed_url, form)
    resp = requests.post(
        url.rstrip("/") + PATH, data=form, headers={"X-Twilio-Signature": signature}, timeout=timeout
    )
    if resp.status_code != 200 or "xml" not in resp.headers.get("Content-Type", ""):
        return resp.status_code, []
    return resp.status_code, [m.text or "" for m in ET.fromstring(resp.content).findall("Message")]


def main(argv: list[str] | None = None) -> int:
    """Read lines from the terminal, send each as an SMS, print the replies."""
    args = parse_args(argv)
    settings = get_settings()
    token = signing_token(settings)
    if token is None:
        print(
            "TWILIO_AUTH_TOKEN is not set (APP_ENV=production): the webhook refuses every SMS.",
            file=sys.stderr,
        )
        return 2
    try:
        sender = normalise_phone(args.sender)
    except InvalidPhoneNumber as exc:
        print(exc, file=sys.stderr)
        return 2
    signed_url = public_url(settings, PATH)
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"Texting {args.url}{PATH} as {sender} (signed for {signed_url}). Ctrl-D to finish.")
        print("Try: HELP, STOP, START, or describe a problem. Reply with a number to pick a choice.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            return 0
        except KeyboardInterrupt:
            print()
            return 0
        try:
            status, replies = send(
                line,
                url=args.url,
                signed_url=signed_url,
                token=token,
                sender=sender,
                to=args.to,
                timeout=args.timeout,
            )
        except requests.RequestException as exc:
            print(
                f"!! could not reach the webhook at {args.url}: {type(exc).__name__}. Is `make run` running?"
            )
            continue
        if status == 403:
            print(
                "!! 403: signature refused. PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN and SECRET_KEY must match the "
                "webhook's settings."
            )
            continue
        if status != 200:
            print(f"!! HTTP {status}")
            continue
        if not replies:
            print("   (no reply texted)")
        for reply in replies:
            print(f"sms> {reply}")
            print(f"     [{len(reply)} chars, {segments(reply)} segment(s), {encoding(reply)}]")


if __name__ == "__main__":
    sys.exit(main())
