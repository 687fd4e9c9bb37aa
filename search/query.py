"""Searching the index: a query in, articles out, each with the versions that match, whether the
match is still in the latest version (a phrase cut in version 3 is found in version 2, and the
result says it was cut), and a snippet from the archive with the matched words marked.

Query syntax: words (all must match, stemmed per language), "quoted phrases" (words in that
order), CJK text matched as substrings. The same words are analysed for every language field of
the index and the fields are OR-ed: the searcher need not say which language they mean.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime

import tantivy

from archive.db import ArchiveError
from search.analysis import CJK_CHAR, LANGUAGES, language_field, terms, terms_with_spans
from search.index import SCHEMA, SearchIndex

CANDIDATE_HITS = 5000        # best-scoring versions looked at to choose the articles shown
VERSIONS_PER_ARTICLE = 10000
SNIPPET_CHARS = 220


@dataclass
class Query:
    text: str
    parts: list[str]                     # words and phrases, each a must
    sources: list[str] = field(default_factory=list)
    since: datetime | None = None


def parse(text: str, sources=(), since=None) -> Query:
    """Split a query into words and "phrases"; a one-line error for an unbalanced quote or nothing to find."""
    text = (text or "").strip()
    try:
        parts = shlex.split(text.replace("'", "\u2019"), posix=True)
    except ValueError:
        raise ArchiveError(f"unbalanced quote in query {text!r}") from None
    parts = [p for p in parts if any(terms(p, "plain"))]
    if not parts:
        raise ArchiveError(f"nothing to search for in {text!r} (give words or a \"quoted phrase\")")
    return Query(text, parts, list(dict.fromkeys(sources)), since)


def _part_query(part: str, field_name: str) -> tantivy.Query | None:
    words = terms(part, field_name)
    name = f"t_{field_name}"
    if not words:
        return None
    if len(words) == 1 and len(part.strip()) == 1 and CJK_CHAR.match(part.strip()):
        # one CJK character: any bigram holding it (the index keeps bigrams, see analysis.py)
        return tantivy.Query.regex_query(SCHEMA, name, f".?{re.escape(words[0])}.?")
    if len(words) == 1:
        return tantivy.Query.term_query(SCHEMA, name, words[0])
    return tantivy.Query.phrase_query(SCHEMA, name, words)


def tantivy_query(q: Query) -> tantivy.Query:
    musts = []
    for part in q.parts:
        per_field = [x for f in LANGUAGES if (x := _part_query(part, f)) is not None]
        musts.append((tantivy.Occur.Must, tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, x) for x in per_field])))
    if q.sources:
        musts.append((tantivy.Occur.Must, tantivy.Query.term_set_query(SCHEMA, "source", q.sources)))
    if q.since is not None:
        musts.append((tantivy.Occur.Must, tantivy.Query.range_query(
            SCHEMA, "captured", tantivy.FieldType.Integer, int(q.since.timestamp()), None)))
    return tantivy.Query.boolean_query(musts)


def matching_versions(index: tantivy.Index, q: Query, limit: int) -> tuple[int, dict[str, list[int]]]:
    """(versions matching, {article_id: [matching versions]}) for the best `limit` articles,
    best first."""
    searcher = index.searcher()
    query = tantivy_query(q)
    found = searcher.search(query, CANDIDATE_HITS, count=True)
    addresses = [a for _, a in found.hits]
    order: dict[int, object] = {}
    for h, address in zip(searcher.fast_field_values("article_hash", addresses), addresses):
        if h not in order and len(order) < limit:
            order[h] = address
    chosen = {searcher.doc(a)["article_id"][0]: h for h, a in order.items()}
    if not chosen:
        return found.count, {}
    # Every matching version of the chosen articles, not only those among the best hits.
    scoped = tantivy.Query.boolean_query([
        (tantivy.Occur.Must, query),
        (tantivy.Occur.Must, tantivy.Query.term_set_query(SCHEMA, "article_id", list(chosen)))])
    hits = [a for _, a in searcher.search(scoped, VERSIONS_PER_ARTICLE * len(chosen), count=False).hits]
    by_hash: dict[int, set[int]] = {}
    for h, v in zip(searcher.fast_field_values("article_hash", hits), searcher.fast_field_values("version", hits)):
        by_hash.setdefault(h, set()).add(v)
    return found.count, {aid: sorted(by_hash.get(h, ())) for aid, h in chosen.items()}


def match_spans(text: str, q: Query, field_name: str) -> list[tuple[int, int]]:
    """Character spans of `text` where a part of the query matches: a word wherever its term is, a
    phrase where its terms follow each other (a one-character CJK part: in any bigram holding it)."""
    tokens = list(terms_with_spans(text, field_name))
    words = [t for t, _, _ in tokens]
    spans = []
    for part in q.parts:
        want = terms(part, field_name)
        if not want:
            continue
        n = len(want)
        single_cjk = n == 1 and len(want[0]) == 1 and CJK_CHAR.match(want[0])
        for i in range(len(words) - n + 1):
            if words[i:i + n] == want:
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
            elif single_cjk and want[0] in words[i]:
                at = tokens[i][1] + words[i].index(want[0])
                spans.append((at, at + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:                      # overlapping bigrams, repeated words: one mark
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, q: Query, language: str | None) -> list[tuple[str, bool]]:
    """About SNIPPET_CHARS of `text` around its first match, as (piece, is_match) pieces."""
    spans = match_spans(text, q, language_field(language, text[:400]))
    if not spans:
        return [(text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else ""), False)]
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start, spans[0][0]) + 1 or start
    end = min(len(text), max(start + SNIPPET_CHARS, spans[0][1]))
    pieces, pos = [("…", False)] if start else [], start
    for s, e in spans:
        if s < pos or e > end:
            continue
        if s > pos:
            pieces.append((text[pos:s], False))
        pieces.append((text[s:e], True))
        pos = e
    pieces.append((text[pos:end] + ("…" if end < len(text) else ""), False))
    return _merge(pieces)


def _merge(pieces):
    out: list[tuple[str, bool]] = []
    for text, hit in pieces:
        if out and out[-1][1] == hit:
            out[-1] = (out[-1][0] + text, hit)
        elif text:
            out.append((text, hit))
    return out


def marked(pieces: list[tuple[str, bool]], left: str = "«", right: str = "»") -> str:
    return "".join(f"{left}{t}{right}" if hit else t for t, hit in pieces)


def _versions_note(matching: list[int], latest: int) -> str:
    if matching[-1] == latest:
        return f"in the latest version (v{latest})" if len(matching) == 1 else \
            f"in v{', v'.join(map(str, matching))} (latest v{latest})"
    return f"in v{', v'.join(map(str, matching))}; cut in v{matching[-1] + 1} (latest v{latest})"


def _load(con, pairs: list[tuple[str, int]]) -> dict:
    cur = con.execute(
        """SELECT v.article_id, v.version, v.captured_at, v.title, v.lead, v.text, v.language,
                  a.source, a.url, a.versions AS latest
           FROM (SELECT unnest(?) AS article_id, unnest(?) AS version) x
           JOIN versions v USING (article_id, version) JOIN articles a USING (article_id)""",
        [[a for a, _ in pairs], [v for _, v in pairs]])
    names = [d[0] for d in cur.description]
    return {(r[0], r[1]): dict(zip(names, r)) for r in cur.fetchall()}


def search(archive, q: Query, *, limit: int = 20, all_versions: bool = False, catch_up: bool = True) -> dict:
    """{'query', 'total_versions', 'lag', 'results': [...]}: one result per article (the newest
    matching version's snippet), or per matching version with all_versions."""
    from search.index import IndexBusy
    idx = SearchIndex(archive)
    if catch_up:
        try:
            idx.catch_up()
        except IndexBusy:
            pass                # the daemon is indexing: it keeps the index within a re-check cycle
    if not idx.exists():
        return {"query": q.text, "total_versions": 0, "lag": idx.lag(), "results": []}
    index = idx.open()
    index.reload()
    total, found = matching_versions(index, q, limit)
    pairs = [(aid, v) for aid, versions in found.items() for v in (versions if all_versions else versions[-1:])]
    with archive.reading() as con:
        rows = _load(con, pairs)
    results = []
    for aid, versions in found.items():
        for v in (versions if all_versions else versions[-1:]):
            row = rows.get((aid, v))
            if row is None:
                continue
            body = " ".join(x for x in (row["title"], row["lead"], row["text"]) if x)
            pieces = snippet(body, q, row["language"])
            results.append({
                "article_id": aid, "source": row["source"], "url": row["url"], "version": v,
                "captured_at": row["captured_at"], "title": row["title"], "matching_versions": versions,
                "latest_version": row["latest"], "in_latest": versions[-1] == row["latest"],
                "versions_note": _versions_note(versions, row["latest"]),
                "snippet": marked(pieces), "snippet_parts": [{"text": t, "match": m} for t, m in pieces]})
    return {"query": q.text, "total_versions": total, "lag": idx.lag(), "results": results}
