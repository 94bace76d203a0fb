"""Talk to a running assistant over the REST channel, as the webhook does (a manual smoke test).

    .venv-bot/bin/python bot/tests/converse.py "hi" "loud music next door every night" "Bore Street" ...
Each argument is one resident turn; the replies (and any buttons) are printed.
"""

from __future__ import annotations

import sys
import uuid

import requests

RASA = "http://127.0.0.1:5005/webhooks/rest/webhook"


def main(turns: list[str], channel: str = "sms") -> None:
    sender = f"{channel}-smoke{uuid.uuid4().hex[:12]}"
    for turn in turns:
        print(f"> {turn}")
        replies = requests.post(
            RASA, json={"sender": sender, "message": turn, "metadata": {"channel": channel}}, timeout=60
        ).json()
        for reply in replies:
            print(f"  {reply.get('text', '')}")
            for i, button in enumerate(reply.get("buttons") or [], 1):
                print(f"    {i}. {button['title']}  [{button['payload']}]")


if __name__ == "__main__":
    main(sys.argv[1:])
