"""python -m wiresim --port 8765 [--articles N] [--corpus PATH] [--seed N] [--persona NAME ...]:
run the simulator until Ctrl-C, for a person exploring it or driving it through /_admin/.

With --persona (repeatable, or "all") each persona runs on its own port from --port on, and the
host map to route a crawler to them is printed: set it as WIREWATCH_HOST_MAP and crawl the real
seed, e.g. `WIREWATCH_HOST_MAP='{"tass.com": "127.0.0.1:8765"}' wirewatch crawl tass`."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from .sim import WireSim


def main(argv: list[str] | None = None) -> int:
    from .personas import PERSONAS
    parser = argparse.ArgumentParser(prog="python -m wiresim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765,
                        help="port on 127.0.0.1 (0: any free); personas take the next ones")
    parser.add_argument("--articles", type=int, default=30, help="articles published at start")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="shared corpus folder (uses its benchmark article texts)")
    parser.add_argument("--seed", type=int, default=0, help="seed for article text and edits")
    parser.add_argument("--persona", action="append", metavar="NAME",
                        choices=[*sorted(PERSONAS), "all"],
                        help="serve as this agency (repeatable; 'all' for every one): "
                             + ", ".join(sorted(PERSONAS)))
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be 0 or more")
    if args.persona:
        return _personas(parser, args)
    try:
        sim = WireSim(articles=args.articles, corpus_dir=args.corpus, seed=args.seed)
        sim.start(port=args.port)
    except OSError as exc:
        parser.exit(1, f"wiresim: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}\n")
    try:       # Ctrl-C may come as soon as the first line is out
        print(sim.base_url, flush=True)
        print(f"{len(sim.article_ids())} articles; feed {sim.base_url}/rss.xml, "
              f"state {sim.base_url}/_admin/state; Ctrl-C to stop", flush=True)
        _wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def _personas(parser, args) -> int:
    from .personas import PERSONAS
    from .personas.fleet import Fleet
    names = sorted(PERSONAS) if "all" in args.persona else list(dict.fromkeys(args.persona))
    try:
        fleet = Fleet(names, articles=args.articles, seed=args.seed, corpus_dir=args.corpus,
                      port=args.port)
    except OSError as exc:
        parser.exit(1, f"wiresim: cannot listen from 127.0.0.1:{args.port} on: {exc.strerror}\n")
    try:
        for name, sim in fleet.sims.items():
            first = sim.article_url(sim.article_ids()[0]) if sim.article_ids() else "-"
            print(f"{name}: {sim.base_url} serves {', '.join(PERSONAS[name].hosts)} "
                  f"(first article {first})", flush=True)
        print(f"WIREWATCH_HOST_MAP='{fleet.host_map_json()}'", flush=True)
        print("Ctrl-C to stop", flush=True)
        _wait()
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
    return 0


def _wait() -> None:
    """Serve until Ctrl-C (KeyboardInterrupt, handled by the caller)."""
    threading.Event().wait()


if __name__ == "__main__":
    raise SystemExit(main())
