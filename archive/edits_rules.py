"""The text rules behind the change classes: what counts as a cosmetic difference, which figures
a sentence holds and what they count, which words mark a correction note.

Kept apart from edits.py (which aligns versions and assembles a Change) so each rule can be read
and tested on its own.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .textdiff import WORD_RE

# --- cosmetic ------------------------------------------------------------------------------

_QUOTES = "\"“”„‟«»〝〞＂'‘’‚‛‹›′″`´"
_DASHES = "‐‑‒–—―−﹘﹣－"
_TRANSLATE = {ord(c): '"' for c in _QUOTES}
_TRANSLATE.update({ord(c): "-" for c in _DASHES})
_TRANSLATE.update({ord("ё"): "е", ord("Ё"): "Е"})
# Invisible format characters: soft hyphen, zero-width space/joiners, BOM, word joiner.
_TRANSLATE.update({c: None for c in (0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})
_TRANSLATE_RE = re.compile("[" + re.escape("".join(chr(c) for c in _TRANSLATE)) + "]")
_THOUSANDS = re.compile(r"(?<=\d)[,\s\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_MINUS = "\u2212"
_KEEP = rf"%$€£¥₽#@&+=<>§°{_MINUS}"
# Punctuation goes, except between two digits (3.5, 10-12, 13:45 keep their meaning).
_PUNCT = re.compile(rf"[^\w\s{_KEEP}](?:(?<!\d.)|(?!\d))", re.S)
# A sign starts a figure only where no letter or digit precedes it: "-0.5%", "(+3)", but not
# "2019-2020" or "COVID-19". After the dash folding every minus is "-"; a sign becomes U+2212,
# which the key keeps, so "0.5%" → "−0.5%" is never cosmetic while "−0.5%" → "-0.5%" is.
_SIGN = re.compile(r"(?<!\w)-(?=\d)")
# Superscript digits are figures of their own ("10²" is not "102"): NFKC would fold them into
# plain digits, so a run of them becomes "^" and plain digits first ("10^2"; the caret stays
# between digits, and goes after a letter, so "km²" and "km2" are still the same).
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_RUN = re.compile(f"[⁺⁻]?[{SUPERSCRIPTS}]+")
_SUPER_PLAIN = str.maketrans(SUPERSCRIPTS + "⁺⁻", "0123456789+" + _MINUS)


def cosmetic_key(text: str) -> str:
    """text with every cosmetic difference removed: Unicode form, letter case, quote style,
    dashes, punctuation (outside figures), whitespace, ё/е, invisible characters, thousands
    separators. Two texts with equal keys differ only cosmetically; a figure's sign and
    superscript digits are not cosmetic."""
    text = text or ""
    if any(c in SUPERSCRIPTS for c in text):
        text = _SUPER_RUN.sub(lambda m: "^" + m.group().translate(_SUPER_PLAIN), text)
    text = unicodedata.normalize("NFKC", text)
    # str.translate looks every character up in a dict; a regex scan touches only the few hits
    text = _TRANSLATE_RE.sub(lambda m: _TRANSLATE[ord(m.group())] or "", text).casefold()
    text = _THOUSANDS.sub("", text)
    if "-" in text:
        text = _SIGN.sub(_MINUS, text)
    return "".join(_PUNCT.sub("", text).split())


def cosmetic_kinds(pairs: list[tuple[str, str]]) -> list[str]:
    """Which kinds of cosmetic difference the (old, new) fragments show, in a fixed order."""
    found = set()
    for a, b in pairs:
        if not a.strip() and not b.strip():
            found.add("whitespace")
        elif unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b):
            found.add("Unicode form")
        elif a.casefold() == b.casefold():
            found.add("letter case")
        elif _only(a, b, _QUOTES):
            found.add("quote style")
        elif _only(a, b, _DASHES + "-"):
            found.add("dash/hyphen")
        else:
            found.add("punctuation")
    order = ["whitespace", "punctuation", "quote style", "dash/hyphen", "letter case",
             "Unicode form"]
    return [k for k in order if k in found]


def _only(a: str, b: str, chars: str) -> bool:
    table = {ord(c): "\x00" for c in chars}
    return a.translate(table) == b.translate(table)


# --- figures -------------------------------------------------------------------------------

_MONTHS_EN = ("January|February|March|April|May|June|July|August|September|October|November|"
              "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
_MONTHS_RU = ("января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|"
              "декабря|січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|"
              "листопада|грудня")
_SCALE = (r"million|billion|trillion|thousand|mln|bln|bn|млн|млрд|трлн|тыс|тис|миллион\w*|"
          r"миллиард\w*|тысяч\w*|мільйон\w*|мільярд\w*|тисяч\w*")
FIGURE_RE = re.compile(
    rf"(?P<date>\b(?:{_MONTHS_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS_EN}|{_MONTHS_RU})\b(?:\s+\d{{4}})?"
    r"|\b\d{4}-\d{2}-\d{2}\b|\d{1,2}日|\d{1,2}月\d{1,2}日)"
    r"|(?P<time>\b\d{1,2}:\d{2}\b)"
    r"|(?P<num>(?:(?<!\w)(?P<sign>[-+\u2212\u2013\u2012\ufe63\uff0b\uff0d]))?"
    r"(?P<cur>[$€£¥₽]\s?)?(?:\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?!\d)|\d+(?:[.,]\d+)*)"
    r"(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
    r"(?P<pct>\s?%|\s(?:percent|per cent|процент\w*|відсот\w*))?"
    rf"(?:\s?(?:{_SCALE})\b\.?|[万亿])?)"
)

# Words that say what a figure counts, nearest one wins ("2,800 killed" → death toll).
_PHRASES = [
    ("death toll", r"kill\w*|dead|deaths?|died|die|dies|fatalit\w*|lives|bodies|toll|"
                   r"погиб\w*|убит\w*|жертв\w*|смерт\w*|скончал\w*|умер\w*|загин\w*|загибл\w*|"
                   r"死|亡"),
    ("injured", r"wound\w*|injur\w*|hurt|ранен\w*|ранени\w*|пострадав\w*|пострадал\w*|травм\w*|"
                r"поранен\w*|постражд\w*|伤|傷"),
    ("missing", r"missing|пропал\w*|пропавш\w*|зник\w*|踪"),
    ("arrests", r"arrest\w*|detain\w*|задержан\w*|арестован\w*|затриман\w*"),
    ("evacuated", r"evacuat\w*|эвакуир\w*|евакуйов\w*|евакуац\w*"),
    ("cases", r"cases|infect\w*|заражен\w*|заразил\w*|случа\w*|випадк\w*|染"),
    ("amount", r"dollars?|euros?|rubles?|roubles?|yuan|pounds|рубл\w*|долл\w*|евро|гривен\w*|"
               r"грн|元"),
]
_PHRASE_RES = [(name, re.compile(rf"(?:{pat})", re.I)) for name, pat in _PHRASES]
_WORD_POS = WORD_RE  # words, figures, CJK characters one by one
_THOUSANDS_ONLY = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009 ](?=\d{3}(?!\d))")


def figures(text: str) -> list[re.Match]:
    return list(FIGURE_RE.finditer(text or ""))


_SIGN_FORMS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-",
                             "\uff0d": "-", "\uff0b": "+"})


def figure_value(match: re.Match) -> str:
    """Comparable form: "2 800" and "2,800" are the same figure, and so are "−5" and "-5"
    (a sign's typography); "5", "-5" and "+5" are not, nor are "10²" and "102"."""
    value = _THOUSANDS_ONLY.sub("", match.group()).replace("\u00a0", " ")
    return value.translate(_SIGN_FORMS) if match.group("sign") else value


def mask_figures(text: str) -> str:
    return FIGURE_RE.sub("#", text or "")


def changed_figures(old: str, new: str) -> list[tuple[str, str, str]]:
    """(phrase, old figure, new figure) for each figure revised between two versions of one
    sentence, aligned in order so an inserted figure does not shift the pairing."""
    fa, fb = figures(old), figures(new)
    if not fa or not fb:
        return []
    sm = SequenceMatcher(None, [figure_value(m) for m in fa], [figure_value(m) for m in fb],
                         autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "replace":
            continue
        for ma, mb in zip(fa[i1:i2], fb[j1:j2]):
            out.append((figure_phrase(new, mb), ma.group(), mb.group()))
    return out


def figure_phrase(sentence: str, match: re.Match, window: int = 8) -> str:
    """What a figure counts, from the figure itself or the nearest telling word around it."""
    if match.group("date"):
        return "date"
    if match.group("time"):
        return "time"
    if match.group("pct"):
        return "percentage"
    if match.group("cur"):
        return "amount"
    words = [(m.start(), m.group()) for m in _WORD_POS.finditer(sentence)]
    at = next((i for i, (pos, _) in enumerate(words) if pos >= match.start()), len(words))
    end = next((i for i, (pos, _) in enumerate(words) if pos >= match.end()), len(words))
    best = None
    for i in range(max(0, at - window), min(len(words), end + window)):
        if at <= i < end:
            continue
        distance = at - i if i < at else i - end + 1
        for name, pattern in _PHRASE_RES:
            if pattern.fullmatch(words[i][1]):
                # ties go to the word after the figure ("11,200 have suffered wounds")
                key = (distance, i < at)
                if best is None or key < best[0]:
                    best = (key, name)
                break
    return best[1] if best else "figure"


# --- corrections and wire prefixes -----------------------------------------------------------

CORRECTION_RE = re.compile(
    r"\bcorrection\s*[:\-–—]|\bclarification\s*[:\-–—]|\bcorrected\s*[:\-–—]"
    r"|\bthis (?:story|article|report|item|version)\b[^.]{0,60}?\b(?:has been|was) (?:corrected|"
    r"updated to correct|amended|clarified)"
    r"|\ban earlier version of this (?:story|article|report|item)"
    r"|\beditor[’']s note\s*:"
    r"|\((?:corrects|clarifies|refiles)\b"
    # Russian and Ukrainian notes: "Исправлено: …", "(исправлено)", "Уточнение: …"; the bare
    # participle ("закон был исправлен") is ordinary prose and does not count.
    r"|^\s*(?:исправлено|виправлено)\b|\((?:исправлено|виправлено|уточнено|уточнення)\b"
    r"|\b(?:исправлено|виправлено|уточнено)\s*[:\-–—]"
    r"|\b(?:уточнение|исправление|уточнення|виправлення)\s*[:\-–—(]"
    r"|\bв (?:предыдущей|первоначальной|ранней) версии (?:этой |данной )?"
    r"(?:новости|статьи|материала|заметки|сообщения)",
    re.I,
)
# Wire-desk tags that are upper case by convention ("UPDATE 2-", "CORRECTED-", "REFILE-").
CORRECTION_TAG_RE = re.compile(r"\b(?:CORRECTED|REFILE|UPDATE\s+\d+|ИСПРАВЛЕНО)\b")
WIRE_PREFIX_RE = re.compile(
    r"^\s*(?:(?:UPDATE|WRAPUP|CORRECTED|REFILE|RPT|EXCLUSIVE|ANALYSIS|FACTBOX|INSIGHT|"
    r"BREAKINGVIEWS|URGENT|BREAKING|ИСПРАВЛЕНО|ОБНОВЛЕНО|МОЛНИЯ)(?:\s+\d+)?\s*[-:–—|]\s*)+")


def correction_markers(text: str) -> list[str]:
    if not text:
        return []
    return [m.group().strip() for m in CORRECTION_RE.finditer(text)] + [
        m.group() for m in CORRECTION_TAG_RE.finditer(text)]


def strip_wire_prefix(title: str) -> str:
    return WIRE_PREFIX_RE.sub("", title or "")
