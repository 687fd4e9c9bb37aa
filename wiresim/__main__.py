"""python -m wiresim --port 8765 [--articles N] [--corpus PATH] [--seed N]: run the simulator
until Ctrl-C, for a person exploring it or driving it through /_admin/."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from .sim import WireSim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wiresim", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--articles", type=int, default=30, help="articles published at start")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="shared corpus folder (uses its benchmark article texts)")
    parser.add_argument("--seed", type=int, default=0, help="seed for article text and edits")
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be 0 or more")
    try:
        sim = WireSim(articles=args.articles, corpus_dir=args.corpus, seed=args.seed)
        sim.start(port=args.port)
    except OSError as exc:
        parser.exit(1, f"wiresim: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}\n")
    print(sim.base_url, flush=True)
    print(f"{len(sim.article_ids())} articles; feed {sim.base_url}/rss.xml, "
          f"state {sim.base_url}/_admin/state; Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
