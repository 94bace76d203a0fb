"""GET /healthz: the state of each part, 503 when one is down."""

from __future__ import annotations

from datetime import timedelta

import requests
from flask import Blueprint, jsonify
from sqlalchemy import select, text

from casework.core.models import Heartbeat
from webhook import services

bp = Blueprint("health", __name__)

HEARTBEAT_STALE = timedelta(seconds=90)


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
        with svc.sessions() as session:
            session.execute(text("SELECT 1"))
            beats = session.scalars(select(Heartbeat).where(Heartbeat.name.like("notifier%"))).all()
        parts["database"] = {"status": "ok"}
        now = svc.clock.now()
        fresh = [b for b in beats if now - b.beat_at <= HEARTBEAT_STALE]
        parts["notifier"] = (
            {"status": "ok", "detail": f"{len(fresh)} process(es)"}
            if fresh
            else {"status": "down", "detail": "no notifier heartbeat in the last 90 seconds"}
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
