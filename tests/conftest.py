"""Shared fixtures: a real wiresim on loopback, a seeds dir pointing at it, a temp archive, and
`ww`, which runs the real `wirewatch` command in a subprocess as a user would (one reactor per
process, so crawls never share a Twisted reactor)."""
from __future__ import annotations

import pytest

from support import Wirewatch, write_sim_seed


@pytest.fixture
def sim():
    from wiresim import WireSim
    with WireSim(articles=8, seed=1) as s:
        yield s


@pytest.fixture
def seeds(tmp_path, sim):
    return write_sim_seed(tmp_path / "seeds", sim.base_url)


@pytest.fixture
def archive_file(tmp_path):
    return tmp_path / "data" / "wirewatch.duckdb"


@pytest.fixture
def ww(archive_file, seeds):
    return Wirewatch(archive_file, seeds)
