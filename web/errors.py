"""What a failed request shows: the one-line reason, as an HTML page or (for a `.json` path) as
{"error": …}, with a status code that says whose problem it is."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from archive.db import ArchiveError, ArchiveLocked, ArchiveMissing
from archive.queries import NotFound
from crawler.seeds import SeedError
from web.rendering import templates
from web.twins import json_response, wants_json


class BadRequest(ValueError):
    """A parameter the page cannot use (unknown class, bad time window, version out of range)."""


def _status(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, (ArchiveMissing, ArchiveLocked)):
        return 503                  # no archive yet, or the daemon held it too long: try again
    if isinstance(exc, (BadRequest, SeedError, ValueError)):
        return 400
    return 500


def _message(exc: Exception) -> str:
    if isinstance(exc, HTTPException):
        return exc.detail or "error"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def error_page(request: Request, exc: Exception) -> Response:
    status, message = _status(exc), _message(exc)
    if wants_json(request):
        return json_response({"error": message, "status": status}, status)
    if request.url.path.endswith((".csv", ".atom")):
        return PlainTextResponse(f"error: {message}\n", status_code=status)
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


HANDLERS = {HTTPException: error_page, ArchiveError: error_page, ValueError: error_page}
