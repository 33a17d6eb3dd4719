"""The API's error shape ``{error: true, code, message}`` (+ ``validation_errors`` on 422) and the handlers
that put every failure, FastAPI's own included, into it. ``code`` is a string machine code (``not_found``,
``validation_error``, ``campaign_locked``, ...): the status's default from :data:`CODES` unless the raiser names a
more specific one."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..rendering import RenderError


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A compact JSON response, encoded by orjson (several times faster than FastAPI's encoder on large pages)."""
    return encoded_response(encode(body), status, headers)


def encode(body: Any) -> bytes:
    """``body`` as compact JSON (orjson; non-string keys as strings). Tried without ``OPT_NON_STR_KEYS`` first:
    that option takes orjson's slow path, about twice the time of a page of contacts whose keys are all strings."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)


def encoded_response(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response whose body is already encoded (a page spliced from stored text, say)."""
    return Response(body, status_code=status, headers=dict(headers or {}), media_type="application/json")


# The machine code each HTTP status answers with unless the raiser names a more specific one.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def status_code_name(status: int) -> str:
    """The default machine code for ``status`` (``not_found`` for 404; the snake-cased reason phrase otherwise)."""
    return CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def error_body(
    status: int,
    message: str | None = None,
    validation_errors: Mapping[str, list[str]] | None = None,
    code: str | None = None,
) -> dict:
    """The error document for ``status`` (``code`` defaults to the status's machine code)."""
    body: dict[str, Any] = {
        "error": True,
        "code": code or status_code_name(status),
        "message": message or HTTPStatus(status).phrase,
    }
    if validation_errors is not None:
        body["validation_errors"] = {k: list(v) for k, v in validation_errors.items()}
    return body


def error_response(
    status: int,
    message: str | None = None,
    validation_errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """An error in the API's JSON shape."""
    return json_response(error_body(status, message, validation_errors, code), status, headers)


class ApiError(Exception):
    """Raised by route code to answer with an error in the API shape."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        validation_errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message or HTTPStatus(status).phrase)
        self.status, self.message, self.validation_errors = status, message, validation_errors
        self.headers, self.code = headers, code

    def response(self) -> Response:
        """This error as a response."""
        return error_response(self.status, self.message, self.validation_errors, self.headers, self.code)


def not_found(resource: str, ident: Any) -> ApiError:
    """404 for an unknown id."""
    return ApiError(404, f"{resource} {ident} not found")


def validation_summary(errors: Mapping[str, list[str]]) -> str:
    """One line naming each field with each of its messages, as Rails' ``full_messages`` do."""
    return "Validation failed: " + "; ".join(f"{field} {m}" for field, messages in errors.items() for m in messages)


def invalid(errors: Mapping[str, list[str]], message: str | None = None, code: str | None = None) -> ApiError:
    """422 with per-field messages (the message defaults to a one-line summary of them)."""
    return ApiError(422, message or validation_summary(errors), errors, code=code)


def campaign_locked() -> ApiError:
    """422 ``campaign_locked``: a sent campaign's content cannot change."""
    return invalid(
        {"base": ["the campaign has been sent; its content is locked (renaming is still allowed)"]},
        "Campaign content is locked after sending",
        code="campaign_locked",
    )


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc[1:] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    return ".".join(parts) or "body"


# Pydantic's error types in the API's words (one short sentence, no internal validator names).
_PLAIN_MESSAGES = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "none_required": "must be null",
}


def _plain_message(error: dict) -> str:
    """One sentence for one pydantic error."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[kind]
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"is too short (at least {ctx.get('min_length')})"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}".replace("'", "")
    return str(error.get("msg") or "is invalid").removeprefix("Value error, ")


def _validation_handler(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "Malformed JSON in request body")
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return error_response(404, f"No resource at {request.url.path}")
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        name = _field_name(loc) if loc and loc[0] == "body" else ".".join(str(p) for p in loc[1:]) or str(loc[0])
        # One sentence per field: a union (``email``: one address or a list) fails once per member; the first
        # member's reason is the one a person needs.
        fields.setdefault(name, [_plain_message(error)])
    return error_response(422, validation_summary(fields), fields)


def _http_handler(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404:
        message = f"No route for {request.method} {request.url.path}"
    return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))


def _api_error_handler(request: Request, exc: ApiError) -> Response:
    return exc.response()


def _render_handler(request: Request, exc: RenderError) -> Response:
    """Content that failed to render: a merge tag (e.g. ``divided_by: 0``) or a rendering limit reached; 422
    naming the field (and, for Liquid, the line)."""
    fields = {exc.field: [str(exc)]}
    return error_response(422, validation_summary(fields), fields)


def _unexpected_handler(request: Request, exc: Exception) -> Response:
    return error_response(500, "Internal sandbox error")


def install(app: FastAPI) -> None:
    """Route every exception FastAPI can raise into the API's error shape."""
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(RenderError, _render_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
