"""Warms the extraction pool's forkserver once, so every worker forked from it starts warm.

The pool's workers are forked by multiprocessing's forkserver (crawler/extract_pool.py), which
imports this module before its first fork (`set_forkserver_preload`). What a cold worker builds
lazily on its first pages is built here once and inherited by every worker, including the ones
that replace a worker after MAX_TASKS_PER_CHILD pages in a daemon: the imports of trafilatura,
lxml, htmldate and their data, and what a first extraction compiles and caches. Measured in `make bench`'s real-page re-check (600 pages, 2 workers): the
workers' CPU fell from 9.4 s to 8.8 s a round, with no cost at start-up.

dateparser (htmldate's fallback for dates in prose) needs no warming since it reads a page's
language and English only (crawler/extraction/dates.py): a language's patterns compile on its
first use in ~10-80 ms. Read in all its 205 languages, a first unreadable string cost every
worker ~1.4 s. Nothing here may fail the forkserver: a warm-up error only leaves the workers cold.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# A small article page that takes extraction down its usual paths: dates in prose (htmldate's
# text search), an author in markup, a standfirst, paragraphs, a "Read also" teaser.
_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Warm-up | Example</title>
<meta property="og:title" content="Warm-up"></head><body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>Warm-up story for the extraction workers</h1>
<p class="byline">By <span class="author">Jane Example</span>, published 19 November 2019, 5:45 PM</p>
<p class="standfirst">A standfirst that says what the story is about in one sentence.</p>
<div class="article-body">
<p>The first paragraph of the story carries enough words to count as prose for the quality gate here.</p>
<p>A second paragraph follows with figures such as 1,500 people and 3.5% growth on 12 March.</p>
<p class="read-also">Read also: <a href="/other">Another story of the same site</a></p>
<p>The third paragraph ends the story, updated on Tuesday 20 November 2019 at 10:00.</p>
</div></article></main><footer><p>© Example 2019</p></footer></body></html>""".encode("utf-8")


def warm() -> None:
    try:
        from crawler.extract import extract

        extract(_PAGE, "https://warm-up.example/news/2019/11/19/warm-up")
    except Exception:                      # never fail the forkserver: workers start cold instead
        log.exception("warming the extraction workers failed; they start cold")


warm()
