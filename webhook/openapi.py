"""GET /openapi.yaml: the OpenAPI description of the product's own JSON APIs (webhook/openapi.yaml)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)

SPEC = Path(__file__).with_name("openapi.yaml")


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """Serve the description as YAML (read per request, so a deployment serves the file it ships)."""
    return Response(SPEC.read_text(encoding="utf-8"), mimetype="application/yaml")
