"""Articles: the dataclass the simulator serves, and how source texts become articles (section,
slug, byline, tags, a guaranteed body figure for "number" edits)."""

from __future__ import annotations

import copy
import hashlib
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .texts import SourceText, split_sentences

SECTIONS = ["world", "politics", "economy", "society"]
# Where an article page shows its headline: the article's <h1>, og:title, twitter:title, the
# JSON-LD `headline` and <title> (which adds the site name).
HEADLINE_PLACES = ("h1", "og", "twitter", "jsonld", "title")
VISIBLE_PLACES = ("h1", "og", "twitter", "title")
SECTION_TITLES = {"world": "World", "politics": "Politics", "economy": "Economy",
                  "society": "Society"}
FIRST_ID = 1001

BYLINES = {
    "en": ["Anna Petrova", "James Holt", "Maria Lopez", "Daniel Okafor", "Sophie Martin",
           "Viktor Sokolov", "Laura Chen", "Ahmed Karimi", "Elena Rossi", "Tom Fischer",
           "Yuki Tanaka", "Olga Ivanova"],
    "ru": ["Анна Петрова", "Виктор Соколов", "Ольга Иванова", "Дмитрий Орлов", "Мария Лебедева"],
    "es": ["Ana María Pérez", "Jorge Luis Hernández", "Lourdes García", "Pedro Rivero",
           "Marta Fonseca"],
    "uk": ["Оксана Коваль", "Андрій Мельник", "Ірина Шевчук", "Тарас Бойко"],
}

BYLINE_PREFIX = {"en": "By ", "ru": "Автор: ", "es": "Por ", "uk": "Автор: "}

# A figure with thousands separators, the kind a casualty count or a budget line is revised in.
# English groups with commas; Russian with a space ("2 800"); Spanish with a full stop ("2.800").
FIGURE_RE = {
    "en": re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,]|\.\d)"),
    "ru": re.compile(r"(?<!\d)(?<!\d )\d{1,3}(?: \d{3})+(?!\d)"),
    "uk": re.compile(r"(?<!\d)(?<!\d )\d{1,3}(?: \d{3})+(?!\d)"),
    "es": re.compile(r"(?<![\d,.])\d{1,3}(?:\.\d{3})+(?![\d.]|,\d)"),
}
FIGURE_SENTENCES = {
    "en": ["At least {n} people were affected, officials said.",
           "Organisers said more than {n} people took part.",
           "About {n} jobs depend on the sector, according to industry estimates.",
           "The figure includes some {n} cases recorded since the start of the year, according "
           "to official data."],
    "ru": ["По данным властей, пострадали не менее {n} человек."],
    "es": ["Al menos {n} personas resultaron afectadas, según fuentes oficiales."],
    "uk": ["За даними влади, постраждали щонайменше {n} людей."],
}

_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
                      "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y",
                      "", "e", "yu", "ya"]))
_TRANSLIT.update({"і": "i", "ї": "yi", "є": "ye", "ґ": "g"})    # Ukrainian
_NOT_TAGS = set("""The A An In On At Of For And But Or He She It They We I This That These Those
His Her Its Their Our After Before When While As If By From With Without To Now Then There Here
Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
May June July August September October November December Read Also According However Some Many
What Who Why How Where Which One Two Three More Most Such Other New Last First""".split())


@dataclass
class Article:
    id: str
    section: str
    slug: str
    headline: str
    byline: str
    lead: str
    paragraphs: list[str]
    tags: list[str]
    language: str
    published: datetime
    modified: datetime
    status: str = "live"          # "live" | "gone"
    gone_status: int = 404        # 404 or 410 once pulled
    revision: int = 1             # +1 per edit, stealth or not
    charset: str = "utf-8"        # "utf-8" | "windows-1251"
    old_slugs: list[str] = field(default_factory=list)   # every earlier slug, oldest first
    origin: str = ""              # "seed", "corpus:<sha256>", "builtin", "builtin-ru", "custom"
    alt_headlines: list[str] = field(default_factory=list, repr=False)
    # Places whose headline is not `headline` (stale after an edit that skipped them, or edited
    # alone): place -> text, places among HEADLINE_PLACES. Empty: every place shows `headline`.
    place_headlines: dict[str, str] = field(default_factory=dict)

    def shown_headline(self, place: str) -> str:
        """The headline the page shows in `place` (one of HEADLINE_PLACES; <title> without the
        site name the page adds)."""
        return self.place_headlines.get(place, self.headline)

    def shown_headlines(self) -> dict[str, str]:
        return {place: self.shown_headline(place) for place in HEADLINE_PLACES}

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.id}/{self.slug}"

    @property
    def etag(self) -> str:
        # From the id and revision only, so the page's rotating noise never changes it, and a
        # stealth edit (modified time untouched) still does.
        digest = hashlib.sha1(f"{self.id}:{self.revision}".encode()).hexdigest()[:16]
        return f'"{digest}"'

    @property
    def text(self) -> str:
        return "\n\n".join([self.headline, self.lead, *self.paragraphs])

    def copy(self) -> "Article":
        return copy.deepcopy(self)


def slugify(text: str, max_words: int = 10) -> str:
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text)
    return "-".join(words[:max_words]) or "story"


def find_figures(text: str, language: str) -> list[re.Match]:
    return list(FIGURE_RE.get(language, FIGURE_RE["en"]).finditer(text))


def format_figure(value: int, language: str) -> str:
    grouped = f"{value:,}"
    return grouped.replace(",", {"ru": " ", "uk": " ", "es": "."}.get(language, ","))


def parse_figure(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def ensure_figure(paragraphs: list[str], language: str, rng: random.Random) -> list[str]:
    """Every article needs a figure in its body so a "number" edit works on any of them."""
    if any(find_figures(p, language) for p in paragraphs):
        return paragraphs
    sentences = FIGURE_SENTENCES.get(language, FIGURE_SENTENCES["en"])
    n = format_figure(rng.randrange(12, 990) * 100, language)
    at = min(2, len(paragraphs))
    return paragraphs[:at] + [rng.choice(sentences).format(n=n)] + paragraphs[at:]


def derive_tags(text: SourceText, limit: int = 3) -> list[str]:
    """The most mentioned proper names, as an editor would tag the story: capitalised words
    that do not start a sentence. All-caps words are datelines or agency names in English."""
    words: Counter[str] = Counter()
    for sentence in split_sentences(" ".join([text.lead, *text.paragraphs])):
        for token in sentence.split()[1:]:
            word = re.sub(r"(’s|'s)$", "", token.strip(".,;:!?\"“”«»()[]—"))
            if (len(word) >= 3 and word[0].isupper() and word not in _NOT_TAGS
                    and (text.language != "en" or not word.isupper())):
                words[word] += 1
    return [w for w, _ in words.most_common(limit) if "/" not in w]


def unique_headline(base: SourceText, variant: int, used: set[str]) -> str:
    """Variant 0 is the text's own headline; later cycles use its other sentences, then a
    numbered suffix, so every page of a large simulated site has a headline of its own."""
    candidates = [base.headline, *base.alt_headlines]
    headline = candidates[variant % len(candidates)]
    n = 2
    while headline in used:
        headline = f"{candidates[variant % len(candidates)]} ({n})"
        n += 1
    used.add(headline)
    return headline


def build_article(aid: int, text: SourceText, variant: int, rng: random.Random,
                  published: datetime, used_headlines: set[str], section: str | None = None,
                  tags: list[str] | None = None, charset: str = "utf-8",
                  sections: list[str] = SECTIONS) -> Article:
    headline = unique_headline(text, variant, used_headlines)
    paragraphs = list(text.paragraphs)
    if variant and len(paragraphs) > 2:
        # Cycled copies keep the dateline paragraph first but reorder the rest, so their bodies
        # differ too and no two pages of the site are the same text.
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = [paragraphs[0], *rest]
    paragraphs = ensure_figure(paragraphs, text.language, rng)
    own = text.section if variant == 0 and text.section in sections else None
    section = section or own or rng.choice(list(sections))
    section_title = SECTION_TITLES.get(section, section.title())
    alt = [h for h in [text.headline, *text.alt_headlines] if h != headline]
    return Article(
        id=str(aid),
        section=section,
        slug=slugify(headline),
        headline=headline,
        byline=BYLINE_PREFIX.get(text.language, "By ")
        + rng.choice(BYLINES.get(text.language, BYLINES["en"])),
        lead=text.lead,
        paragraphs=paragraphs,
        tags=list(tags or text.tags or derive_tags(text)) or [section_title],
        language=text.language,
        published=published,
        modified=published,
        charset=charset,
        origin=text.origin,
        alt_headlines=alt,
    )
