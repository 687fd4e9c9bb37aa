"""Posts a story embeds (a tweet's blockquote, its attribution line) are part of its text, so a
swapped or removed post is an edit; a box named like furniture that embeds no post is still left
out (crawler/extraction/container.py _EMBEDDED_POSTS, body.merge_lines)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.extraction.body import body_text
from crawler.extraction.dom import parse_html

BENCHMARK = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "article-extraction-benchmark"
needs_corpus = pytest.mark.skipif(not (BENCHMARK / "ground-truth.json").is_file(),
                                  reason=f"real-page corpus not found at {BENCHMARK}")
NJ = "https://www.nj.com/entertainment/2019/11/florida-man-exists-south-dakota-hold-my-beer-meth-were-on-it.html"
SKY = ("https://news.sky.com/story/jose-mourinho-agrees-deal-to-replace-mauricio-pochettino-as-tottenham-"
       "manager-11865382")

STORY = "".join(f"<p>Paragraph {n} of the story says what the ministry announced on Tuesday in the capital.</p>"
                for n in range(8))


def _real(url: str) -> tuple[bytes, str]:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    sha = next(sha for sha, item in truth.items() if item["url"] == url)
    return gzip.open(BENCHMARK / "html" / f"{sha}.html.gz").read(), truth[sha]["articleBody"]


@needs_corpus
@pytest.mark.parametrize("url, quoted", [
    (NJ, ["— Dianna E. Anderson", "— Governor Kristi Noem (@govkristinoem) November 18, 2019"]),
    (SKY, ["I can’t thank this man enough. He’s taught me so much", "— Dele (@dele_official) November 19, 2019"]),
])
def test_tweets_a_real_story_quotes_are_in_its_text(url, quoted):
    raw, truth = _real(url)
    text = extract(raw, url).text
    for words in quoted:
        assert words in truth                       # the corpus's ground truth counts them as story
        assert words in text, words


def _page(post: str) -> str:
    return (f"<html><head><title>Drones downed</title></head><body><main><article><h1>Drones downed</h1>"
            f"<div class='story-body'>{STORY[:400]}{post}{STORY[400:]}</div></article></main></body></html>")


TWEET = ("<div class='social-media-embed'><blockquote class='twitter-tweet'><p lang='en'>The ministry's "
         "statement is out now, read it in full here</p>— Ministry of Defence (@mod) "
         "<a href='https://twitter.com/mod/status/1'>November 18, 2019</a></blockquote></div>")


def test_an_embedded_tweet_in_a_box_named_like_furniture_is_kept_with_its_attribution():
    text = body_text(parse_html(_page(TWEET)), "https://news.example/a").text
    assert "The ministry's statement is out now, read it in full here" in text
    assert "— Ministry of Defence (@mod) November 18, 2019" in text


def test_a_swapped_tweet_changes_the_text():
    other = TWEET.replace("The ministry's statement is out now", "The ministry's correction is out now")
    a = body_text(parse_html(_page(TWEET)), "https://news.example/a").text
    b = body_text(parse_html(_page(other)), "https://news.example/a").text
    assert a != b and "correction" in b


def test_a_furniture_box_without_an_embedded_post_is_still_left_out():
    box = ("<div class='social-share'><blockquote><p>Share this story with your friends on every "
           "network today</p></blockquote></div>")
    text = body_text(parse_html(_page(box)), "https://news.example/a").text
    assert "Share this story" not in text
