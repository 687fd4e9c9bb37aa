"""The Starlette application: routes of every page, static files, security headers, errors."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from web import pages_article, pages_changes, pages_diff, pages_home, pages_search, pages_sql
from web.errors import HANDLERS
from web.rendering import STATIC_DIR
from web.security import SecurityHeaders
from web.settings import WebSettings


def create_app(settings: WebSettings) -> Starlette:
    routes = [*pages_home.routes, *pages_changes.routes, *pages_article.routes, *pages_diff.routes,
              *pages_sql.routes, *pages_search.routes, Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], exception_handlers=HANDLERS)
    app.state.settings = settings
    return app
