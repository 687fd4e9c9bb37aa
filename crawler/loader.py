"""One Scrapy spider per seed, so `scrapy list` lists sources and `scrapy crawl tass` crawls one."""
from __future__ import annotations

from .seeds import load_seeds


class SeedSpiderLoader:
    def __init__(self, settings):
        self.settings = settings
        self._seeds = load_seeds(settings.get("WIREWATCH_SEEDS"))

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def load(self, spider_name: str):
        from .spiders.wire import spider_for
        if spider_name not in self._seeds:
            raise KeyError(f"Spider not found: {spider_name}")
        return spider_for(self._seeds[spider_name])

    def list(self) -> list[str]:
        return sorted(self._seeds)

    def find_by_request(self, request) -> list[str]:
        return [name for name, seed in self._seeds.items() if seed.in_domains(request.url)]
