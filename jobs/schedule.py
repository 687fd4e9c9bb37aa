"""The bridge from the archive's write path to the re-check policy.

The archive calls `schedule(now=…, first_seen=…, …)` after each fetch and stores what it returns as
`next_check`; this module builds that callable from a seed's `[recheck]` table, so the archive
itself needs no knowledge of the policy (dependencies point jobs -> crawler -> archive).
"""
from __future__ import annotations


from crawler.seeds import Seed, SeedError
from jobs.policy import ArticleState, PolicyConfig, apply_signal, next_check


def policy_for(seed: Seed) -> PolicyConfig:
    try:
        return PolicyConfig.from_seed(seed.recheck)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        raise SeedError(seed.path, field, reason or str(exc)) from None


class SeedSchedule:
    """The re-check policy of one seed, as the archive's write path calls it."""

    def __init__(self, cfg: PolicyConfig):
        self.cfg = cfg

    def __call__(self, *, now, first_seen, last_checked, last_changed, unchanged_checks, status, versions=0):
        state = ArticleState(first_seen=first_seen, last_checked=last_checked, last_changed=last_changed,
                             unchanged_checks=unchanged_checks, status=status)
        return next_check(state, self.cfg, now)

    def after_signal(self, *, now, signal_time, first_seen, last_checked, last_changed, unchanged_checks, status,
                     next_check):
        """A publisher's "modified at" signal: `policy.apply_signal`, the function the policy
        benchmark measures."""
        state = ArticleState(first_seen=first_seen, last_checked=last_checked, last_changed=last_changed,
                             unchanged_checks=unchanged_checks, status=status, next_check=next_check)
        return apply_signal(state, signal_time, now, self.cfg)


def schedule_for(seed: Seed) -> SeedSchedule:
    return SeedSchedule(policy_for(seed))
