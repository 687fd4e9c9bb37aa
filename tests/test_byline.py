"""The byline comes from the innermost author element: a wrapper box around it carries the date and
whatever else the page puts there (a rotating teaser), which made a different byline per fetch."""
from __future__ import annotations

import gzip

import pytest

from crawler.extract import extract
from support import CORPUS

HEADERS = {"Content-Type": "text/html; charset=utf-8"}
BOX = """<html><head><title>Cells That Taste Danger</title></head><body><article>
<h1>Cells That Taste Danger Set Off Immune Responses</h1>
<div class="post__title__author-date"><h6 class="byline"><em>By </em><a href="/authors/carrie-arnold/">
<span class="byline__author">Carrie Arnold</span></a></h6><p><em>November 15, 2019</em></p>{teaser}</div>
<div class="post__content"><p>Tuft cells in the gut sense parasites and raise the alarm for the immune system, researchers say.</p>
<p>The discovery of how they taste danger changes what immunologists thought these rare cells were for.</p>
<p>Scientists had long overlooked them because they make up a tiny fraction of the gut lining.</p></div>
</article></body></html>"""


@pytest.mark.parametrize("teaser", ["", '<p class="read-also">Read also: <a href="/a">Australian hostages freed</a></p>',
                                    '<p class="read-also">Read also: <a href="/b">Markets fall</a></p>'])
def test_a_box_around_the_byline_does_not_leak_into_it(teaser):
    snap = extract(BOX.format(teaser=teaser).encode(), "https://example.org/cells", HEADERS)
    assert snap.byline == "Carrie Arnold"


QUANTA = CORPUS / "article-extraction-benchmark" / "html" / "bdb56ac83513635db1d8b9eb46b2da4c0de8da2f1f28f5bf5163df3eb3d3ec06.html.gz"


@pytest.mark.skipif(not QUANTA.exists(), reason=f"the real page is not there: {QUANTA}")
def test_the_real_page_with_a_teaser_injected_after_its_date_keeps_its_byline():
    raw = gzip.open(QUANTA).read().decode()
    date = raw.index("November 15, 2019</em></p>") + len("November 15, 2019</em></p>")
    for headline in ("Australian hostages freed", "Oil jumps on supply fears"):
        page = raw[:date] + f'<p class="read-also">Read also: <a href="/x">{headline}</a></p>' + raw[date:]
        snap = extract(page.encode(), "https://www.quantamagazine.org/tuft-cells", HEADERS)
        assert snap.byline == "Carrie Arnold"
