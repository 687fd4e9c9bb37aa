"""Search: a query over N synthetic versions (1,000,000 in `make bench`) at p95, the cost of keeping
the index current per new version, and DuckDB's `fts` extension on the same documents as the
baseline that chose the engine (README, Search).

    python -m bench.searchbench [--versions N] [--fts-versions N] [--queries N]

The synthetic versions are articles of 60–120 words (English and Russian, Zipf-distributed
vocabulary of real word forms, 3 versions per article that drop or add a sentence), analysed
by search/analysis.py in a process pool and written to the real index schema (search/index.py),
bypassing the archive: writing a million versions through the crawler's write path would take
hours and measure the archive, not search. The index is kept in bench/out/search-<N>/ and
reused by later runs (delete it to rebuild). The per-version cost of keeping it current is
measured with the real catch-up path against a real archive (`SearchIndex.catch_up`).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
EN = ("talks ceasefire government minister said officials army bridge river city country president election "
      "vote parliament economy inflation bank rates prices oil gas energy border troops attack missile drone "
      "refugees aid humanitarian corridor negotiations delegation summit agreement sanctions court ruling "
      "police protest crowd capital region governor mayor hospital victims injured killed fire storm flood "
      "earthquake rescue workers company shares market investors exports imports trade deal talks ministry "
      "statement spokesman reported according sources confirmed denied warned announced plans budget").split()
RU = ("переговоры перемирие правительство министр заявил официальные армия мост река город страна президент "
      "выборы голосование парламент экономика инфляция банк ставки цены нефть газ энергия граница войска "
      "атака ракета беженцы помощь гуманитарный коридор делегация саммит соглашение санкции суд решение "
      "полиция протест столица регион губернатор больница пострадавшие пожар наводнение спасатели").split()
QUERIES = ["talks", "ceasefire agreement", '"humanitarian corridor"', "refugee", "переговорах", '"гуманитарный коридор"',
           "earthquake rescue", "zzznotaword", '"bridge over the river"', "минист", "sanctions court", "market"]


def _words(rng, vocab, n):
    # Zipf-like: a few words are in nearly every article, most are rare
    return [vocab[min(len(vocab) - 1, int(rng.paretovariate(1.1)) - 1)] for _ in range(n)]


def synthetic(i: int) -> dict:
    """Version i: article i // 3, version i % 3 + 1; a sentence of version 1 is cut in version 3."""
    article, version = divmod(i, 3)
    rng = random.Random(article)
    ru = article % 4 == 0
    vocab = RU if ru else EN
    sentences = [" ".join(_words(rng, vocab, rng.randint(8, 16))).capitalize() + "." for _ in range(rng.randint(5, 8))]
    if version >= 2:
        sentences.append(" ".join(_words(random.Random(i), vocab, 10)).capitalize() + ".")
    if version == 3:
        sentences.pop(0)
    if article % 50 == 0 and version < 3:
        sentences.insert(0, "The old bridge over the river was closed.")
    return {"article_id": f"bench:{article}", "version": version + 1, "source": "ru" if ru else "en",
            "language": "ru" if ru else "en", "title": " ".join(_words(rng, vocab, 8)).capitalize(),
            "text": "\n".join(sentences), "captured": 1_700_000_000 + i}


def _analysed(i: int) -> tuple:
    from search.analysis import indexed_text, language_field
    v = synthetic(i)
    field = language_field(v["language"])
    return v, field, indexed_text([v["title"], v["text"]], field)


def build(path: Path, n: int, workers: int) -> dict:
    import tantivy

    from search.index import SCHEMA, article_hash
    started = time.perf_counter()
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(SCHEMA, path=str(path), reuse=False)
    writer = index.writer(256_000_000, 2)
    with Pool(workers) as pool:
        for v, field, text in pool.imap(_analysed, range(n), chunksize=2000):
            doc = tantivy.Document(key=f"{v['article_id']}/{v['version']}", article_id=v["article_id"],
                                   source=v["source"], article_hash=article_hash(v["article_id"]),
                                   version=v["version"], captured=v["captured"])
            doc.add_text(f"t_{field}", text)
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    (path / "bench.json").write_text(json.dumps({"versions": n}))
    return {"build_s": round(time.perf_counter() - started, 1), "workers": workers}


def _p(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)


def query_times(path: Path, rounds: int) -> dict:
    import tantivy

    from search.index import SCHEMA
    from search.query import matching_versions, parse
    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
    index.reload()
    times, found = [], {}
    for q in QUERIES:                  # warm: first touch of each term's postings
        matching_versions(index, parse(q), 20)
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            total, articles = matching_versions(index, parse(q), 20)
            times.append(time.perf_counter() - t)
            found[q] = total
    return {"queries": len(times), "p50_ms": _p(times, 0.5), "p95_ms": _p(times, 0.95), "max_ms": _p(times, 1.0),
            "matching_versions": found}


def keep_current_cost(new_versions: int) -> dict:
    """The real catch-up path: versions written to a real archive, then SearchIndex.catch_up;
    per new version, over an index that already holds the archive's earlier versions."""
    from datetime import datetime, timedelta, timezone

    from archive.store import Archive
    from archive.versionlog import append
    from search.index import SearchIndex
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:   # tantivy may still be merging
        archive = Archive(Path(tmp) / "a.duckdb")
        archive.ensure()
        now = datetime.now(timezone.utc)

        def write(start, count):
            rows = [synthetic(i) for i in range(start, start + count)]
            with archive.writing() as con:
                con.executemany("INSERT OR IGNORE INTO articles (article_id, source, url, first_seen, status) "
                                "VALUES (?, ?, ?, ?, 'live')",
                                [[v["article_id"], v["source"], "http://x/" + v["article_id"], now] for v in rows])
                con.executemany("INSERT INTO versions (article_id, version, captured_at, title, text, language, "
                                "content_hash) VALUES (?, ?, ?, ?, ?, ?, 'x')",
                                [[v["article_id"], v["version"], now + timedelta(seconds=i), v["title"], v["text"],
                                  v["language"]] for i, v in enumerate(rows)])
                append(con, [(v["article_id"], v["version"]) for v in rows], now)

        idx = SearchIndex(archive)
        write(0, 3000)
        idx.catch_up()
        rounds, per = [], max(1, new_versions // 10)
        for r in range(10):               # ten daemon cycles, each with `per` new versions
            write(3000 + r * per, per)
            t = time.perf_counter()
            done = idx.catch_up()
            rounds.append((time.perf_counter() - t) / max(1, done.indexed))
    return {"new_versions_per_cycle": per, "ms_per_new_version_p50": _p(rounds, 0.5),
            "ms_per_new_version_max": _p(rounds, 1.0)}


def fts_baseline(n: int) -> dict:
    """DuckDB's fts on the first n synthetic versions: build (its only way to take new rows is to
    build again), BM25 query time, and what its default analysis does to Russian."""
    import duckdb
    try:
        import duckdb_extension_fts
        ext = Path(duckdb_extension_fts.__file__).parent / "extensions" / "v1.5.5" / "fts.duckdb_extension"
    except ImportError:
        return {"skipped": "duckdb-extension-fts is not installed"}
    if not ext.exists():
        found = list(Path(duckdb_extension_fts.__file__).parent.rglob("fts.duckdb_extension"))
        if not found:
            return {"skipped": "no fts.duckdb_extension in the package"}
        ext = found[0]
    con = duckdb.connect()
    con.execute(f"INSTALL '{ext}'")
    con.execute("LOAD fts")
    con.execute("CREATE TABLE v (key VARCHAR, title VARCHAR, text VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?, ?)",
                    [[f"{s['article_id']}/{s['version']}", s["title"], s["text"]] for s in map(synthetic, range(n))])
    t = time.perf_counter()
    con.execute("PRAGMA create_fts_index('v', 'key', 'title', 'text', stemmer='english', overwrite=1)")
    build_s = time.perf_counter() - t
    times = []
    for q in ("talks", "ceasefire agreement", "refugee", "earthquake rescue") * 3:
        t = time.perf_counter()
        con.execute("SELECT count(*) FROM (SELECT fts_main_v.match_bm25(key, ?) AS s FROM v) WHERE s IS NOT NULL",
                    [q]).fetchone()
        times.append(time.perf_counter() - t)
    ru_hits = con.execute("SELECT count(*) FROM (SELECT fts_main_v.match_bm25(key, 'переговоры') AS s FROM v) "
                          "WHERE s IS NOT NULL").fetchone()[0]
    ru_rows = con.execute("SELECT count(*) FROM v WHERE text ILIKE '%переговоры%'").fetchone()[0]
    ru_inflected = con.execute("SELECT count(*) FROM (SELECT fts_main_v.match_bm25(key, 'переговорах') AS s FROM v) "
                               "WHERE s IS NOT NULL").fetchone()[0]
    con.execute("INSERT INTO v VALUES ('new/1', 'zyxwvut', 'zyxwvut')")
    seen_after_insert = con.execute("SELECT count(*) FROM (SELECT fts_main_v.match_bm25(key, 'zyxwvut') AS s FROM v) "
                                    "WHERE s IS NOT NULL").fetchone()[0]
    return {"versions": n, "build_s": round(build_s, 1), "query_p50_ms": _p(times, 0.5), "query_p95_ms": _p(times, 0.95),
            "russian_rows_with_word": ru_rows, "russian_hits_default_ignore": ru_hits,
            "russian_hits_other_case": ru_inflected,
            "new_row_found_without_rebuild": bool(seen_after_insert)}


def run(versions: int = 1_000_000, fts_versions: int = 100_000, rounds: int = 5, workers: int | None = None) -> dict:
    from bench.crawlbench import log
    path = OUT / f"search-{versions}"
    meta = path / "bench.json"
    built = None
    if not (meta.exists() and json.loads(meta.read_text()).get("versions") == versions):
        log(f"search: building the index of {versions} synthetic versions in {path} (kept for later runs)")
        built = build(path, versions, workers or os.cpu_count() or 1)
    log("search: queries")
    queries = query_times(path, rounds)
    log("search: keeping the index current (real archive, real catch-up)")
    current = keep_current_cost(2000)
    log(f"search: DuckDB fts baseline on {fts_versions} versions")
    fts = fts_baseline(fts_versions)
    ratio = round(fts["query_p95_ms"] / queries["p95_ms"], 1) if "query_p95_ms" in fts and queries["p95_ms"] else None
    return {"versions": versions, "build": built or "reused", "query": queries, "keep_current": current,
            "fts": fts, "fts_p95_vs_tantivy_p95": ratio, "target_met": queries["p95_ms"] < 1000}


def table(r: dict) -> str:
    q, c, f = r["query"], r["keep_current"], r["fts"]
    lines = [f"{r['versions']:,} versions (index {'reused' if r['build'] == 'reused' else 'built in ' + str(r['build']['build_s']) + ' s'});"
             f" target: p95 < 1000 ms",
             f"query p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms, max {q['max_ms']} ms over {q['queries']} queries",
             f"keeping current: {c['ms_per_new_version_p50']} ms per new version (p50 of 10 cycles of "
             f"{c['new_versions_per_cycle']})"]
    if "skipped" in f:
        lines.append(f"DuckDB fts: skipped: {f['skipped']}")
    else:
        lines += [f"DuckDB fts on {f['versions']:,} versions: build {f['build_s']} s (again for every new row: "
                  f"new row found without rebuild = {f['new_row_found_without_rebuild']}), query p95 {f['query_p95_ms']} ms",
                  f"DuckDB fts on Russian: {f['russian_hits_default_ignore']} hits for a word in {f['russian_rows_with_word']} rows, "
                  f"{f['russian_hits_other_case']} for another case of it (ours: stemmed)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.searchbench", description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--fts-versions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    r = run(args.versions, args.fts_versions, args.rounds)
    print(table(r))
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
