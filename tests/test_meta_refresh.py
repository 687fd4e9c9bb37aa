"""Meta-refresh redirects are still followed, and a page without one is not decoded to find out
(crawler/middlewares.py HeadMetaRefreshMiddleware in place of Scrapy's MetaRefreshMiddleware)."""
from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.middlewares import HeadMetaRefreshMiddleware

URL = "http://news.example/news/1/old"
STORY = "<p>" + "Air defences downed drones overnight, the ministry said. " * 40 + "</p>\n"


def _middleware() -> HeadMetaRefreshMiddleware:
    crawler = get_crawler(settings_dict={"DOWNLOADER_MIDDLEWARES": project_settings.DOWNLOADER_MIDDLEWARES})
    return build_from_crawler(HeadMetaRefreshMiddleware, crawler)


def _response(body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> HtmlResponse:
    return HtmlResponse(URL, body=body, headers={"Content-Type": content_type}, request=Request(URL))


def test_the_project_uses_the_head_only_middleware_in_place_of_scrapys():
    middlewares = project_settings.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["crawler.middlewares.HeadMetaRefreshMiddleware"] == 580


def test_a_meta_refresh_in_the_head_is_followed():
    page = (b'<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/news/1/new"></head><body>'
            + STORY.encode() * 100 + b"</body></html>")
    out = _middleware().process_response(Request(URL), _response(page))
    assert isinstance(out, Request) and out.url == "http://news.example/news/1/new"


def test_a_meta_refresh_in_utf16_text_is_followed():
    page = ('<html><head><meta http-equiv="refresh" content="0;url=/news/1/new"></head><body>'
            + STORY + "</body></html>").encode("utf-16")
    out = _middleware().process_response(Request(URL), _response(page, b"text/html; charset=utf-16"))
    assert isinstance(out, Request) and out.url == "http://news.example/news/1/new"


def test_a_page_without_a_refresh_is_passed_on_undecoded():
    page = ("<html><head><title>Drones downed</title></head><body>" + STORY * 400 + "</body></html>").encode()
    assert len(page) > 150_000                       # a real page's size: decoding it is the cost
    response = _response(page)
    assert _middleware().process_response(Request(URL), response) is response
    assert response._cached_ubody is None            # Scrapy's middleware decodes the whole body here


def test_a_refresh_mentioned_only_in_prose_is_no_redirect():
    page = (b"<html><head><title>t</title></head><body><p>Refresh the page for updates.</p>"
            + STORY.encode() + b"</body></html>")
    response = _response(page)
    assert _middleware().process_response(Request(URL), response) is response
