"""What the web view's tests share: the real `wirewatch serve` in a subprocess, HTTP requests to
it, headless Chromium from Debian (/usr/bin/chromium) driven by Playwright, screenshots, and an
archive made by crawling wiresim while it edits its copy."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from support import ROOT, Wirewatch, write_sim_seed

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots for people to look at, kept after the run (data/ is not versioned).
OUTPUT = Path(os.environ.get("WIREWATCH_TEST_OUTPUT", ROOT / "data" / "test-output")) / "web"


class Server:
    """`wirewatch serve --port 0` as a user starts it; the URL is read from what it prints."""

    def __init__(self, archive: Path, seeds: Path, *extra: str, log: Path):
        env = dict(os.environ, WIREWATCH_ARCHIVE=str(archive), WIREWATCH_SEEDS=str(seeds), PYTHONUNBUFFERED="1")
        self.log = log
        self._log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "serve", "--port", "0", *extra],
                                     env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True)
        line = self.proc.stdout.readline()
        found = re.search(r"(http://\S+/)", line)
        if not found:
            self.stop()
            raise AssertionError(f"wirewatch serve did not start: {line!r}\n{log.read_text()[-3000:]}")
        self.url = found.group(1).rstrip("/")
        self.first_line = line
        # a server told to listen on every address is still asked over loopback only
        probe = self.url.replace("//0.0.0.0:", "//127.0.0.1:")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                get(probe + "/static/style.css")
                return
            time.sleep(0.05)
        raise AssertionError(f"wirewatch serve never answered\n{log.read_text()[-3000:]}")

    def get(self, path: str, timeout: float = 90):
        return get(self.url + path, timeout)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.log.read_text()


class Reply:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        import json
        return json.loads(self.body)


def get(url: str, timeout: float = 90) -> Reply:
    """A GET that returns 4xx/5xx replies instead of raising (pages say why they refused)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


@contextlib.contextmanager
def chromium():
    """One headless Chromium for a test module: Debian's, never one Playwright downloads."""
    if not CHROMIUM.exists():
        raise AssertionError(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver "
                             "(`make test` installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def build_sim_archive(sim, directory: Path) -> tuple[Wirewatch, list[str]]:
    """An archive made the way a user makes one: `wirewatch crawl`, the agency edits, pulls and
    moves stories, `wirewatch recheck --all` twice. Returns the runner and the article ids."""
    seeds = write_sim_seed(directory / "seeds", sim.base_url)
    ww = Wirewatch(directory / "data" / "wirewatch.duckdb", seeds)
    ww("crawl", "wiresim")
    ids = sim.article_ids()
    sim.edit(ids[0], "headline")
    sim.edit(ids[1], "number")
    sim.edit(ids[2], "add_paragraph")
    sim.pull(ids[3])
    sim.change_slug(ids[4])
    ww("recheck", "wiresim", "--all")
    sim.edit(ids[0], "number")
    sim.edit(ids[1], "correction")
    ww("recheck", "wiresim", "--all")
    return ww, ids
