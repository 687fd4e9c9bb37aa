"""Where article text comes from: the real TASS seed story, the real bodies of the
article-extraction benchmark when the shared corpus is present, and a few built-in stories so the
simulator runs anywhere. Only loading and splitting live here; content.py turns texts into
articles."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED_FILE = "tass-2023-10-17-russia-hamas.txt"
GROUND_TRUTH = Path("article-extraction-benchmark") / "ground-truth.json"

# Corpus bodies shorter than this are teasers or paywall stubs: they make poor articles.
MIN_BODY_CHARS = 600
MIN_PARAGRAPHS = 3
MAX_PARAGRAPHS = 40

_SENTENCE_END = re.compile(r"(?<=[.!?»”\"])\s+(?=[A-ZА-ЯЁ«“\"])")


@dataclass
class SourceText:
    headline: str
    lead: str
    paragraphs: list[str]
    language: str = "en"
    origin: str = "builtin"
    tags: list[str] | None = None   # None: derived from the text
    section: str | None = None      # None: one drawn at random
    # Other sentences of the text usable as headlines: variants of a cycled text and headline
    # edits take them, so a rewritten headline still reads like this story.
    alt_headlines: list[str] = field(default_factory=list)


def shared_dir() -> Path:
    """The project's shared folder: WIRESIM_SHARED wins, else ../shared beside the repository."""
    env = os.environ.get("WIRESIM_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared"


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


_DATELINE = re.compile(r"^(?:[A-ZА-ЯЁ][A-ZА-ЯЁ .,'-]+\d*\.\s*/[^/]+/\.|[A-Z][A-Z .,'-]+ [—–-])\s*")
_TRAILING = set("""a an and as at but by for from in into is are was were of on or than that the
their its to which who with not any this these has have had be been will would""".split())


def headline_from_sentence(sentence: str, max_chars: int = 95) -> str | None:
    """A headline-like line cut from a body sentence, or None when the sentence is unsuitable
    (too short, a fragment). Long sentences are cut at a clause boundary when there is one, so
    the line does not end mid-phrase."""
    s = _DATELINE.sub("", sentence.strip())  # "MOSCOW, October 17. /TASS/." or "MADRID —"
    s = s.strip(" \"“”«»'")
    if len(s) > max_chars:
        head = s[:max_chars]
        cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" — "))
        s = head[:cut] if cut >= 40 else head.rsplit(" ", 1)[0]
        words = s.split()
        while words and words[-1].lower() in _TRAILING:
            words.pop()
        s = " ".join(words)
    s = s.rstrip(" .,;:—–-")
    if len(s) < 30 or s.count(" ") < 4 or not s[0].isupper():
        return None
    return s


def _with_alternatives(text: SourceText) -> SourceText:
    seen = {text.headline}
    for sentence in split_sentences(" ".join([text.lead, *text.paragraphs])):
        h = headline_from_sentence(sentence)
        if h and h not in seen:
            seen.add(h)
            text.alt_headlines.append(h)
    return text


def parse_seed_article(raw: str, origin: str = "seed") -> SourceText | None:
    """The seed format: an optional "All news" line, the headline, the lead, then paragraphs."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if lines and lines[0].lower() == "all news":
        lines = lines[1:]
    if len(lines) < 3:
        return None
    return _with_alternatives(SourceText(lines[0], lines[1], lines[2:], origin=origin,
                                         section="world"))


# A few function words per language: enough to tell the benchmark's non-English pages (Portuguese,
# Italian, Indonesian, ...) from English ones, so their pages do not claim lang="en".
_STOPWORDS = {
    "en": "the and of to is that with for was are".split(),
    "pt": "que não uma para com os das dos está são".split(),
    "es": "que el los las para con una por del está".split(),
    "it": "che il per della una non sono gli alla anche".split(),
    "fr": "le les des est une pour dans que sur pas".split(),
    "de": "der die und das ist nicht mit ein auf sich".split(),
    "id": "dan yang di ini itu dengan untuk dari tidak akan".split(),
}


def guess_language(text: str) -> str:
    if len(re.findall(r"[а-яё]", text.lower())) > len(text) // 4:
        return "ru"
    words = Counter(re.findall(r"\w+", text.lower()))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    return max(scores, key=scores.get)


def text_from_body(body: str, origin: str) -> SourceText | None:
    """A benchmark ground-truth body: first paragraph is the lead, its first sentence gives
    the headline."""
    paragraphs = [p.strip() for p in body.splitlines() if p.strip()]
    if len(body) < MIN_BODY_CHARS or len(paragraphs) < MIN_PARAGRAPHS:
        return None
    sentences = split_sentences(paragraphs[0])
    headline = None
    for sentence in sentences + split_sentences(paragraphs[1]):
        headline = headline_from_sentence(sentence)
        if headline:
            break
    if not headline:
        return None
    return _with_alternatives(SourceText(headline, paragraphs[0], paragraphs[1:MAX_PARAGRAPHS],
                                         language=guess_language(body), origin=origin))


def load_seed(shared: Path | None = None) -> SourceText | None:
    path = (shared or shared_dir()) / "seed-article" / SEED_FILE
    try:
        return parse_seed_article(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def load_corpus(corpus_dir: Path | str | None) -> list[SourceText]:
    """Benchmark bodies in a stable order (sorted by digest); [] when the corpus is absent,
    because the simulator must run without it."""
    if corpus_dir is None:
        return []
    path = Path(corpus_dir) / GROUND_TRUTH
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    texts = []
    for digest in sorted(truth):
        entry = truth[digest]
        text = text_from_body(entry.get("articleBody") or "", origin=f"corpus:{digest}")
        if text:
            texts.append(text)
    return texts


def builtin_texts() -> list[SourceText]:
    return [_with_alternatives(SourceText(h, lead, list(paras), origin="builtin"))
            for h, lead, paras in BUILTIN_EN]


def builtin_texts_in(language: str) -> list[SourceText]:
    """The built-in stories of a language ("en", "ru", "es", "uk"): what a persona of an agency
    publishing in it serves when no corpus is given."""
    if language == "en":
        return builtin_texts()
    from .stories import RUSSIAN as RU_STORIES, SPANISH, UKRAINIAN
    extra = {"ru": RU_STORIES, "es": SPANISH, "uk": UKRAINIAN}.get(language)
    if extra is None:
        raise ValueError(f"no built-in stories in {language!r}; languages: en, ru, es, uk")
    texts = [russian_text()] if language == "ru" else []
    return texts + [_with_alternatives(SourceText(h, lead, list(paras), language=language,
                                                  origin=f"builtin-{language}"))
                    for h, lead, paras in extra]


def russian_text() -> SourceText:
    h, lead, paras = RUSSIAN
    return _with_alternatives(SourceText(h, lead, list(paras), language="ru", origin="builtin-ru",
                                         tags=["ХАМАС", "Израиль", "Россия"]))


# Written for the simulator (not copied from any outlet), in wire-copy style, with figures.
BUILTIN_EN = [
    (
        "Flood waters force thousands from homes in northern river valley",
        "Emergency services evacuated entire villages overnight as the river rose more than two "
        "metres above its seasonal level",
        [
            "NORTHERN VALLEY, March 4. /WireSim/. Rescue teams worked through the night to move "
            "residents out of low-lying villages after days of heavy rain pushed the river over its "
            "banks, regional officials said on Monday.",
            "About 4,300 people have been moved to temporary shelters in schools and sports halls, "
            "the regional emergencies department said in a statement. Several roads and a railway "
            "bridge were closed as a precaution.",
            "\"The water is still rising in some places, and we expect the peak to pass through the "
            "lower valley on Wednesday,\" the head of the department told reporters.",
            "Forecasters said more rain was expected over the next two days, although at lower "
            "intensity. Farmers in the area reported that large areas of winter crops were under "
            "water.",
            "The regional government has allocated emergency funds for the evacuees and said it "
            "would assess the damage to homes and infrastructure once the water recedes.",
        ],
    ),
    (
        "Central bank holds key rate, signals cuts possible later this year",
        "The regulator said inflation was slowing faster than expected but warned that risks "
        "remained",
        [
            "FRANKFURT, June 12. /WireSim/. The central bank left its key interest rate unchanged at "
            "4.5% on Thursday, in line with analysts' expectations, and said it could begin lowering "
            "borrowing costs later in the year if inflation continued to ease.",
            "Consumer prices rose 3.1% in May from a year earlier, down from 3.6% in April, "
            "according to official data published last week.",
            "\"We are seeing clear progress, but the job is not done,\" the bank's governor told a "
            "news conference after the decision. She said wage growth and energy prices were the "
            "main risks to the outlook.",
            "The bank also cut its growth forecast for this year to 0.9% from 1.2%, citing weaker "
            "exports. Lending to companies fell by 2,100 million euros in the first quarter.",
            "Markets had priced in a first cut for September. The currency weakened slightly after "
            "the announcement.",
        ],
    ),
]

# A Russian version of the seed story's facts, written for the simulator; served as windows-1251.
RUSSIAN = (
    "Контакты России с ХАМАС не означают поддержки терроризма — посол",
    "По словам Анатолия Викторова, вопрос о признании ХАМАС террористической организацией — "
    "старый нарратив, к которому периодически возвращаются",
    [
        "ТЕЛЬ-АВИВ, 17 октября. /WireSim/. Россия осуждает все формы терроризма, а контакты Москвы "
        "с отдельными представителями ХАМАС не означают поддержки террористической деятельности "
        "движения. Об этом заявил на пресс-конференции посол России в Израиле Анатолий Викторов.",
        "«Поддержание нами связи с некоторыми представителями ХАМАС никоим образом не означает, что "
        "мы поддерживаем подобные действия», — сказал дипломат. Москва всегда осуждала «любые "
        "проявления терроризма и экстремизма», добавил он.",
        "По словам посла, Москва сохраняет контакты с ХАМАС, поскольку движение по-прежнему играет "
        "заметную политическую роль на большей части палестинских территорий. «Такие контакты "
        "необходимы для ведения любых серьезных переговоров», — отметил он.",
        "Обострение на Ближнем Востоке произошло после того, как 7 октября боевики ХАМАС проникли "
        "на территорию Израиля из сектора Газа. Израиль объявил о полной блокаде анклава и начал "
        "наносить по нему удары.",
        "По последним данным, погибли более 2 800 палестинцев, ранения получили свыше 11 200 "
        "человек. В Израиле число погибших составляет около 1 500, ранены почти 4 000 человек.",
    ],
)
