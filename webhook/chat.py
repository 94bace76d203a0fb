"""The web chat: GET /chat (the page), POST /chat/messages (Rasa REST-channel contract), GET /chat/history,
POST /chat/location ("Use my location": the nearest street, to confirm), GET /privacy (the privacy notice).

The sender id is never taken from the request body: each browser gets a random id in an HttpOnly,
SameSite=Strict cookie, so one browser cannot speak as another. Cross-site posts are refused (Origin and
Sec-Fetch-Site checked against PUBLIC_BASE_URL's host or the request's host; JSON content type required).
The cookie value itself is never stored or sent on: the database and the assistant see only a keyed hash
of it (casework.conversation.web_sender_id). Messages are rate limited (casework.conversation): past a
limit the answer is a 429 with a plain "wait a minute; if anyone is in danger call 999" message the page
shows.
"""

from __future__ import annotations

import logging
from datetime import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from casework.conversation import (
    MAX_MESSAGE_CHARS,
    AssistantUnavailable,
    ChatInputError,
    ChatRateLimited,
    UploadLimited,
    UploadRefused,
    chat_history,
    client_key,
    is_valid_web_id,
    new_web_id,
    send_message,
    upload_evidence,
    web_sender_id,
)
from casework.core.db import read
from casework.evidence import ACCEPTED_WORDS, Limits
from casework.places import nearest_street
from rasa_rest.client import client_for
from webhook import services

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__)

COOKIE = "asb_chat"
UNAVAILABLE = (
    "Sorry, the assistant is not available just now. Your message is kept: press Try again in a minute. "
    "If anyone is in danger now, call 999. Otherwise call 101."
)


def _clock_text(t: time) -> str:
    """08:00 -> "8am", 20:30 -> "8:30pm" (how residents read times)."""
    hour = t.hour % 12 or 12
    minutes = f":{t.minute:02d}" if t.minute else ""
    return f"{hour}{minutes}{'am' if t.hour < 12 else 'pm'}"


def _partnership_names() -> dict[str, str]:
    p = services().partnership
    return {
        "partnership_name": p.name,
        "partnership_short": p.short_name or p.name,
        "quiet_start": _clock_text(p.quiet_hours.start),
        "quiet_end": _clock_text(p.quiet_hours.end),
    }


def _cookie_id() -> str | None:
    value = request.cookies.get(COOKIE)
    return value if is_valid_web_id(value) else None


def _sender(web_id: str) -> str:
    return web_sender_id(web_id, services().settings.SENDER_ID_KEY)


def _with_cookie(resp: Response, web_id: str, *, fresh: bool) -> Response:
    if fresh:
        resp.set_cookie(
            COOKIE,
            web_id,
            httponly=True,
            samesite="Strict",
            secure=services().settings.PUBLIC_BASE_URL.startswith("https://"),
            path="/chat",
        )
    return resp


def _cross_site_problem() -> str | None:
    """Why this POST looks cross-site, or None when it comes from our own page (or a non-browser)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {fetch_site}"
    origin = request.headers.get("Origin")
    if origin:
        allowed = {urlsplit(services().settings.PUBLIC_BASE_URL).netloc.lower(), request.host.lower()}
        if origin == "null" or urlsplit(origin).netloc.lower() not in allowed:
            return f"Origin {origin} is not this site"
    return None


def _secure_headers(resp: Response) -> Response:
    # The conversation is personal: never cached (webhook.security adds the CSP and other headers).
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/")
def home() -> Response:
    """Residents arriving at the site's root land on the chat."""
    return redirect(url_for("chat.page"))  # type: ignore[return-value]


@bp.get("/chat")
def page() -> Response:
    """The chat page (history is fetched by the page's script)."""
    limits = Limits.from_settings(services().settings)
    resp = Response(
        render_template(
            "chat/chat.html",
            max_chars=MAX_MESSAGE_CHARS,
            accepted=ACCEPTED_WORDS,
            image_mb=limits.image // (1024 * 1024),
            av_mb=limits.av // (1024 * 1024),
            **_partnership_names(),
        )
    )
    # The only page that may ask for the location (for "Use my location", and only when pressed).
    resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self), payment=()"
    return _secure_headers(resp)


@bp.get("/privacy")
def privacy() -> Response:
    """The plain-English privacy notice."""
    return _secure_headers(Response(render_template("chat/privacy.html", **_partnership_names())))


@bp.get("/chat/history")
def chat_history_view() -> Response:
    """The stored conversation for this browser's cookie (empty for a new visitor)."""
    web_id = _cookie_id()
    turns = chat_history(services(), sender_id=_sender(web_id)) if web_id else []
    return _secure_headers(jsonify(turns))


@bp.post("/chat/messages")
def messages() -> Response:
    """Relay one message, answering a JSON list of {"text", "buttons"?} like Rasa's REST channel."""
    problem = _cross_site_problem()
    if problem:
        log.warning("refused cross-site POST /chat/messages: %s", problem)
        return _secure_headers(_error("Cross-site requests are not accepted.", 403))
    if not request.is_json:
        return _secure_headers(_error("Send JSON: Content-Type: application/json.", 415))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return _secure_headers(_error('Send {"sender": "...", "message": "..."} with message as text.', 400))
    web_id = _cookie_id()
    fresh = web_id is None
    web_id = web_id or new_web_id()
    svc = services()
    try:
        answer = send_message(
            svc,
            sender_id=_sender(web_id),
            client=client_key(request.remote_addr, svc.settings.SENDER_ID_KEY),
            text=body["message"],
            assistant=client_for(svc.settings),
        )
        resp = jsonify(answer)
    except ChatRateLimited as exc:
        resp = _error(str(exc), 429)
        resp.headers["Retry-After"] = "60"
    except ChatInputError as exc:
        resp = _error(str(exc), 400)
    except AssistantUnavailable as exc:
        log.warning("web chat: assistant unavailable: %s", exc)
        resp = _error(UNAVAILABLE, 503)
        resp.headers["Retry-After"] = "30"
    return _secure_headers(_with_cookie(resp, web_id, fresh=fresh))


@bp.post("/chat/upload")
def upload() -> Response:
    """Accept one photo or recording (multipart field "file"), checked and kept with the report."""
    problem = _cross_site_problem()
    if problem:
        log.warning("refused cross-site POST /chat/upload: %s", problem)
        return _secure_headers(_error("Cross-site requests are not accepted.", 403))
    sent = request.files.get("file")
    if sent is None:
        return _secure_headers(_error('Send the file as multipart/form-data in the field "file".', 400))
    web_id = _cookie_id()
    fresh = web_id is None
    web_id = web_id or new_web_id()
    try:
        answer = upload_evidence(services(), sender_id=_sender(web_id), data=sent.read())
        resp = jsonify([{"text": answer}])
    except UploadLimited as exc:
        resp = _error(str(exc), 429)
        resp.headers["Retry-After"] = "3600"
    except UploadRefused as exc:
        resp = _error(str(exc), 422)
    return _secure_headers(_with_cookie(resp, web_id, fresh=fresh))


@bp.post("/chat/location")
def location() -> Response:
    """ "Use my location": the nearest named street to the browser's coordinates, to confirm.

    The coordinates are used for this look-up only and not stored or sent to the assistant: a "Yes" sends
    the street and town as the resident's answer; "No" lets them type it.
    """
    problem = _cross_site_problem()
    if problem:
        log.warning("refused cross-site POST /chat/location: %s", problem)
        return _secure_headers(_error("Cross-site requests are not accepted.", 403))
    body = request.get_json(silent=True) if request.is_json else None
    try:
        lat, lon = float(body["lat"]), float(body["long"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return _secure_headers(_error('Send {"lat": number, "long": number} (WGS84 degrees).', 400))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _secure_headers(_error("lat and long are out of range (WGS84 degrees).", 400))
    svc = services()
    near = read(svc.sessions, nearest_street, svc.partnership, lat, lon)
    if near is None:
        text = (
            "I couldn't find a street near where you are in our area. Please type the street, a landmark or "
            "the postcode."
        )
        return _secure_headers(jsonify([{"text": text, "type_location": True}]))
    answer = f"{near.street}, {near.town}" if near.town else near.street
    return _secure_headers(
        jsonify(
            [
                {
                    "text": f"Is it near {near.street}? 1 Yes 2 No, I'll type it",
                    "buttons": [
                        {"title": "1 Yes", "payload": answer},
                        {"title": "2 No, I'll type it", "payload": "", "type_location": True},
                    ],
                }
            ]
        )
    )


def _error(message: str, status: int) -> Response:
    resp = jsonify(error=message)
    resp.status_code = status
    return resp
