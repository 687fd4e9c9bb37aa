"""The region fingerprint that spares trafilatura on unchanged re-checks: it must never call an
edited page the same, and rotating noise must not make an unchanged page look edited."""
from __future__ import annotations

from archive.noise import Noise
from archive.normalize import label_key, line_key
from crawler.extract import extract

PAGE = """<html><head><title>Quake toll rises - Agency</title>
<meta property="og:title" content="Quake toll rises"><meta name="description" content="The toll rose.">
</head><body><div class="ad" id="ad-{ad}"></div><main><article class="story"><h1>Quake toll rises</h1>
<div class="story-body">
<p>At least 2,800 people were killed when the quake struck the coastal region on Monday night.</p>
<p class="read-also">Read also: {teaser}</p>
<p>Rescue teams worked through the night to reach villages cut off by landslides, officials said.</p>
<p>The government declared three days of national mourning and promised aid to the survivors.</p>
</div></article></main><footer>Views: {views}</footer></body></html>"""


def page(teaser="Markets fall", views=10, ad="a1", **edits) -> bytes:
    html = PAGE.format(teaser=teaser, views=views, ad=ad)
    for old, new in edits.items():
        html = html.replace(old.replace("_", " "), new)
    return html.encode()


def probe_of(body: bytes, noise=Noise()):
    snap = extract(body, "http://x/world/1/a", {"Content-Type": "text/html"}, noise=noise)
    return snap.body_container, snap.probe_hash


def recheck(body: bytes, probe, noise=Noise()):
    return extract(body, "http://x/world/1/a", {"Content-Type": "text/html"}, noise=noise, probe=probe)


def test_boilerplate_outside_the_region_never_runs_trafilatura():
    probe = probe_of(page())
    assert probe[0] and probe[1]
    assert recheck(page(views=99, ad="b2"), probe).probe_only


def test_an_edit_anywhere_in_the_region_or_the_headlines_is_extracted():
    probe = probe_of(page())
    assert not recheck(page(**{"2,800": "3,100"}), probe).probe_only
    assert not recheck(page(**{"Quake toll rises</h1>": "Quake toll climbs</h1>"}), probe).probe_only
    assert not recheck(page(**{'content="Quake toll rises"': 'content="UPDATE: Quake toll rises"'}), probe).probe_only


def test_noise_learned_after_the_fingerprint_applies_to_it():
    probe = probe_of(page())                                   # taken before anything was learned
    assert not recheck(page(teaser="Oil jumps"), probe).probe_only
    learned = Noise(frozenset({label_key("Read also:")}))
    assert recheck(page(teaser="Oil jumps"), probe, learned).probe_only
    # a learned single line (no label) too
    line = Noise(frozenset({line_key("Views: 10")}))
    assert recheck(page(views=11), probe, line).probe_only     # outside the region anyway
    # but an edit is still an edit under noise
    assert not recheck(page(teaser="Oil jumps", **{"2,800": "3,100"}), probe, learned).probe_only


def test_a_teaser_outside_the_region_does_not_cost_the_fingerprint_once_its_label_is_noise():
    """trafilatura keeps a teaser placed just outside the story's element (real pages: 9 of the 20
    without a fingerprint); a body line the noise hides need not be inside the region."""
    outside = page().decode().replace('<p class="read-also">Read also: Markets fall</p>\n', "").replace(
        '<div class="story-body">', '<p class="read-also">Read also: {t}</p><div class="story-body">')
    def body(teaser):
        return outside.replace("{t}", teaser).encode()
    noise = Noise(frozenset({label_key("Read also:")}))
    snap = extract(body("Markets fall"), "http://x/world/1/a", {"Content-Type": "text/html"}, noise=noise)
    assert "Read also: Markets fall" in snap.text and snap.probe_hash
    assert recheck(body("Oil jumps"), (snap.body_container, snap.probe_hash), noise).probe_only
    # without the label learned, the region is widened to the teaser's block, so a change of its
    # line is seen (and extracted) rather than the page going without a fingerprint
    from crawler.extraction.printlines import REGION_SEP
    bare = probe_of(body("Markets fall"))
    assert bare[1] and REGION_SEP in bare[1] and "p.read-also" in bare[1].split(REGION_SEP)[0]
    assert not recheck(body("Oil jumps"), bare).probe_only
    assert recheck(body("Markets fall"), bare).probe_only


def test_a_probe_reads_only_the_dates_the_page_states(monkeypatch):
    """htmldate's reading of the prose and URL is the version's (published_found); a re-check
    whose region is unchanged never runs it (dateparser: ~1.3 s to warm in a fresh worker)."""
    from crawler.extraction import dates
    calls = []
    real = dates.find_date
    monkeypatch.setattr(dates, "find_date", lambda *a, **k: calls.append(1) or real(*a, **k))
    url = "http://x/2019/11/19/world/a"
    snap = extract(page(), url, {"Content-Type": "text/html"})
    assert snap.published_at == "2019-11-19" and snap.published_found and calls
    calls.clear()
    again = extract(page(views=99), url, {"Content-Type": "text/html"}, probe=(snap.body_container, snap.probe_hash))
    assert again.probe_only and again.published_at is None and not calls
    stated = page().replace(b"</head>", b'<meta property="article:published_time" content="2019-11-19T08:00:00+00:00"></head>')
    snap = extract(stated, url, {"Content-Type": "text/html"})
    assert snap.published_at == "2019-11-19T08:00:00+00:00" and not snap.published_found
    again = extract(stated.replace(b"ad-a1", b"ad-b2"), url, {"Content-Type": "text/html"},
                    probe=(snap.body_container, snap.probe_hash))
    assert again.probe_only and again.published_at == "2019-11-19T08:00:00+00:00"


ALJAZEERA = "https://www.aljazeera.com/news/2019/11/service-members-killed-afghanistan-helicopter-crash-191120070028895.html"


def _aljazeera() -> bytes | None:
    import gzip
    import json
    from pathlib import Path
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "article-extraction-benchmark"
    if not (corpus / "ground-truth.json").is_file():
        return None
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    sha = next(sha for sha, item in truth.items() if item["url"] == ALJAZEERA)
    return gzip.decompress((corpus / "html" / f"{sha}.html.gz").read_bytes())


def test_a_body_line_from_outside_the_container_widens_the_region_and_its_edit_is_seen():
    """Al Jazeera's "SOURCE: News agencies" line is in the body but outside the story's element:
    the page had no fingerprint, so every re-check was a full extraction. Now the region is widened
    to the block that holds it, and an edit there or in the story is extracted."""
    import pytest
    from crawler.extraction.printlines import REGION_SEP
    raw = _aljazeera()
    if raw is None:
        pytest.skip("real-page corpus not found")
    first = extract(raw, ALJAZEERA, {"Content-Type": "text/html"})
    assert "SOURCE: News agencies" in first.text
    assert first.probe_hash and REGION_SEP in first.probe_hash and first.quick_print
    probe = (first.body_container, first.probe_hash)
    ad = raw.replace(b"<body", b'<div class="ad" id="ad-9f2">Advertisement</div><body', 1)
    assert extract(ad, ALJAZEERA, {"Content-Type": "text/html"}, probe=probe).probe_only
    source = raw.replace(b"<span>News agencies</span>", b"<span>Al Jazeera and news agencies</span>")
    assert not extract(source, ALJAZEERA, {"Content-Type": "text/html"}, probe=probe).probe_only
    story = raw.replace(b"More than 2,500 Afghan civilians", b"More than 2,600 Afghan civilians")
    assert not extract(story, ALJAZEERA, {"Content-Type": "text/html"}, probe=probe).probe_only
