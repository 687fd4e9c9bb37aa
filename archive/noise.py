"""Rotating boilerplate ("Read also: …" teasers, counters), learned per source with evidence.

Noise is left out of the *comparison* of captures only, never out of what is stored: a version's
`text` is what the page showed, and the lines its comparison left out are listed beside it
(`versions.noise_lines`). Learning is conservative, because a line wrongly learned as noise hides
real edits on every article of the source:

- Evidence is per article. A line *rotated* on an article when it was there in one capture and
  gone in the next, seconds later (a confirmation fetch) — a line that came and stayed may be a
  paragraph just added, and is no evidence; a label ("Read also:") rotated when one teaser-sized
  line with it was replaced by another between such captures. A learned label hides teaser-sized
  lines only (`teaser_label`): a long labelled line is prose whose edits must show. A labelled
  line *repeated* when the very same line shows in the first capture of two different articles
  of the source (a teaser pool): evidence for its label on both. First captures only: a correction wire desks add with the same
  words to several stories arrives in later versions, and must stay an edit.
- A line or label is noise for the whole source only once it has evidence on ARTICLES_NEEDED
  distinct articles. A paragraph a publisher adds to one article and keeps can never get there:
  it never rotates (it stays), and it is on one article. "Update:" / "Correction:" paragraphs are
  unique texts: never repeated, never replaced within seconds, so their label is never learned.
- A label seen replaced on one article hides that label on that article at once (the article's
  own evidence, seconds old), so a teaser box costs no spurious version before the source-wide
  threshold is reached.
- Entries expire: evidence not seen for EXPIRES_AFTER stops counting (`last_seen` is refreshed,
  at most once every REFRESH_AFTER, whenever a learned key hides a line of a capture).
  `wirewatch noise SOURCE` lists what is learned and can forget an entry.

Why 3 articles: on wiresim (110-teaser pool, a teaser per article per response) the teaser label
reaches 3 articles within the first re-check cycle of a 30-article source, so the threshold costs
a few confirmation fetches once per source; 2 would let two articles edited alike (two stories
given the same correction line within a minute) teach the whole source, and every step above 3
only delays learning with no case it protects against that 3 does not (measured in
tests/test_noise.py and the bench: spurious versions stay 0 at 3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from .normalize import label_key, label_of, line_key, normalize_line, normalize_text

ARTICLES_NEEDED = 3
EXPIRES_AFTER = timedelta(days=30)
# last_seen is refreshed at most this often: against a 30-day expiry a day is exact enough, and a
# learned label has a row per article it was seen on, so refreshing them on every write batch
# rewrote hundreds of rows a batch (most of the archive's growth per rotating re-check).
REFRESH_AFTER = timedelta(days=1)
# Teasers are headline-sized; a labelled line longer than this is prose ("Update: the ministry…").
MAX_TEASER_WORDS = 30


@dataclass(frozen=True)
class Noise:
    """The keys (line keys and label keys) left out of a comparison."""
    keys: frozenset[str] = frozenset()

    def with_keys(self, more: Iterable[str]) -> "Noise":
        more = frozenset(more)
        return self if more <= self.keys else Noise(self.keys | more)

    def hides(self, line: str) -> bool:
        """Whether the line is left out: its key is learned, or it is a teaser (`teaser_label`)
        whose label is."""
        if not self.keys:
            return False
        if line_key(line) in self.keys:
            return True
        label = teaser_label(line)
        return label is not None and label_key(label) in self.keys

    def hits(self, text: str | None) -> set[str]:
        """The keys that hide a line of `text` (to refresh their last_seen)."""
        out = set()
        if not self.keys:
            return out
        for line in normalize_text(text).split("\n"):
            if not line:
                continue
            if line_key(line) in self.keys:
                out.add(line_key(line))
            label = teaser_label(line)
            if label is not None and label_key(label) in self.keys:
                out.add(label_key(label))
        return out

    def lines(self, text: str | None) -> list[str]:
        """The lines of `text` this noise hides."""
        return [x for x in normalize_text(text).split("\n") if x and self.hides(x)]

    def strip(self, text: str | None) -> str:
        norm = normalize_text(text)
        if not self.keys or not norm:
            return norm
        return "\n".join(x for x in norm.split("\n") if not self.hides(x))


@dataclass
class Rotation:
    """What captures of one article taken seconds apart show rotating."""
    lines: set[str] = field(default_factory=set)        # normalized lines that came or went
    labels: set[str] = field(default_factory=set)       # labels one line of which replaced another
    # Lines that were there and then gone: only these are evidence of rotation. A line that came
    # and stayed may be a paragraph the publisher just added (a correction), never evidence.
    vanished: set[str] = field(default_factory=set)

    @property
    def label_keys(self) -> set[str]:
        return {label_key(x) for x in self.labels}

    @property
    def line_keys(self) -> set[str]:
        return {line_key(x) for x in self.lines}


def rotation(texts: list[str]) -> Rotation:
    """Lines that differ between consecutive captures, and labels replaced between them."""
    out = Rotation()
    sets = [set(normalize_text(t).split("\n")) - {""} for t in texts]
    for a, b in zip(sets, sets[1:]):
        gone, came = a - b, b - a
        out.lines |= gone | came
        out.vanished |= gone
        gone_labels = {teaser_label(x) for x in gone} - {None}
        came_labels = {teaser_label(x) for x in came} - {None}
        out.labels |= gone_labels & came_labels
    return out


def teaser_lines(text: str | None) -> dict[str, tuple[str, str]]:
    """{line key: (label, line)} for the labelled, teaser-sized lines of a text: what a teaser
    pool repeated across articles looks like."""
    out = {}
    for line in normalize_text(text).split("\n"):
        label = teaser_label(line)
        if label is not None:
            out[line_key(line)] = (label, line)
    return out


def is_teaser_line(line: str) -> bool:
    """A labelled line of teaser size ("Read also: …")."""
    return teaser_label(line) is not None


def teaser_label(line: str) -> str | None:
    """The label of a teaser-sized line; None for any other line. A learned label hides only
    these: a longer labelled line is prose, and its label can be anything ("Correction added Nov.
    18, 2019:", "Note:", "DEAR ABBY:", "Wild 4, Sabres 1:" on the real pages of the corpus, 54
    such lines on 181 pages, none a teaser), so a label learned from rotating teasers must not
    hide its edits; the prints (crawler/extraction/printlines.py) read lines the same way."""
    if not line or len(line.split()) > MAX_TEASER_WORDS:
        return None
    return label_of(line)


# -- storage --------------------------------------------------------------------------------

def load(con, source: str, now: datetime, pending: dict[str, set[str]] | None = None) -> Noise:
    """The source-wide noise: keys with fresh evidence on ARTICLES_NEEDED articles. pending:
    evidence not written yet ({key: article ids}, a write batch's own), counted with the stored."""
    rows = con.execute(
        """SELECT key FROM noise_evidence WHERE source = ? AND last_seen >= ?
           GROUP BY key HAVING count(DISTINCT article_id) >= ?""",
        [source, now - EXPIRES_AFTER, ARTICLES_NEEDED]).fetchall()
    keys = {k for (k,) in rows}
    if pending:
        stored = dict(con.execute(
            """SELECT key, list(DISTINCT article_id) FROM noise_evidence
               WHERE source = ? AND last_seen >= ? AND key IN (SELECT unnest(?)) GROUP BY key""",
            [source, now - EXPIRES_AFTER, sorted(pending)]).fetchall())
        keys |= {k for k, ids in pending.items() if len(ids | set(stored.get(k) or ())) >= ARTICLES_NEEDED}
    return Noise(frozenset(keys))


def local(con, article_ids: list[str], now: datetime) -> dict[str, set[str]]:
    """Per article, the labels seen replaced on that very article (fresh evidence)."""
    out: dict[str, set[str]] = {}
    if not article_ids:
        return out
    for aid, key in con.execute(
            """SELECT article_id, key FROM noise_evidence
               WHERE article_id IN (SELECT unnest(?)) AND kind = 'label' AND reason = 'rotated'
                 AND last_seen >= ?""", [list(article_ids), now - EXPIRES_AFTER]).fetchall():
        out.setdefault(aid, set()).add(key)
    return out


def evidence_keys(rot: Rotation) -> set[str]:
    """The keys a rotation is evidence for (what `Evidence.add_rotation` stages)."""
    return {line_key(x) for x in rot.vanished} | rot.label_keys


class Evidence:
    """Evidence staged by one write batch, written at its end in a few statements."""

    def __init__(self):
        self.rows: dict[tuple[str, str, str], list] = {}
        self.sightings: dict[tuple[str, str, str], tuple] = {}
        self.seen: dict[str, set[str]] = {}

    def add_rotation(self, source: str, article_id: str, rot: Rotation, now: datetime) -> None:
        for line in rot.vanished:
            self._add(source, line_key(line), "line", line, article_id, "rotated", now)
        for label in rot.labels:
            self._add(source, label_key(label), "label", label + " …", article_id, "rotated", now)

    def add_sightings(self, source: str, article_id: str, text: str | None, now: datetime) -> None:
        for key, (label, line) in teaser_lines(text).items():
            self.sightings[(source, key, article_id)] = (source, key, label_key(label), label, line, article_id, now)

    def note_hidden(self, source: str, keys: Iterable[str]) -> None:
        self.seen.setdefault(source, set()).update(keys)

    def _add(self, source, key, kind, text, article_id, reason, now) -> None:
        row = self.rows.setdefault((source, key, article_id), [source, key, kind, text, article_id, reason, now, now, 0])
        row[8] += 1

    def flush(self, con, now: datetime) -> None:
        from .batch import insert_rows
        insert_rows(con, "noise_evidence", EVIDENCE_COLUMNS, list(self.rows.values()),
                    suffix=" ON CONFLICT (source, key, article_id) DO UPDATE SET last_seen = excluded.last_seen, "
                           "times = noise_evidence.times + excluded.times")
        self.rows = {}
        if self.sightings:
            insert_rows(con, "label_sightings", SIGHTING_COLUMNS, list(self.sightings.values()),
                        verb="INSERT OR REPLACE")
            # A labelled line on two articles or more: its label has evidence on each of them.
            # Only the sources of these sightings: another source showing the same line is its own
            # evidence (counted here, it kept this source's entries from expiring and, on a shared
            # archive, made writers of different sources conflict).
            keys = sorted({k for _, k, _ in self.sightings})
            sources = sorted({s for s, _, _ in self.sightings})
            con.execute(
                """INSERT INTO noise_evidence
                   SELECT DISTINCT s.source, s.label_key, 'label', s.label || ' …', s.article_id, 'repeated',
                          $now::TIMESTAMPTZ, $now::TIMESTAMPTZ, 1
                   FROM label_sightings s
                   WHERE s.line_key IN (SELECT unnest($keys)) AND s.source IN (SELECT unnest($sources))
                     AND (s.source, s.line_key) IN (
                       SELECT source, line_key FROM label_sightings
                       WHERE line_key IN (SELECT unnest($keys)) AND source IN (SELECT unnest($sources))
                       GROUP BY ALL HAVING count(DISTINCT article_id) >= 2)
                   ON CONFLICT (source, key, article_id) DO UPDATE SET last_seen = excluded.last_seen,
                       times = noise_evidence.times + 1""", {"now": now, "keys": keys, "sources": sources})
            self.sightings = {}
        for source, keys in self.seen.items():
            con.execute("UPDATE noise_evidence SET last_seen = ? WHERE source = ? AND key IN (SELECT unnest(?)) "
                        "AND last_seen < ?", [now, source, sorted(keys), now - REFRESH_AFTER])
        self.seen = {}


EVIDENCE_COLUMNS = ("source", "key", "kind", "text", "article_id", "reason", "first_seen", "last_seen", "times")
SIGHTING_COLUMNS = ("source", "line_key", "label_key", "label", "line", "article_id", "seen_at")


def listing(con, source: str, now: datetime) -> list[dict]:
    """What is learned (or on its way) for a source: one row per line or label."""
    cur = con.execute(
        """SELECT key, any_value(kind) AS kind, any_value(text) AS text,
                  count(DISTINCT article_id) AS articles, min(first_seen) AS first_seen,
                  max(last_seen) AS last_seen,
                  string_agg(DISTINCT reason, ', ' ORDER BY reason) AS evidence,
                  count(DISTINCT article_id) >= $need AND max(last_seen) >= $fresh AS learned
           FROM noise_evidence WHERE source = $source GROUP BY key
           ORDER BY learned DESC, articles DESC, last_seen DESC""",
        {"source": source, "need": ARTICLES_NEEDED, "fresh": now - EXPIRES_AFTER})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def forget(con, source: str, entry: str) -> int:
    """Forget a learned entry by its key, its line or its label ("Read also:"); returns the
    evidence rows removed. It is learned again only from new evidence."""
    entry = normalize_line(entry)
    keys = {entry, line_key(entry)}
    label = entry.rstrip(" …").strip()
    if label.endswith(":"):
        keys.add(label_key(label))
    n = con.execute("SELECT count(*) FROM noise_evidence WHERE source = ? AND key IN (SELECT unnest(?))",
                    [source, sorted(keys)]).fetchone()[0]
    con.execute("DELETE FROM noise_evidence WHERE source = ? AND key IN (SELECT unnest(?))", [source, sorted(keys)])
    con.execute("DELETE FROM label_sightings WHERE source = ? AND (line_key IN (SELECT unnest(?)) "
                "OR label_key IN (SELECT unnest(?)))", [source, sorted(keys), sorted(keys)])
    return n
