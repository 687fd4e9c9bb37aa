"""Sentence splitting for news text: English and Russian (abbreviations, initials, datelines,
quotes), Chinese and Japanese (。！？ with their closing quotes).

Rule-based on purpose: it runs on every new version of every article, must be fast, and has to
get wire copy right ("MOSCOW, October 17. /TASS/. Russia…", "U.S. President…", "В. В. Путин",
"5 млн. руб."), where a general-purpose splitter trips. A paragraph break (a line break in the
body, which holds one paragraph per line) always ends a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str        # the sentence, without surrounding whitespace
    paragraph: int   # index of its paragraph among the non-blank lines of the text
    start: int       # character offsets into the text that was split: text[start:end] == .text
    end: int


CJK_LANGUAGES = {"zh", "ja"}

# Abbreviations after which a period never ends a sentence (they precede a name or a number).
_NEVER_FINAL = set("""Mr Mrs Ms Messrs Dr Prof St Ste Mt Ft Gen Lt Col Sgt Capt Maj Cmdr Cmdt Adm
Brig Cpl Pvt Rep Reps Sen Sens Gov Pres Rev Hon Fr Sr Sra Supt Insp Det Amb Atty Gens
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
vs v cf e.g i.e viz approx est ca ibid al
им ул пр просп пл пер наб обл р-н д корп кв стр ст тов гр см напр т.е т.к проф акад св
ген г-н г-жа мн вул пл пос дер""".split())
# Abbreviations that often end a sentence as well ("…in the U.S. The president…"): a period after
# them ends a sentence only when the next word is a common sentence opener (English) or, for
# Russian and Ukrainian, when the next word is capitalised.
_MAYBE_FINAL_EN = set("""U.S U.K U.N E.U U.S.A U.A.E D.C Inc Ltd Co Corp Bros Jr a.m p.m Ave
Blvd Rd""".split())
_ALWAYS_FINAL_EN = {"etc"}
_MAYBE_FINAL_RU = set("""т.д т.п т.н др млн млрд трлн тыс руб коп долл грн""".split())
# Before a number only: "No. 5", "Art. 12", "p. 4"; "No. You can't" ends a sentence.
_BEFORE_NUMBER = set("""No Nos Art Fig Vol Ch Sec Para pp p Nr ст п""".split())
# After a number they are units and may end a sentence ("в 2020 г. В…", "5 см. В…"); elsewhere
# they are abbreviations that never do ("г. Москва" for город, "см. выше" for смотри).
_UNITS_RU = set("""г гг см м км кг ч мин""".split())
_SENTENCE_OPENERS = set("""The A An He She It They We I You In On At But And Or So Yet However This
That These Those There Here His Her Its Their Our My Meanwhile Also As After Before When While If
Since Although Though According Officials Police Authorities Earlier Later Last Next Now Then
Still Some Many Most Several Both Each No Not Only Under With Without For From By To Under Asked
What Who Why How Where Which""".split())

_OPENERS = set("\"'«“„‘‚([{—–-¿¡<")
_DASHES = set("—–-")
# Closing quotes and brackets that stay with the sentence they end.
_CLOSERS = "\"'»”’)\\]›"
_CJK_CLOSERS = "」』”’）】》〉〕〗\"'»)\\]"
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"

_CJK_STOPS = "。！？｡"
# A run of terminators and the closing quotes/brackets after it; whether it ends a sentence is
# decided in Python (one plain character class first keeps the scan fast).
_BOUNDARY = re.compile(rf"[.!?…{_CJK_STOPS}]+[{_CLOSERS}{_CJK_CLOSERS}]*")
_CJK_CHAR = re.compile(rf"[{_CJK_CHARS}]")
_NEXT_WORDS = re.compile(r"\s*(\S+)(?:\s+(\S+))?")
_INITIALS = re.compile(r"(?:[^\W\d_]\.){0,3}[^\W\d_]")
# Agency datelines end with a period that does not end a sentence:
# "MOSCOW, October 17. /TASS/. Russia…", "МОСКВА, 17 октября. /ТАСС/.", "Київ. 28 вересня. УНІАН."
_DATELINE = re.compile(
    r"[^\W\d_][\w .'-]{1,40}[.,]\s+(?:\d{1,2}\s+[^\W\d_]+|[^\W\d_]+\.?\s+\d{1,2})\.?\s*"
    r"(?:/[^/\n]{1,20}/|[A-ZА-ЯЁІЇЄҐ]{2,12})\.(?=\s)"
)
_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Sentences of text in order; every one lies within a single paragraph (line)."""
    sentences: list[Sentence] = []
    paragraph = 0
    cjk = (language or "")[:2].lower() in CJK_LANGUAGES
    for line in _LINE.finditer(text):
        if line.group().isspace():
            continue
        for start, end in _paragraph_spans(line.group(), cjk):
            start += line.start()
            end += line.start()
            sentences.append(Sentence(text[start:end], paragraph, start, end))
        paragraph += 1
    return sentences


def _paragraph_spans(par: str, cjk: bool) -> list[tuple[int, int]]:
    spans = []
    start = 0
    skip_until = 0
    dateline = _DATELINE.match(par, len(par) - len(par.lstrip()))
    if dateline:
        skip_until = dateline.end()
    size = len(par)
    for m in _BOUNDARY.finditer(par):
        end = m.end()
        if end <= skip_until:
            continue
        run = m.group()
        term = run.rstrip(_CLOSERS + _CJK_CLOSERS)
        if any(c in _CJK_STOPS for c in term) or (
                term[-1] in "!?" and end < size and _CJK_CHAR.match(par, end)):
            pass                # 。！？ always end a sentence, closing quotes stay with it
        elif end >= size or not par[end].isspace() or (cjk and "." in term):
            continue            # 3.5, U.S., "…" inside a word; Chinese "." is not a full stop
        elif not _ends_sentence(par, end, start, term, run[len(term):]):
            continue
        _add_span(spans, par, start, end)
        start = end
    _add_span(spans, par, start, size)
    return spans


def _add_span(spans: list, par: str, start: int, end: int) -> None:
    piece = par[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))


def _ends_sentence(par: str, end: int, start: int, term: str, close: str) -> bool:
    nxt = _NEXT_WORDS.match(par, end)
    if nxt is None:
        return True
    word = nxt.group(1)
    first = word[0]
    if first in _DASHES and len(word) == 1:
        # Russian direct speech: «…?» — спросил он.  A dash then a lower-case word continues.
        after = nxt.group(2) or ""
        return not (after[:1].islower())
    if first.islower():
        return False
    if not (first.isalnum() or first in _OPENERS):
        return False            # "/TASS/", a comma, a closing bracket: not a sentence start
    if term != ".":
        return True             # ! ? … and "..." before a capital
    if close:
        return True             # he said." Next
    token, at = _token_before(par, start, end - 1)
    token = token.lstrip("\"'«“„‘([")
    if not token:
        return True
    if token in _BEFORE_NUMBER:
        return not word[:1].isdigit()
    if token.lower() in _UNITS_RU:
        before, _ = _token_before(par, start, at)
        return before.rstrip(",")[-1:].isdigit()
    return _period_ends(token, word)


def _token_before(par: str, start: int, end: int) -> tuple[str, int]:
    """The whitespace-delimited token ending at par[end] (trailing spaces skipped), and where
    it starts."""
    while end > start and par[end - 1].isspace():
        end -= 1
    i = end
    while i > start and not par[i - 1].isspace():
        i -= 1
    return par[i:end], i


def _period_ends(token: str, next_word: str) -> bool:
    low = token.lower()
    if token in _NEVER_FINAL or low in _NEVER_FINAL:
        return False
    if low in _ALWAYS_FINAL_EN:
        return True
    if token in _MAYBE_FINAL_EN or low in ("a.m", "p.m"):
        return next_word.strip("\"'“«(") in _SENTENCE_OPENERS
    if low in _MAYBE_FINAL_RU:
        return True             # the next word is capitalised here already
    if _INITIALS.fullmatch(token) and token[:1].isupper():
        return False            # V. Putin, В. В. Путин, А.Б. Иванов
    return True
