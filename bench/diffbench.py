"""Diff and edit-analysis speed on real article text, against difflib's plain word diff.

Pairs of about 5 KB, 20 KB and 100 KB are built from real text (the TASS seed story and, where
the shared corpus is present, the article bodies of the article-extraction benchmark), one
paragraph per line as the archive stores bodies. The new version of each pair carries the edits
wire copy typically gets: a figure revised, a paragraph added, a sentence reworded.

Timed per pair: archive.textdiff.diff (word level) and archive.edits.compute_change, alone and
together, and as the baseline difflib.SequenceMatcher(autojunk=False) over the two texts' word
lists, in the same run. Target: p99 of diff + compute_change under 10 ms at 20 KB.

    python bench/diffbench.py [--samples N]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.edits import compute_change  # noqa: E402
from archive.textdiff import diff  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
SIZES = {"5KB": 5_000, "20KB": 20_000, "100KB": 100_000}
TARGET_MS = 10.0
_FIGURE = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d.,])\d{2,4}(?![\d.,])")


def paragraph_pool() -> tuple[list[str], list[str]]:
    """Real paragraphs: the seed story's first, then the benchmark bodies' (English-looking
    ones, so the edits below read naturally), in a fixed shuffled order."""
    seed: list[str] = []
    for path in sorted((SHARED / "seed-article").glob("*.txt")):
        seed += [p.strip() for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
    others: list[str] = []
    truth = SHARED / "corpus" / "article-extraction-benchmark" / "ground-truth.json"
    if truth.exists():
        for item in json.loads(truth.read_text(encoding="utf-8")).values():
            for p in (item.get("articleBody") or "").split("\n"):
                p = p.strip()
                if len(p) > 80 and sum(c.isascii() for c in p) > 0.95 * len(p):
                    others.append(p)
    random.Random(7).shuffle(others)
    if not seed and not others:
        raise SystemExit(f"no real text found under {SHARED} (seed-article/, corpus/)")
    return seed, others


def build_article(size: int, rng: random.Random, seed: list[str], others: list[str]) -> list[str]:
    pool = others or seed
    paragraphs = list(seed)
    start = rng.randrange(len(pool))
    k = 0
    while sum(len(p) + 1 for p in paragraphs) < size:
        paragraphs.append(pool[(start + k) % len(pool)])
        k += 1
    return paragraphs


def edit(paragraphs: list[str], rng: random.Random, extra: str) -> list[str]:
    """A figure revised, a sentence reworded, a paragraph added."""
    out = list(paragraphs)
    with_figure = [i for i, p in enumerate(out) if _FIGURE.search(p)]
    if with_figure:
        i = with_figure[len(with_figure) // 2]
        m = list(_FIGURE.finditer(out[i]))[-1]
        value = int(m.group().replace(",", "")) + rng.randrange(1, 500)
        new = f"{value:,}" if "," in m.group() else str(value)
        out[i] = out[i][:m.start()] + new + out[i][m.end():]
    i = len(out) // 3
    sentences = re.split(r"(?<=[.!?])\s+", out[i])
    s = rng.randrange(len(sentences))
    tokens = sentences[s].split()
    if len(tokens) > 6:
        tokens[2:5] = ["officials", "have", "reportedly"]
    else:
        tokens.append("officials said")
    sentences[s] = " ".join(tokens)
    out[i] = " ".join(sentences)
    out.insert(2 * len(out) // 3, extra)
    return out


def version(n: int, paragraphs: list[str]) -> dict:
    return {"version": n, "captured_at": f"2024-01-01T00:0{n}:00Z", "title": "Benchmark story",
            "byline": "", "published_at": "2024-01-01T00:00:00Z",
            "modified_at": f"2024-01-01T00:0{n}:00Z", "lead": "",
            "text": "\n".join(paragraphs), "language": "en", "tags": []}


def default_pairs(count: int = 12) -> dict[str, list[tuple[dict, dict]]]:
    seed, others = paragraph_pool()
    pairs: dict[str, list[tuple[dict, dict]]] = {}
    for label, size in SIZES.items():
        rng = random.Random(size)
        pairs[label] = []
        for _ in range(count):
            paragraphs = build_article(size, rng, seed, others)
            extra = (others or seed)[rng.randrange(len(others or seed))]
            pairs[label].append((version(1, paragraphs), version(2, edit(paragraphs, rng,
                                                                            extra))))
    return pairs


def _time(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000


def _baseline(old: str, new: str) -> None:
    SequenceMatcher(None, old.split(), new.split(), autojunk=False).get_opcodes()


def _ours(old: dict, new: dict) -> None:
    diff(old["text"], new["text"])
    compute_change(old, new)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(pairs: dict[str, list[tuple[dict, dict]]] | None = None, samples: int = 200,
        baseline_samples: int = 24) -> dict:
    """Timings in ms per size: p50/p99 of diff, compute_change, both, and the baseline; the
    baseline/ours ratio (above 1: ours is faster)."""
    pairs = pairs or default_pairs()
    results: dict = {"sizes": {}, "target_ms": TARGET_MS}
    for label, items in pairs.items():
        for old, new in items[:2]:          # warm-up (regex compilation, imports)
            _ours(old, new)
        t_diff, t_change, t_total, t_base = [], [], [], []
        for k in range(samples):
            old, new = items[k % len(items)]
            t_diff.append(_time(diff, old["text"], new["text"]))
            t_change.append(_time(compute_change, old, new))
            t_total.append(t_diff[-1] + t_change[-1])
        # the baseline is slow at 100 KB: fewer samples, same pairs
        for k in range(min(samples, baseline_samples if label == "100KB" else samples)):
            old, new = items[k % len(items)]
            t_base.append(_time(_baseline, old["text"], new["text"]))
        row = {"pairs": len(items),
               "chars": round(statistics.mean(len(o["text"]) for o, _ in items)),
               "samples": samples, "baseline_samples": len(t_base)}
        for name, values in (("diff", t_diff), ("change", t_change), ("total", t_total),
                             ("baseline", t_base)):
            row[f"{name}_p50_ms"] = round(_pct(values, 0.50), 3)
            row[f"{name}_p99_ms"] = round(_pct(values, 0.99), 3)
        row["ratio_p50"] = round(row["baseline_p50_ms"] / row["total_p50_ms"], 1)
        row["ratio_p99"] = round(row["baseline_p99_ms"] / row["total_p99_ms"], 1)
        row["diff_ratio_p50"] = round(row["baseline_p50_ms"] / row["diff_p50_ms"], 1)
        row["diff_ratio_p99"] = round(row["baseline_p99_ms"] / row["diff_p99_ms"], 1)
        results["sizes"][label] = row
    at20 = results["sizes"].get("20KB")
    if at20:
        results["target_met"] = at20["total_p99_ms"] < TARGET_MS
    return results


def table(results: dict) -> str:
    head = (f"{'size':>6} {'chars':>7} | {'diff p50':>8} {'p99':>7} | {'change p50':>10} "
            f"{'p99':>7} | {'both p50':>8} {'p99':>7} | {'difflib p50':>11} {'p99':>8} | "
            f"{'ratio p50':>9} {'p99':>5} | {'diff ratio p50':>14} {'p99':>6}")
    lines = [head, "-" * len(head)]
    for label, r in results["sizes"].items():
        lines.append(
            f"{label:>6} {r['chars']:>7} | {r['diff_p50_ms']:>8.2f} {r['diff_p99_ms']:>7.2f} | "
            f"{r['change_p50_ms']:>10.2f} {r['change_p99_ms']:>7.2f} | "
            f"{r['total_p50_ms']:>8.2f} {r['total_p99_ms']:>7.2f} | "
            f"{r['baseline_p50_ms']:>11.2f} {r['baseline_p99_ms']:>8.2f} | "
            f"{r['ratio_p50']:>8.1f}x {r['ratio_p99']:>4.1f}x | "
            f"{r['diff_ratio_p50']:>13.1f}x {r['diff_ratio_p99']:>5.1f}x")
    if "target_met" in results:
        lines.append(f"target: diff + compute_change p99 < {TARGET_MS:g} ms at 20 KB: "
                     f"{'met' if results['target_met'] else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    results = run(samples=args.samples)
    print("times in ms; ratio = difflib word diff / (diff + compute_change); "
          "diff ratio = difflib word diff / diff")
    print(table(results))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
