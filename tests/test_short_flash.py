"""A two-paragraph flash keeps its paragraphs apart, each a line, on every fetch. When the precise pass found
too few words, trafilatura's balanced retry sometimes ran the page's whole text into one line
(byline, dates, a view counter, the teaser): 6 fetches in 30 here. That line rotated with the page,
and a paragraph cut from it passed for rotation (seen as a flaky search test)."""
from __future__ import annotations

import urllib.request

from crawler.extract import extract
from wiresim import WireSim

PARAGRAPHS = ["Delegations resumed talks on a ceasefire in Geneva on Tuesday, citing 4,500 refugees.",
              "The old bridge over the river was closed to traffic by the army."]


def test_a_short_flash_is_its_paragraphs_on_every_fetch():
    with WireSim(articles=8, seed=1) as sim:
        aid = sim.publish("Ceasefire talks resume in Geneva", PARAGRAPHS, language="en")
        url = sim.article_url(aid)
        for _ in range(30):          # the page's counter, teaser and ad change on every response
            body = urllib.request.urlopen(url, timeout=10).read()
            lines = extract(body, url, {"Content-Type": "text/html; charset=utf-8"}).text.split("\n")
            at = lines.index(PARAGRAPHS[0])       # each paragraph a line of its own, in order
            assert lines[at + 1] == PARAGRAPHS[1], lines
