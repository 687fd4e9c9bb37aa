"""The view's own URLs, built in one place so pages, JSON twins and tests agree on them.

Article ids (`source:key`) go into paths percent-encoded, so any id the seeds can produce is a
valid path segment; query strings are encoded by urlencode.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit


def _with_query(path: str, params: dict) -> str:
    items = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, (list, tuple)):
            items += [(key, str(v)) for v in value]
        else:
            items.append((key, str(value)))
    return f"{path}?{urlencode(items)}" if items else path


def article(article_id: str, fmt: str = "") -> str:
    return f"/article/{quote(article_id, safe=':')}" + (f".{fmt}" if fmt else "")


def diff(article_id: str, from_v: int | None = None, to_v: int | None = None, *, by: str | None = None,
         fmt: str = "", anchor: str = "") -> str:
    path = f"/diff/{quote(article_id, safe=':')}" + (f".{fmt}" if fmt else "")
    return _with_query(path, {"from": from_v, "to": to_v, "by": by}) + (f"#{anchor}" if anchor else "")


def capture(fetch_id: int, fmt: str = "") -> str:
    return f"/capture/{int(fetch_id)}" + (f".{fmt}" if fmt else "")


def changes(filters: dict, *, page: int | None = None, fmt: str = "") -> str:
    """filters: source (list), class (list), since; the same for the page, its twin and Atom."""
    path = "/changes" + (f".{fmt}" if fmt else "")
    return _with_query(path, {"source": filters.get("source") or [], "class": filters.get("class") or [],
                              "since": filters.get("since"), "page": page if page and page > 1 else None})


def sql(query: str | None = None, fmt: str = "") -> str:
    return _with_query("/sql" + (f".{fmt}" if fmt else ""), {"sql": query})


def external(url: str | None) -> str | None:
    """An article's own URL as a link target, only when it is plainly http(s): a `javascript:`
    or `data:` URL from a hostile page is shown as text, never linked."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None
