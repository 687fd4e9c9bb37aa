"""Which known articles a re-check run fetches: the due ones, most overdue first, fair across
sources (jobs.policy.select_due), within the seed's budget."""
from __future__ import annotations

from datetime import datetime, timezone

from archive.store import Archive
from crawler.seeds import Seed
from jobs.policy import Candidate, select_due
from jobs.schedule import policy_for


def candidates(archive: Archive, seed: Seed, now: datetime) -> list[Candidate]:
    return [Candidate(seed.name, a.key, a.next_check, a.last_checked)
            for a in archive.known(seed.name, due_before=now)]


def select_recheck(archive: Archive, seeds: list[Seed], now: datetime | None = None,
                   total_budget: int | None = None, per_source: int | None = None) -> dict[str, list[str]]:
    """{source: [article keys]} to fetch now. per_source None = each seed's own budget."""
    now = now or datetime.now(timezone.utc)
    pool = [c for seed in seeds for c in candidates(archive, seed, now)]
    budgets = {s.name: (per_source if per_source is not None else policy_for(s).budget) for s in seeds}
    chosen: dict[str, list[str]] = {s.name: [] for s in seeds}
    for c in select_due(pool, now, total_budget, budgets):
        chosen[c.source].append(c.article_id)
    return chosen

