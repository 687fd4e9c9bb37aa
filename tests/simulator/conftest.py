"""Fixtures of the simulator's own tests: a small WireSim on an injected clock (this folder's
`sim` replaces the crawl tests' one)."""
from __future__ import annotations

import pytest

from simhttp import Clock
from wiresim import WireSim


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sim(clock):
    with WireSim(articles=6, seed=1, clock=clock) as s:
        yield s
