"""GET /healthz: the state of each part, 503 when one is down."""

from __future__ import annotations

import requests
from flask import Blueprint, jsonify

from casework.core.heartbeat import STALE_AFTER, live_processes
from webhook import services

bp = Blueprint("health", __name__)

STALE_SECONDS = int(STALE_AFTER.total_seconds())


def _probe(url: str) -> dict[str, str]:
    try:
        resp = requests.get(url, timeout=2)
    except requests.RequestException as exc:
        return {"status": "down", "detail": f"{url}: {type(exc).__name__}"}
    if 200 <= resp.status_code < 300:
        return {"status": "ok"}
    return {"status": "down", "detail": f"{url}: HTTP {resp.status_code}"}


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Report database, Rasa, action server and notifier heartbeat; 503 if any is down."""
    svc = services()
    parts: dict[str, dict[str, str]] = {}
    try:
        fresh = live_processes(svc.sessions, prefix="notifier", now=svc.clock.now())
        parts["database"] = {"status": "ok"}
        parts["notifier"] = (
            {"status": "ok", "detail": f"{fresh} process(es)"}
            if fresh
            else {"status": "down", "detail": f"no notifier heartbeat in the last {STALE_SECONDS} seconds"}
        )
    except Exception as exc:  # noqa: BLE001 - any database failure is reported, not raised
        parts["database"] = {"status": "down", "detail": type(exc).__name__}
        parts["notifier"] = {"status": "unknown", "detail": "database down"}
    # Rasa's root ("Hello from Rasa") answers once the model is loaded, without exposing --enable-api.
    replicas = [(url, _probe(url.rstrip("/") + "/")) for url in svc.settings.rasa_urls]
    down = [f"{probe.get('detail', url)}" for url, probe in replicas if probe["status"] != "ok"]
    parts["rasa"] = (
        {"status": "ok", "detail": f"{len(replicas)} replica(s)"}
        if not down
        else {"status": "down", "detail": "; ".join(down)}
    )
    parts["action_server"] = _probe(svc.settings.ACTION_SERVER_URL.rstrip("/") + "/health")
    healthy = all(p["status"] == "ok" for p in parts.values())
    resp = jsonify(status="ok" if healthy else "degraded", parts=parts)
    resp.status_code = 200 if healthy else 503
    return resp
