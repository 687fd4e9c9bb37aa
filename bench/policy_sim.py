"""Re-check policy simulation: wirewatch's policy against NewsDiffs's tiers on one edit timeline.

    python bench/policy_sim.py [--seed N] [--articles N]

prints a table and a JSON line; ``run(seed, articles)`` returns the same figures as a dict.

The timeline (synthetic, shaped like wire copy; deterministic with the seed)
  - Each article is published at a random time within one day and followed for 30 days.
  - 60 % of articles are edited; an edited one gets 1 + Geometric edits (mean 4 edits, so
    about 5 versions, as in the NewsEdits data for AP and Reuters).
  - Gaps between publication and edits, and between edits, are a log-normal mixture: 85 %
    short (median 40 min) and 15 % long (median 16 h), sigma 1. Edits come in bursts: about
    half of them within 6 h of publication, three quarters within a day, and a tail of about
    14 % after day 2. Edits past day 30 are dropped.
  - Publisher signals: the source shows a truthful ``<lastmod>`` for 70 % of edits after a
    publishing lag (exponential, mean 3 min). Discovery reads it every 10 minutes; a signal
    newer than the last capture makes the article due (``apply_signal``) and the daemon's
    one-minute re-check tick fetches it one minute after the pass.

The policies
  - ``newsdiffs``: NewsDiffs's tiers by time since the last change; no signals (NewsDiffs
    has none).
  - ``wirewatch``: ``jobs.policy`` defaults (the real functions, not a copy), with signals.
  - ``wirewatch_2d_signals``: the same, but lastmod only during an article's first 2 days, as
    in a Google News sitemap (a source with no full sitemap or feed history).
  - ``wirewatch_nosignals``: the same policy with no signals at all: the schedule alone.
Every policy captures the article at publication (1 request) and then checks on its schedule.
Scheduled checks happen exactly on time for every policy (no backlog is modelled).

The figures
  - requests: all fetches of all articles over the 30 days, first capture included.
  - delay: from an edit to the check that captures it (median and p90, minutes), over edits
    that were captured; a missed edit has no delay, so read delays with ``missed``.
  - missed: intermediate versions (two or more edits between consecutive checks: the earlier
    ones are never seen) plus edits not captured by day 30.
Target: requests <= 0.5 x NewsDiffs, median and p90 delay <= NewsDiffs, fewer missed versions.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import sys
import time
from datetime import datetime, timedelta, timezone

from jobs.policy import DEFAULT_CONFIG, ArticleState, PolicyConfig, apply_signal, \
    newsdiffs_interval, next_check

START = datetime(2026, 1, 5, tzinfo=timezone.utc)
DAYS = 30
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
SPAN = DAYS * DAY
P_EDITED = 0.6
P_MORE_EDITS = 0.75  # 1 + Geometric: mean 1 / (1 - 0.75) = 4 edits
P_SHORT_GAP = 0.85
SHORT_GAP_MEDIAN = 40 * MINUTE
LONG_GAP_MEDIAN = 16 * HOUR
GAP_SIGMA = 1.0
P_SIGNAL = 0.7
SIGNAL_LAG_MEAN = 3 * MINUTE
NEWS_SITEMAP_WINDOW = 2 * DAY
DISCOVERY_EVERY = 10 * MINUTE
TICK = MINUTE

#: policy name -> how long after publication the source shows a lastmod (0: no signals)
POLICIES = {"newsdiffs": 0.0, "wirewatch": SPAN, "wirewatch_2d_signals": NEWS_SITEMAP_WINDOW,
            "wirewatch_nosignals": 0.0}


def make_article(rng: random.Random) -> dict:
    """One article: publication time (s after START), edit times and signal passes."""
    published = rng.uniform(0, DAY)
    edits: list[float] = []
    if rng.random() < P_EDITED:
        count = 1
        while rng.random() < P_MORE_EDITS:
            count += 1
        t = published
        for _ in range(count):
            median = SHORT_GAP_MEDIAN if rng.random() < P_SHORT_GAP else LONG_GAP_MEDIAN
            t += rng.lognormvariate(math.log(median), GAP_SIGMA)
            if t - published < SPAN:
                edits.append(t)
    # A discovery pass at P sees the lastmod of a signalled edit visible by then.
    signals: list[tuple[float, float]] = []  # (pass time, edit time)
    for edit in edits:
        signalled = rng.random() < P_SIGNAL
        visible = edit + rng.expovariate(1 / SIGNAL_LAG_MEAN)
        seen = math.ceil(visible / DISCOVERY_EVERY) * DISCOVERY_EVERY
        if signalled:
            signals.append((seen, edit))
    signals.sort()
    return {"published": published, "edits": edits, "signals": signals}


def _at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def _secs(dt: datetime) -> float:
    return (dt - START).total_seconds()


def simulate(article: dict, policy: str, cfg: PolicyConfig = DEFAULT_CONFIG) -> dict:
    """Check one article under one policy for 30 days; return its counts and delays."""
    published, edits = article["published"], article["edits"]
    window = POLICIES[policy]
    signals = [s for s in article["signals"] if s[0] - published < window]
    end = published + SPAN
    state = ArticleState(first_seen=_at(published), last_checked=_at(published))
    last_checked, last_changed = published, published
    captured, requests, missed, delays = 0, 1, 0, []
    sig = 0
    while True:
        if policy == "newsdiffs":
            gap = newsdiffs_interval(timedelta(seconds=last_checked - last_changed))
            scheduled = last_checked + gap.total_seconds()
        else:
            due = next_check(state, cfg, _at(last_checked))
            state.next_check = due
            scheduled = math.inf if due is None else _secs(due)
        t = scheduled
        # The first discovery pass after the last check that carries a newer lastmod.
        while sig < len(signals) and signals[sig][0] + TICK <= last_checked:
            sig += 1
        for seen, edit in signals[sig:]:
            if seen >= t:
                break
            pulled = apply_signal(state, _at(edit), _at(seen), cfg)
            if pulled is not None and _secs(pulled) <= seen:
                t = min(t, seen + TICK)
                break
        if t > end:
            break
        requests += 1
        latest = bisect.bisect_right(edits, t)
        if latest > captured:
            missed += latest - captured - 1
            delays.append(t - edits[latest - 1])
            captured = latest
            last_changed = t
            state.last_changed, state.unchanged_checks = _at(t), 0
        else:
            state.unchanged_checks += 1
        last_checked = t
        state.last_checked = _at(t)
    return {"requests": requests, "versions": len(edits), "captured": len(delays),
            "missed_intermediate": missed, "uncaptured": len(edits) - captured,
            "delays": delays}


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run(seed: int = 0, articles: int = 2000, cfg: PolicyConfig = DEFAULT_CONFIG) -> dict:
    """Simulate every policy on the same timeline; figures per policy plus the target check."""
    rng = random.Random(seed)
    timeline = [make_article(rng) for _ in range(articles)]
    out: dict = {"seed": seed, "articles": articles, "days": DAYS,
                 "edits": sum(len(a["edits"]) for a in timeline),
                 "signalled_edits": sum(len(a["signals"]) for a in timeline)}
    for policy in POLICIES:
        totals = {"requests": 0, "versions": 0, "captured": 0, "missed_intermediate": 0,
                  "uncaptured": 0}
        delays: list[float] = []
        for article in timeline:
            result = simulate(article, policy, cfg)
            delays.extend(result.pop("delays"))
            for key in totals:
                totals[key] += result[key]
        delays.sort()
        totals["missed"] = totals["missed_intermediate"] + totals["uncaptured"]
        totals["requests_per_article"] = round(totals["requests"] / articles, 1)
        totals["median_delay_min"] = round(_quantile(delays, 0.5) / MINUTE, 1)
        totals["p90_delay_min"] = round(_quantile(delays, 0.9) / MINUTE, 1)
        totals["mean_delay_min"] = round(sum(delays) / max(len(delays), 1) / MINUTE, 1)
        out[policy] = totals
    base = out["newsdiffs"]
    for policy in POLICIES:
        if policy == "newsdiffs":
            continue
        mine = out[policy]
        mine["requests_ratio"] = round(mine["requests"] / base["requests"], 3)
        mine["target_met"] = (
            mine["requests"] <= 0.5 * base["requests"]
            and mine["median_delay_min"] <= base["median_delay_min"]
            and mine["p90_delay_min"] <= base["p90_delay_min"]
            and mine["missed"] < base["missed"]
        )
    out["target_met"] = out["wirewatch"]["target_met"]
    return out


def _table(result: dict) -> str:
    rows = [("requests", "requests"), ("requests/article", "requests_per_article"),
            ("vs NewsDiffs", "requests_ratio"), ("median delay (min)", "median_delay_min"),
            ("p90 delay (min)", "p90_delay_min"), ("mean delay (min)", "mean_delay_min"),
            ("versions captured", "captured"), ("missed intermediate", "missed_intermediate"),
            ("not captured by day 30", "uncaptured"), ("missed total", "missed"),
            ("target met", "target_met")]
    head = f"{'':24}" + "".join(f"{p:>21}" for p in POLICIES)
    lines = [f"{result['articles']} articles, {result['edits']} edits "
             f"({result['signalled_edits']} with a sitemap lastmod), {result['days']} days, "
             f"seed {result['seed']}", head]
    for label, key in rows:
        cells = "".join(f"{str(result[p].get(key, '-')):>21}" for p in POLICIES)
        lines.append(f"{label:24}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.seed, args.articles)
    result["elapsed_s"] = round(time.perf_counter() - started, 2)
    print(_table(result))
    print(json.dumps(result, sort_keys=True))
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
