"""The bridge from the archive's write path to the re-check policy.

The archive calls `schedule(now=…, first_seen=…, …)` after each fetch and stores what it returns as
`next_check`; this module builds that callable from a seed's `[recheck]` table, so the archive
itself needs no knowledge of the policy (dependencies point jobs -> crawler -> archive).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from crawler.seeds import Seed, SeedError
from jobs.policy import ArticleState, PolicyConfig, next_check


def policy_for(seed: Seed) -> PolicyConfig:
    try:
        return PolicyConfig.from_seed(seed.recheck)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise SeedError(seed.path, field, reason or str(exc)) from None


def schedule_for(seed: Seed) -> Callable[..., datetime | None]:
    cfg = policy_for(seed)

    def schedule(*, now, first_seen, last_checked, last_changed, unchanged_checks, status, versions=0):
        if status == "redirected":
            return None  # it became another article (or none): that one is tracked on its own
        state = ArticleState(first_seen=first_seen, last_checked=last_checked, last_changed=last_changed,
                             unchanged_checks=unchanged_checks, status=status)
        return next_check(state, cfg, now)

    return schedule
