"""What the shared-archive tests share: a throwaway PostgreSQL (skipped with the reason when it
cannot start here, except under WIREWATCH_REQUIRE_POSTGRES=1, which `make test` sets: in CI these
tests must run), and several wiresim sources with their seeds."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pgserver import PostgresServer, available
from support import ROOT


def postgres_server():
    reason = available()
    if reason:
        if os.environ.get("WIREWATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"shared-archive tests need PostgreSQL: {reason}")
        pytest.skip(f"shared-archive tests skipped: {reason}")
    # its own directory under /tmp: pytest's are private to root, and PostgreSQL runs as another user
    server = PostgresServer()
    server.start()
    return server


def sim_seed(directory: Path, name: str, base_url: str, *, recheck: str = "", crawl: str = "") -> Path:
    """A copy of seeds/wiresim.toml named `name`, matching only this simulator's port."""
    port = base_url.rsplit(":", 1)[1]
    text = (ROOT / "seeds" / "wiresim.toml").read_text().replace("http://127.0.0.1:8765", base_url)
    text = text.replace('name = "wiresim"', f'name = "{name}"')
    text = text.replace(r"127\.0\.0\.1:\d+/", rf"127\.0\.0\.1:{port}/")
    # the seed's URL examples name port 8765: left out (they would not match this port)
    text = text[:text.index("examples = [")] + text[text.index("\n[recheck]"):]
    if recheck:
        text = text.replace("[recheck]", f"[recheck]\n{recheck}", 1)
    if crawl:
        text = re.sub(r"(?ms)^\[crawl\].*", f"[crawl]\n{crawl}\n", text)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(text)
    return path
