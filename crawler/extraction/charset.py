"""Turn response bytes into text: the one place that decides a page's character encoding.

Order of evidence: a byte-order mark (unambiguous, so it wins, as browsers do), the charset of
the HTTP Content-Type header, a `<meta charset>` / http-equiv declaration in the first bytes, then
detection (charset-normalizer). A declaration that the bytes plainly contradict (many invalid
sequences, e.g. a server default "utf-8" header on a windows-1251 page) is passed over for the
next piece of evidence; a few bad sequences (a response cut inside a character) are not. Bytes
that are valid UTF-8 with several multi-byte characters are UTF-8 even where a single-byte
charset is declared (a page transcoded to UTF-8 that kept its old `<meta charset=windows-1251>`):
text really written in windows-125x or ISO-8859-x essentially never forms valid UTF-8 sequences.

Never raises on bad bytes: whatever cannot be decoded becomes U+FFFD.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from itertools import islice

import charset_normalizer

# How far into the document a <meta> charset declaration is looked for (WHATWG says 1024 bytes;
# real pages put long comments and scripts first, so look further).
META_PRESCAN_BYTES = 8192

# A declared encoding is trusted unless more than this share of the bytes fail to decode with it.
MAX_BAD_SHARE = 0.001
MAX_BAD_ABSOLUTE = 4
# Valid UTF-8 with at least this many non-ASCII characters overrules a declared single-byte
# charset (one or two could be a legitimate "Ã©" in latin-1 text; the same bar as mojibake repair).
MIN_UTF8_CHARACTERS = 3

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers decode as a superset (WHATWG Encoding Standard); decoding with the narrow
# codec would turn e.g. curly quotes on a "latin-1" page into C1 controls.
_SUPERSETS = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "tis_620": "cp874",
}

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{2,40})""", re.IGNORECASE
)
_NON_ASCII = re.compile("[^\x00-\x7f]")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{2,40})""", re.IGNORECASE)
# C0 controls other than tab, newline and carriage return: lxml truncates or refuses text with
# them, and they are never content.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_html(body: bytes, headers: Mapping[str, object] | None = None) -> str:
    """Decode an HTML response body to text (see the module docstring for the order)."""
    if not body:
        return ""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(encoding, errors="replace")
            return _finish(text)
    declared = [enc for enc in (header_charset(headers), meta_charset(body)) if enc]
    if declared and is_single_byte(declared[0]):
        text = _plain_utf8(body)
        if text is not None:
            return _finish(text)
    for encoding in declared:
        text = _decode_if_plausible(body, encoding)
        if text is not None:
            return _finish(text)
    text = _decode_if_plausible(body, "utf-8")  # by far the most common undeclared encoding
    if text is None:
        detected = _detect(body)
        if detected:
            text = body.decode(detected, errors="replace")
        else:
            text = body.decode(declared[0] if declared else "utf-8", errors="replace")
    return _finish(text)


def header_charset(headers: Mapping[str, object] | None) -> str | None:
    """The normalised codec name from a Content-Type header, if it names a known one."""
    value = _header_value(headers, "content-type")
    if not value:
        return None
    match = _HEADER_CHARSET.search(value)
    return normalise_encoding(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The normalised codec name declared by <meta charset> or http-equiv in the first bytes."""
    match = _META_CHARSET.search(body[:META_PRESCAN_BYTES])
    if not match:
        return None
    encoding = normalise_encoding(match.group(1).decode("ascii", errors="ignore"))
    # A page that declares UTF-16 in a <meta> is read as ASCII-compatible text, so it is not
    # actually UTF-16 (WHATWG: treat as UTF-8).
    if encoding and encoding.startswith("utf_16"):
        return "utf-8"
    return encoding


def normalise_encoding(label: str) -> str | None:
    """A Python codec name for a charset label, widened to what browsers use; None if unknown."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    name = _SUPERSETS.get(name, name)
    return "utf-8" if name == "utf_8" else name


@lru_cache(maxsize=64)
def is_single_byte(encoding: str) -> bool:
    """True for charsets that map every byte to one character (windows-125x, ISO-8859-x, KOI8…)."""
    if encoding.replace("-", "_").startswith("utf"):
        return False
    try:
        return len(bytes(range(0x80, 0x100)).decode(encoding, errors="replace")) == 0x80
    except LookupError:
        return False


def _plain_utf8(body: bytes) -> str | None:
    """The text, when the bytes are valid UTF-8 holding at least MIN_UTF8_CHARACTERS non-ASCII
    characters; else None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    found = sum(1 for _ in islice(_NON_ASCII.finditer(text), MIN_UTF8_CHARACTERS))
    return text if found >= MIN_UTF8_CHARACTERS else None


def _header_value(headers: Mapping[str, object] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key_text.lower() != name:
            continue
        if isinstance(value, (list, tuple)):  # Scrapy-style multi-valued headers
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return str(value)
    return None


def _decode_if_plausible(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = body.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    if bad <= MAX_BAD_ABSOLUTE or bad <= MAX_BAD_SHARE * len(body):
        return text
    return None


def _detect(body: bytes) -> str | None:
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    return normalise_encoding(best.encoding) if best is not None else None


def _finish(text: str) -> str:
    # Fast paths, as every page (and every probe of a re-check) comes through here: a control
    # character is the same single byte in UTF-8, and bytes.translate finds one in a fifth of the
    # time the pattern takes; ASCII text has no mojibake and is NFC already.
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
        text = _CONTROL_CHARS.sub("", text)
    if text.isascii():
        return text
    text = repair_mojibake(text)
    return unicodedata.normalize("NFC", text)


_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


# --- mojibake: UTF-8 bytes that were once decoded as windows-1252 / latin-1 and saved again ---

# cp1252 renders every UTF-8 continuation byte (0x80-0xBF) as one of these characters.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_CONTINUATION = "[\u00a0-\u00bf" + re.escape(_CP1252_HIGH) + "\u0080-\u009f]"
# A lead byte of a two- or three-byte UTF-8 sequence (0xC2-0xEF) followed by continuations.
_MOJIBAKE_PAIR = re.compile("[\u00c2-\u00ef]" + _CONTINUATION)
_MOJIBAKE_RUN = re.compile("(?:[\u00c2-\u00f4]" + _CONTINUATION + "{1,3})+")
# Repair only text where the pattern is common: a page may legitimately contain "Ã©" once.
MIN_MOJIBAKE_PAIRS = 3


def repair_mojibake(text: str) -> str:
    """Undo double-encoded UTF-8 ("mÃ¡s" -> "más") where the page is plainly full of it.

    Each suspicious run is re-encoded to the bytes it was read from and decoded as UTF-8; a run
    that does not form valid UTF-8 is left exactly as it was.
    """
    if len(_MOJIBAKE_PAIR.findall(text, 0, 200_000)) < MIN_MOJIBAKE_PAIRS:
        return text
    return _MOJIBAKE_RUN.sub(_repair_run, text)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = bytearray()
    for char in run:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return run
            raw.append(ord(char))  # latin-1 reading of the bytes cp1252 leaves undefined
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run
