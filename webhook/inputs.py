"""Input hygiene at the web edge, so odd input gets a 404 or a 400 with a reason, never a server error.

- `<int:...>` in every route only matches ids the database can hold (1 .. 2**31-1); anything larger is
  a 404, not a PostgreSQL "integer out of range".
- Every form and query-string value, and every text path value (`<reference>`), has NUL and other control
  characters removed (casework.core.inputs.clean_text) before a view sees it, so no view can store or look up
  a NUL; the view then answers as for any unknown value (its own 404, JSON on the APIs).
  A view whose form is signed by the sender (Twilio's X-Twilio-Signature covers the exact values) is
  marked `@signed_form` and gets the form as sent; it cleans what it keeps itself.

`install(app)` must run before blueprints are registered (routes are compiled with the converters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import Flask, Request, current_app
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map

from casework.core.inputs import MAX_DB_ID, clean_text

View = TypeVar("View", bound=Callable[..., object])


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>` limited to the ids a database integer can hold."""

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_DB_ID
    ) -> None:  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


class CleanMultiDict(ImmutableMultiDict[str, Any]):
    """Form and query-string values with control characters removed (file uploads untouched).

    `nul_fields` names (cleaned) the fields that arrived with a NUL character, for a door that refuses
    them rather than storing the cleaned value (Open311 answers 400).
    """

    nul_fields: tuple[str, ...] = ()

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs: list[tuple[str, Any]] = list(mapping.items(multi=True))
        elif isinstance(mapping, Mapping):
            pairs = list(mapping.items())
        else:
            pairs = list(mapping)
        self.nul_fields = tuple(
            clean_text(k) for k, v in pairs if "\x00" in k or (isinstance(v, str) and "\x00" in v)
        )
        super().__init__([(clean_text(k), clean_text(v) if isinstance(v, str) else v) for k, v in pairs])


def signed_form(view: View) -> View:
    """Give this view the form exactly as sent (put it directly under the route decorator)."""
    view.signed_form = True  # type: ignore[attr-defined]
    return view


class CleanRequest(Request):
    """A request whose args and form are CleanMultiDicts (unless the view is marked @signed_form)."""

    @property
    def parameter_storage_class(self) -> type[ImmutableMultiDict[str, Any]]:  # type: ignore[override, misc]  # noqa: D102
        view = current_app.view_functions.get(self.endpoint or "") if self.endpoint else None
        return ImmutableMultiDict if getattr(view, "signed_form", False) else CleanMultiDict


def install(app: Flask) -> None:
    """Use the clean request and the bounded converters for every route registered after this."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.url_value_preprocessor
    def _clean_path_values(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values:
            for key, value in values.items():
                if isinstance(value, str):
                    values[key] = clean_text(value)
