"""Each page has a `.json` twin carrying the same data the template shows.

A page handler builds one dict; `respond` renders it with the page's template, or serializes it
when the path ends in `.json`. Values from DuckDB (times, decimals, maps, blobs, UUIDs) become
plain JSON here, the same way on every page.
"""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response

from web.rendering import templates


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def plain(value):
    """A JSON-ready copy of value: times as ISO 8601, decimals as numbers, maps as objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def json_response(data, status_code: int = 200) -> Response:
    body = json.dumps(plain(data), ensure_ascii=False, indent=2)
    return Response(body + "\n", status_code=status_code, media_type="application/json")


def respond(request: Request, template: str, data: dict, status_code: int = 200) -> Response:
    """The page as HTML (template) or, for a `.json` path, its data as JSON."""
    if wants_json(request):
        return json_response(data, status_code)
    return templates.TemplateResponse(request, template, {"data": data, **data}, status_code=status_code)
