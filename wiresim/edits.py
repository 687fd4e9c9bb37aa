"""The ways a wire story gets edited after publication. Each edit changes exactly what its kind
says and returns a description of the change, so a test can check the archive saw that change
and nothing else."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from . import headlines
from .content import BYLINE_PREFIX, BYLINES, Article, find_figures, format_figure, parse_figure
from .texts import split_sentences

# headline: a new headline (options headline=, and places= or stale=: see headlines.py);
# social_headline: only og:title and twitter:title; kicker: "UPDATE: " added or "UPDATE 2-" →
# "UPDATE 3-" (kicker=, places=, stale=).
EDIT_KINDS = ("headline", "number", "add_paragraph", "remove_paragraph", "reword", "correction",
              "byline", "modified_time", "cosmetic", "social_headline", "kicker")

HEADLINE_CLAUSES = {"en": [", officials say", " — sources", ", report says", " — update"],
                    "ru": [" — источник", " — СМИ"],
                    "es": [", según fuentes oficiales", " (actualización)"],
                    "uk": [" — джерело", " — ЗМІ"]}
UPDATE_PARAGRAPHS = {
    "en": ["Officials said further details would be released at a briefing later in the day.",
           "The ministry did not immediately respond to a request for comment.",
           "Witnesses described scenes of confusion as emergency vehicles arrived at the site.",
           "A government spokesperson said the situation was being closely monitored.",
           "The statement came hours after a meeting of the national security council.",
           "Local media reported that several roads in the area had been closed.",
           "Analysts said the announcement was unlikely to change the picture in the short term."],
    "ru": ["Подробности, по словам официальных лиц, будут сообщены на брифинге позднее.",
           "В министерстве пока не ответили на запрос о комментарии.",
           "Местные СМИ сообщили, что ряд дорог в районе был перекрыт."],
    "es": ["Las autoridades informaron que ofrecerán más detalles en una conferencia de prensa.",
           "El ministerio no respondió de inmediato a una solicitud de comentarios.",
           "Medios locales reportaron el cierre de varias vías en la zona."],
    "uk": ["Подробиці, за словами посадовців, повідомлять на брифінгу пізніше.",
           "У міністерстві поки не відповіли на запит щодо коментаря.",
           "Місцеві ЗМІ повідомили, що низку доріг у районі перекрито."],
}
CORRECTIONS = {
    "en": ("Correction: an earlier version of this story misstated {}.",
           ["the number of people affected", "the date of the announcement",
            "the title of the official quoted", "the name of the ministry",
            "the location of the meeting"]),
    "ru": ("Исправление: в предыдущей версии материала была неверно указана {}.",
           ["дата заявления", "должность цитируемого официального лица", "численность пострадавших"]),
    "es": ("Corrección: una versión anterior de esta nota indicaba de forma errónea {}.",
           ["la fecha del anuncio", "el cargo del funcionario citado", "el número de afectados"]),
    "uk": ("Виправлення: у попередній версії матеріалу було неправильно зазначено {}.",
           ["дату заяви", "посаду цитованої посадовця", "кількість постраждалих"]),
}
# One-for-one substitutions: each rewords a sentence without changing what it reports.
REWORDS = {
    "en": [(r"\bsaid\b", "stated"), (r"\bmore than\b", "over"), (r"\babout\b", "around"),
           (r"\bannounced\b", "said"), (r"\btold\b", "informed"), (r"\bnearly\b", "almost"),
           (r"\bstarted\b", "began"), (r"\bbegan\b", "started"), (r"\bbecause\b", "as"),
           (r"\bseveral\b", "a number of"), (r"\balso\b", "additionally"), (r"\bbut\b", "yet"),
           (r"\blarge\b", "big"), (r"\bexpected\b", "anticipated"), (r"\bhelp\b", "assist")],
    "ru": [(r"заявил", "сообщил"), (r"сказал", "отметил"), (r"более", "свыше"),
           (r"около", "порядка"), (r"всегда", "неизменно"), (r"поскольку", "так как"),
           (r"почти", "практически")],
    "es": [(r"\binformó\b", "indicó"), (r"\bdijo\b", "afirmó"), (r"\bmás de\b", "por encima de"),
           (r"\bunas\b", "alrededor de"), (r"\bhoy\b", "este día"), (r"\bsegún\b", "de acuerdo con")],
    "uk": [(r"заявив", "повідомив"), (r"сказав", "зазначив"), (r"понад", "більш ніж"),
           (r"близько", "приблизно"), (r"майже", "практично")],
}


def apply_edit(article: Article, kind: str, rng: random.Random, now: datetime,
               stealth: bool = False, **kw) -> dict:
    """Edit `article` in place. Lists are replaced, never mutated, so a copy handed out earlier
    (a page being rendered) keeps a consistent old revision."""
    try:
        edit = _EDITS[kind]
    except KeyError:
        raise ValueError(f"unknown edit kind {kind!r}; kinds: {', '.join(EDIT_KINDS)}") from None
    old_modified = article.modified
    change = {"kind": kind, **edit(article, rng, **kw)}
    article.revision += 1
    if not stealth:
        # Last-Modified has one-second resolution: two edits in one second must still differ.
        article.modified = max(now, old_modified + timedelta(seconds=1))
    change.update(id=article.id, revision=article.revision, stealth=stealth,
                  modified=article.modified.isoformat())
    if kind == "modified_time":
        change.update(old=old_modified.isoformat(), new=article.modified.isoformat())
    return change


def _lang(article: Article, table: dict):
    return table.get(article.language, table["en"])


def _headline(a: Article, rng: random.Random, headline: str | None = None, places=None,
              stale=None) -> dict:
    return headlines.headline_edit(a, rng, _lang(a, HEADLINE_CLAUSES), headline, places, stale)


def _social_headline(a: Article, rng: random.Random, headline: str | None = None, places=None,
                     stale=None) -> dict:
    return headlines.headline_edit(a, rng, _lang(a, HEADLINE_CLAUSES), headline, places, stale,
                                   default=headlines.SOCIAL_PLACES)


def revise_figure(value: int, rng: random.Random) -> int:
    """A plausible revision upward (death tolls and counts grow), rounded as agencies round."""
    step = 100 if value < 20_000 else 1_000
    new = round(value * rng.uniform(1.05, 1.35) / step) * step
    return new if new > value else value + step


def _number(a: Article, rng: random.Random, paragraph: int | None = None,
            new: str | int | None = None) -> dict:
    spots = [(i, m) for i, p in enumerate(a.paragraphs) for m in find_figures(p, a.language)
             if paragraph is None or i == paragraph]
    if not spots:
        raise ValueError(f"article {a.id} has no figure in its body to change")
    i, m = rng.choice(spots)
    old = m.group()
    if new is None:
        new = revise_figure(parse_figure(old), rng)
    new_text = format_figure(new, a.language) if isinstance(new, int) else str(new)
    p = a.paragraphs[i]
    a.paragraphs = [*a.paragraphs[:i], p[:m.start()] + new_text + p[m.end():], *a.paragraphs[i + 1:]]
    return {"paragraph": i, "old": old, "new": new_text}


def _add_paragraph(a: Article, rng: random.Random, text: str | None = None,
                   index: int | None = None) -> dict:
    if text is None:
        fresh = [t for t in _lang(a, UPDATE_PARAGRAPHS) if t not in a.paragraphs]
        text = rng.choice(fresh or _lang(a, UPDATE_PARAGRAPHS))
    if index is None:
        index = len(a.paragraphs) if rng.random() < 0.5 else rng.randint(1, len(a.paragraphs))
    a.paragraphs = [*a.paragraphs[:index], text, *a.paragraphs[index:]]
    return {"index": index, "new": text}


def _remove_paragraph(a: Article, rng: random.Random, index: int | None = None) -> dict:
    if len(a.paragraphs) < 2:
        raise ValueError(f"article {a.id} has only one body paragraph")
    if index is None:
        # Keep at least one figure in the body, so a later "number" edit still works.
        def keeps_figure(i):
            rest = a.paragraphs[:i] + a.paragraphs[i + 1:]
            return any(find_figures(p, a.language) for p in rest)
        # Prefer sparing the dateline paragraph; with two or more paragraphs some removal
        # always keeps a figure, so the fallback only serves articles published without one.
        choices = [i for i in range(1, len(a.paragraphs)) if keeps_figure(i)] or \
            [i for i in range(len(a.paragraphs)) if keeps_figure(i)] or \
            list(range(1, len(a.paragraphs)))
        index = rng.choice(choices)
    old = a.paragraphs[index]
    a.paragraphs = [*a.paragraphs[:index], *a.paragraphs[index + 1:]]
    return {"index": index, "old": old}


def reword_sentence(sentence: str, language: str, rng: random.Random) -> str:
    pairs = list(REWORDS.get(language, REWORDS["en"]))
    rng.shuffle(pairs)
    for pattern, replacement in pairs:
        new = re.sub(pattern, replacement, sentence, count=1)
        if new != sentence:
            return new
    suffix, prefix = {"ru": (", сообщают СМИ.", "По имеющимся данным, "),
                      "uk": (", повідомляють ЗМІ.", "За наявними даними, "),
                      "es": (", según reportes.", "Según reportes, ")}.get(
        language, (", it was reported.", "Reportedly, "))
    if sentence.endswith("."):
        return sentence[:-1] + suffix
    return prefix + sentence


def _reword(a: Article, rng: random.Random, paragraph: int | None = None) -> dict:
    indexes = [paragraph] if paragraph is not None else list(range(len(a.paragraphs)))
    spots = [(i, s) for i in indexes for s in split_sentences(a.paragraphs[i])]
    # Prefer a sentence a substitution applies to: it reads like an editor's rewording.
    table = REWORDS.get(a.language, REWORDS["en"])
    good = [(i, s) for i, s in spots if any(re.search(p, s) for p, _ in table)]
    i, old = rng.choice(good or spots)
    new = reword_sentence(old, a.language, rng)
    a.paragraphs = [*a.paragraphs[:i], a.paragraphs[i].replace(old, new, 1), *a.paragraphs[i + 1:]]
    return {"paragraph": i, "old": old, "new": new}


def _correction(a: Article, rng: random.Random, text: str | None = None) -> dict:
    if text is None:
        template, things = _lang(a, CORRECTIONS)
        text = template.format(rng.choice(things))
    a.paragraphs = [*a.paragraphs, text]
    return {"index": len(a.paragraphs) - 1, "new": text}


def _byline(a: Article, rng: random.Random, byline: str | None = None) -> dict:
    old = a.byline
    if byline is None:
        names = [n for n in _lang(a, BYLINES) if n not in old]
        byline = BYLINE_PREFIX.get(a.language, "By ") + rng.choice(names)
        if rng.random() < 0.3:
            byline = f"{old} {'и' if a.language == 'ru' else 'and'} {rng.choice(names)}"
    a.byline = byline
    return {"old": old, "new": byline}


def _modified_time(a: Article, rng: random.Random) -> dict:
    return {}


def _cosmetic_variants(p: str) -> list[tuple[str, str]]:
    variants = []
    if "’" in p:
        variants.append(("curly apostrophe to straight", p.replace("’", "'", 1)))
    elif re.search(r"\w'\w", p):
        variants.append(("straight apostrophe to curly", re.sub(r"(\w)'(\w)", r"\1’\2", p, 1)))
    if re.search(r'"[^"]+"', p):
        variants.append(("straight quotes to curly", re.sub(r'"([^"]+)"', r"“\1”", p, 1)))
    if ". " in p:
        variants.append(("double space after full stop", p.replace(". ", ".  ", 1)))
    if " — " in p:
        variants.append(("em dash to hyphen", p.replace(" — ", " - ", 1)))
    return variants


def _cosmetic(a: Article, rng: random.Random, paragraph: int | None = None) -> dict:
    indexes = [paragraph] if paragraph is not None else list(range(len(a.paragraphs)))
    spots = [(i, what, new) for i in indexes
             for what, new in _cosmetic_variants(a.paragraphs[i])]
    if spots:
        i, what, new = rng.choice(spots)
    else:
        i, what = indexes[-1], "trailing double space"
        new = a.paragraphs[i] + "  "
    old = a.paragraphs[i]
    a.paragraphs = [*a.paragraphs[:i], new, *a.paragraphs[i + 1:]]
    return {"paragraph": i, "change": what, "old": old, "new": new}


_EDITS = {"headline": _headline, "number": _number, "add_paragraph": _add_paragraph,
          "remove_paragraph": _remove_paragraph, "reword": _reword, "correction": _correction,
          "byline": _byline, "modified_time": _modified_time, "cosmetic": _cosmetic,
          "social_headline": _social_headline, "kicker": headlines.kicker_edit}
