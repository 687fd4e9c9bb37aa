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


# -- author markup read in one pass (crawler/extraction/authormarkup.py) against trafilatura's XPaths

def _trafilatura_way(tree):
    """The byline from author markup as it was read before: the XPaths on a pruned deep copy."""
    from copy import deepcopy

    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.json_metadata import normalize_authors
    from trafilatura.utils import trim
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    from crawler.extraction.metadata import AUTHOR_MAX_LENGTH
    if not any(expression(tree) for expression in AUTHOR_XPATHS):
        return None
    subtree = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS)
    for expression in AUTHOR_XPATHS:
        results = expression(subtree)
        matched = set(results)
        for elem in results:
            if any(inner in matched for inner in elem.iterdescendants()):
                continue
            content = trim(" ".join(elem.itertext()))
            if content and 2 < len(content) < AUTHOR_MAX_LENGTH:
                return normalize_authors(None, content)
    return "(fallback)"


EDGES = b"""<html><body><!-- a comment --><div class="comments"><span class="author">Not Him</span></div>
<p class="byline">By <span class="author-name">Jane Doe</span> <time>Nov 19</time>, Moscow<!-- c --> and
<figure>photo</figure><b>Ivan</b> <span class="date">today</span>Petrov</p><author>A. N. Other</author>
<div id="comment-list"><a rel="author">Commenter</a></div></body></html>"""
# the byline element itself holds discarded nodes: their text goes, their tails stay
EDGES_INSIDE = b"""<html><body><div class="comments"><p class="byline">Not Him</p></div>
<p class="byline">By Jane Doe<time>19 Nov</time> and Ivan<span class="date">today</span> Petrov</p></body></html>"""


def _pages():
    from crawler.extraction.charset import decode_html
    from crawler.extraction.dom import parse_html
    yield "edges", parse_html(decode_html(EDGES, HEADERS))
    yield "edges inside", parse_html(decode_html(EDGES_INSIDE, HEADERS))
    for path in sorted(CORPUS.rglob("*.html*")):
        raw = path.read_bytes()
        raw = gzip.decompress(raw) if path.suffix == ".gz" else raw
        tree = parse_html(decode_html(raw, {"Content-Type": "text/html"}))
        if tree is not None:
            yield path.name, tree


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_author_markup_read_in_one_pass_selects_what_trafilaturas_xpaths_select():
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    from crawler.extraction.authormarkup import author_matches, discarded
    from crawler.extraction.metadata import markup_author
    pages = 0
    for name, tree in _pages():
        assert author_matches(tree) == tuple(list(x(tree)) for x in AUTHOR_XPATHS), name
        assert set(discarded(tree)) == {e for x in AUTHOR_DISCARD_XPATHS for e in x(tree)}, name
        expected = _trafilatura_way(tree)
        if expected != "(fallback)":
            assert markup_author(tree) == expected, name
        pages += 1
    assert pages > 180
