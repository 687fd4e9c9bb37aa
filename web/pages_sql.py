"""The SQL page, datasette-style: the query lives in the URL (`/sql?sql=…`, shareable), the
result is a table with CSV and JSON links carrying the same rows, the archive's tables and columns
are listed beside the box, with example queries. Limits and lock-down: web/sqlrun.py."""
from __future__ import annotations

import csv
import io
import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import links, sqlrun
from web.pages_common import settings_of
from web.twins import plain, respond

EXAMPLES = [
    ("Latest changes", "SELECT captured_at, source, article_id, title, summary FROM changes "
                       "ORDER BY captured_at DESC LIMIT 20"),
    ("Headlines rewritten", "SELECT source, article_id, old, new FROM edit_fields "
                            "WHERE field = 'title' ORDER BY article_id"),
    ("Figures revised", "SELECT article_id, version, detail, old, new FROM change_classes "
                        "WHERE class = 'number' ORDER BY happened_at DESC"),
    ("How fetches ended", "SELECT outcome, count(*) AS fetches FROM fetches GROUP BY outcome ORDER BY fetches DESC"),
    ("Pulled stories", "SELECT article_id, url, status_since FROM articles WHERE status = 'gone'"),
    ("Most edited articles", "SELECT article_id, source, versions, url FROM articles "
                             "ORDER BY versions DESC LIMIT 20"),
]


def _run(request: Request) -> tuple[dict, int]:
    settings = settings_of(request)
    sql = request.query_params.get("sql", "")
    data = {"page": "sql", "sql": sql, "columns": [], "rows": [], "truncated": False, "elapsed_ms": None,
            "error": None, "refused": False, "max_rows": settings.sql_max_rows,
            "time_limit_s": settings.sql_time_limit_s,
            "examples": [{"title": t, "sql": q, "link": links.sql(q)} for t, q in EXAMPLES],
            "tables": [],
            "links": {"csv": links.sql(sql, "csv"), "json": links.sql(sql, "json")} if sql.strip() else {}}
    status = 200
    try:
        result, tables = sqlrun.run(settings.archive, sql, max_rows=settings.sql_max_rows,
                                    time_limit_s=settings.sql_time_limit_s)
        data.update(columns=result.columns, rows=[list(r) for r in result.rows], truncated=result.truncated,
                    elapsed_ms=result.elapsed_ms, tables=tables)
    except (sqlrun.QueryRefused, sqlrun.QueryFailed) as exc:
        data.update(error=str(exc), refused=isinstance(exc, sqlrun.QueryRefused))
        status = 403 if isinstance(exc, sqlrun.QueryRefused) else 400
        data["tables"] = _tables_only(settings)
    return data, status


def _tables_only(settings) -> list[dict]:
    """The table list for a page whose query failed (it is still a page to write the next one on)."""
    return sqlrun.run(settings.archive, "", max_rows=0, time_limit_s=settings.sql_time_limit_s)[1]


def sql_page(request: Request):
    data, status = _run(request)
    return respond(request, "sql.html", data, status)


def _csv_value(value) -> str:
    """ISO times and numbers as JSON gives them; lists and maps as JSON text; NULL as empty."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def sql_csv(request: Request) -> Response:
    data, status = _run(request)
    if data["error"]:
        return Response(f"error: {data['error']}\n", status_code=status, media_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(data["columns"])
    for row in data["rows"]:
        writer.writerow([_csv_value(v) for v in row])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="wirewatch.csv"'})


routes = [Route("/sql", sql_page, name="sql"), Route("/sql.json", sql_page, name="sql_json"),
          Route("/sql.csv", sql_csv, name="sql_csv")]
