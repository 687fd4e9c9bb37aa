"""Body extraction on the article-extraction benchmark (181 real pages with a hand-made
articleBody each): wirewatch's body against plain trafilatura.

    python -m bench.extractbench [--corpus DIR] [--json PATH]

Variants, each scored per page against articleBody:
  trafilatura            trafilatura.extract(html, url=url), defaults
  trafilatura_precision  the same with favor_precision=True
  before                 wirewatch's body before the container merge (body.trafilatura_text:
                         hidden content out, favor_precision, balanced retry)
  self                   body.body_text: + the paragraphs of the container found on the page
  learned                body.body_text with the source's container as the hint: pages grouped by
                         the host of their URL; for a host with >= 2 pages the hint is the
                         signature most of the *other* pages of that host were found to have
                         (leave-one-out: a page never learns from itself; ties go to the smallest
                         signature; hosts with one page get no hint)
wirewatch's variants go through the same steps as crawler/extract.py around the body (charset
decoding, headline candidates, strip_leading_repeats); trafilatura gets the same decoded HTML.

Score: token precision, recall and F1 over bags of `\\w+` tokens (Python `re`, Unicode, case
kept, text NFC) - the tokenizer of tests/test_extract.py. A page "loses a paragraph" when a
paragraph of articleBody of >= 8 words has < 50 % of its tokens (as a bag) in the output.
Times: ms per page, one thread, the variants of a page timed in turn; wirewatch's are the body
step alone (the tree is parsed already), trafilatura's include its own parsing of the HTML.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "article-extraction-benchmark"
VARIANTS = ("trafilatura", "trafilatura_precision", "before", "self", "learned")
LOST_MIN_WORDS = 8
LOST_BELOW = 0.5
_TOKENS = re.compile(r"\w+")


def tokens(text: str) -> Counter:
    return Counter(_TOKENS.findall(unicodedata.normalize("NFC", text or "")))


def score(predicted: str, truth: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of the predicted text's tokens against the truth's."""
    pred, true = tokens(predicted), tokens(truth)
    overlap = sum((pred & true).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(true.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def lost_paragraphs(predicted: str, truth: str) -> list[str]:
    """Paragraphs of the truth (>= LOST_MIN_WORDS words) less than LOST_BELOW present."""
    have = tokens(predicted)
    lost = []
    for paragraph in truth.split("\n"):
        if len(paragraph.split()) < LOST_MIN_WORDS:
            continue
        want = tokens(paragraph)
        if want and sum((want & have).values()) < LOST_BELOW * sum(want.values()):
            lost.append(paragraph)
    return lost


def _pages(corpus_dir: Path) -> list[tuple[str, str, bytes, str]]:
    truth = json.loads((corpus_dir / "ground-truth.json").read_text(encoding="utf-8"))
    return [(sha, item["url"], gzip.open(corpus_dir / "html" / f"{sha}.html.gz").read(), item["articleBody"])
            for sha, item in sorted(truth.items())]


def _learned_hints(urls: list[str], found: list[str | None]) -> list[str | None]:
    """Per page, the signature most other pages of its host were found to have (or None)."""
    by_host: dict[str, list[int]] = defaultdict(list)
    for index, url in enumerate(urls):
        by_host[urlsplit(url).hostname or ""].append(index)
    hints: list[str | None] = [None] * len(urls)
    for members in by_host.values():
        for index in members:
            votes = Counter(found[o] for o in members if o != index and found[o])
            if votes:
                hints[index] = min(votes, key=lambda sig: (-votes[sig], sig))
    return hints


def run(corpus_dir: Path = DEFAULT_CORPUS) -> dict:
    """Every variant on every page: per-page scores, summaries and timings."""
    import trafilatura

    from crawler.extraction import body, metadata
    from crawler.extraction.charset import decode_html
    from crawler.extraction.dom import parse_html
    from crawler.extraction.headline import choose_headline, headline_candidates, site_names
    from crawler.extraction.pagemeta import read_page_meta

    if not (corpus_dir / "ground-truth.json").is_file():
        raise SystemExit(f"benchmark corpus not found at {corpus_dir}")
    pages = _pages(corpus_dir)

    def prepare(url: str, raw: bytes):
        html = decode_html(raw, None)
        tree = parse_html(html)
        page = read_page_meta(tree)
        candidates = headline_candidates(tree, page)
        repeats = [choose_headline(candidates, site_names(page, url)), metadata.lead(tree, page),
                   *candidates.values()]
        return html, tree, repeats

    # Pass 1: the container each page shows (what a source's container is learned from).
    found: list[str | None] = []
    first_texts: list[str] = []
    for _sha, url, raw, _truth in pages:
        _html, tree, _repeats = prepare(url, raw)
        first = body.body_text(tree, url)
        found.append(first.container)
        first_texts.append(first.text)
    hints = _learned_hints([url for _, url, _, _ in pages], found)

    # Pass 2: every variant, timed page by page in turn (so a busy machine slows all alike).
    texts: dict[str, list[str]] = {v: [] for v in VARIANTS}
    times: dict[str, float] = Counter()
    changed = 0                    # pages whose self-detected result differs from pass 1's
    for (_sha, url, raw, _truth), hint, first, first_text in zip(pages, hints, found, first_texts):
        html, tree, repeats = prepare(url, raw)
        for variant, kwargs in (("trafilatura", {}), ("trafilatura_precision", {"favor_precision": True})):
            start = time.perf_counter()
            texts[variant].append(trafilatura.extract(html, url=url, **kwargs) or "")
            times[variant] += time.perf_counter() - start
        for variant, call in (("before", lambda: body.trafilatura_text(tree, url)),
                              ("self", lambda: body.body_text(tree, url)),
                              ("learned", lambda: body.body_text(tree, url, hint))):
            start = time.perf_counter()
            out = call()
            times[variant] += time.perf_counter() - start
            if variant == "self" and (out.container, out.text) != (first, first_text):
                changed += 1
            texts[variant].append(body.strip_leading_repeats(getattr(out, "text", out), repeats))

    result: dict = {"pages": len(pages), "tokenizer": r"re \w+ (Unicode, case kept, NFC)",
                    "hosts_with_hint": sum(1 for h in hints if h),
                    "nondeterministic_pages": changed, "variants": {}, "per_page": []}
    for variant in VARIANTS:
        scores = [score(text, truth) for text, (_, _, _, truth) in zip(texts[variant], pages)]
        losing = [(url, lost) for text, (_, url, _, truth) in zip(texts[variant], pages)
                  if (lost := lost_paragraphs(text, truth))]
        result["variants"][variant] = {
            "precision": statistics.fmean(s[0] for s in scores),
            "recall": statistics.fmean(s[1] for s in scores),
            "f1": statistics.fmean(s[2] for s in scores),
            "f1_median": statistics.median(s[2] for s in scores),
            "pages_losing_paragraph": len(losing),
            "paragraphs_lost": sum(len(lost) for _, lost in losing),
            "ms_per_page": 1000 * times[variant] / len(pages),
            "f1_per_page": [round(s[2], 4) for s in scores],
        }
    plain = result["variants"]["trafilatura"]["f1"]
    for summary in result["variants"].values():
        summary["gain_points"] = 100 * (summary["f1"] - plain)
    for index, (sha, url, _, _) in enumerate(pages):
        result["per_page"].append({"sha256": sha, "url": url, "found": found[index], "hint": hints[index],
                                   **{v: result["variants"][v]["f1_per_page"][index] for v in VARIANTS}})
    return result


def table(result: dict) -> str:
    """The summary as a text table."""
    if "skipped" in result:
        return f"skipped: {result['skipped']}"
    lines = [f"{result['pages']} pages; tokens: {result['tokenizer']}; "
             f"{result['hosts_with_hint']} pages got a learned hint (leave-one-out per host); "
             f"{result['nondeterministic_pages']} pages changed between two runs",
             f"{'':22}{'precision':>10}{'recall':>10}{'F1':>10}{'F1 med':>10}{'vs plain':>10}"
             f"{'losing':>8}{'lost':>6}{'ms/page':>9}"]
    for variant, s in result["variants"].items():
        lines.append(f"{variant:22}{s['precision']:10.4f}{s['recall']:10.4f}{s['f1']:10.4f}{s['f1_median']:10.4f}"
                     f"{s['gain_points']:+10.2f}{s['pages_losing_paragraph']:8d}{s['paragraphs_lost']:6d}"
                     f"{s['ms_per_page']:9.1f}")
    lines.append("vs plain: F1 points over trafilatura defaults; losing: pages missing a ground-truth "
                 f"paragraph (>= {LOST_MIN_WORDS} words, < {LOST_BELOW:.0%} of its tokens present); "
                 "lost: such paragraphs")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extractbench", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    try:
        result = run(args.corpus)
    except SystemExit as exc:
        print(f"skipped: {exc}")
        return 0
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
