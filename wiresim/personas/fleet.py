"""Several personas at once, each on its own port: what a test or a demo crawling every agency
needs, with the one host map (real host -> 127.0.0.1:<port>) that routes a crawler to them."""

from __future__ import annotations

import json


class Fleet:
    """{persona name: running WireSim}; a context manager that stops them all."""

    def __init__(self, names, articles: int = 30, seed: int = 0, corpus_dir=None,
                 port: int = 0, **options):
        from ..sim import WireSim
        from . import get_persona
        self.sims = {}
        try:
            for n, name in enumerate(names):
                get_persona(name)      # an unknown name fails before anything listens
                sim = WireSim(articles=articles, seed=seed + n, corpus_dir=corpus_dir,
                              persona=name, **options)
                self.sims[name] = sim.start(port=port + n if port else 0)
        except BaseException:
            self.stop()
            raise

    def host_map(self) -> dict[str, str]:
        mapping = {}
        for sim in self.sims.values():
            mapping.update(sim.host_map())
        return mapping

    def host_map_json(self) -> str:
        return json.dumps(self.host_map(), sort_keys=True)

    def stop(self) -> None:
        for sim in self.sims.values():
            sim.stop()

    def __enter__(self) -> "Fleet":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __getitem__(self, name: str):
        return self.sims[name]
