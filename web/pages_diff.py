"""The diff page: any two versions of an article side by side (web/diffview.py), with the
previous and next pair, and a form to pick any two versions and the unit (works without JS)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from archive import queries, views
from archive.textdiff import BY
from web import diffview, links
from web.errors import BadRequest
from web.pages_common import settings_of
from web.twins import respond


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a version number, not {value!r}") from None


def _navigation(aid: str, versions: int, from_v: int, to_v: int, by: str | None) -> dict:
    """The same step one version back and one forward: v2→v3 has v1→v2 and v3→v4."""
    step_back = from_v - 1 >= 0 and to_v - 1 >= 1
    step_on = to_v + 1 <= versions
    return {"previous": links.diff(aid, from_v - 1, to_v - 1, by=by) if step_back else None,
            "next": links.diff(aid, from_v + 1, to_v + 1, by=by) if step_on else None,
            "latest": links.diff(aid, versions - 1, versions, by=by) if versions > 1 else None}


def diff_page(request: Request):
    settings = settings_of(request)
    ref = request.path_params["article_id"]
    from_v, to_v = _int_param(request, "from"), _int_param(request, "to")
    by = request.query_params.get("by") or None
    if by is not None and by not in BY:
        raise BadRequest(f"by must be one of {', '.join(BY)}, not {by!r}")
    with settings.archive.reading() as con:
        art = queries.find_article(con, ref)
        aid = art["article_id"]
        try:
            old, new = queries.version_pair(con, aid, art["versions"], from_v, to_v)
        except queries.NotFound as exc:
            if art["versions"] == 0:
                raise
            raise BadRequest(str(exc)) from None
        listing = views.version_list(con, aid)
    # the diff is computed after the archive is let go, so the daemon never waits for it
    view = diffview.build(old, new, by)
    from_number = old["version"] if old else 0
    data = {
        "page": "diff",
        "article": {"article_id": aid, "source": art["source"], "url": art["url"], "status": art["status"],
                    "versions": art["versions"], "link": links.article(aid), "diff_link": links.diff(aid)},
        "from": {"version": from_number, "captured_at": old["captured_at"] if old else None,
                 "title": old["title"] if old else None},
        "to": {"version": new["version"], "captured_at": new["captured_at"], "title": new["title"]},
        "versions": listing,
        "navigation": _navigation(aid, art["versions"], from_number, new["version"], by),
        "units": list(BY),
        "json": links.diff(aid, from_number, new["version"], by=by, fmt="json"),
        "source_link": links.external(art["url"]),
        **view,
    }
    return respond(request, "diff.html", data)


routes = [Route("/diff/{article_id:path}.json", diff_page, name="diff_json"),
          Route("/diff/{article_id:path}", diff_page, name="diff")]
