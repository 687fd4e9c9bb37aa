"""Offline checks of seed files (`wirewatch sources --check`): no request is made.

Loading a seed (crawler/seeds.py) already refuses what is malformed: a pattern that does not
compile, a bad duration, a discovery URL outside the seed's domains, an unknown time zone. This
module checks what only the seed's own evidence can tell, its `[article]` examples:

- every example is taken: it matches `pattern`, lies in `domains`, and `id` finds an id in it;
- examples of different stories give different ids (an id pattern that catches the section
  instead of the number would merge every story of a section);
- every URL of a `same_id` group (one story after a slug or section change) gives one id;
- no `not_examples` URL (menus, section pages, galleries, feeds) is taken as an article;
- the `[recheck]` table is valid for the re-check policy (checked by a function the caller
  passes: the policy lives in jobs/, which crawler/ does not import).

Each file is checked on its own, so one broken seed does not hide the others' results.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .seeds import Seed, SeedError, load_seed, seeds_dir

RecheckValidator = Callable[[Seed], object]   # raises SeedError or ValueError for a bad [recheck]


@dataclass
class SeedReport:
    """The check of one seed file: `problems` is empty when it passed."""
    name: str
    path: str
    seed: Seed | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: what was checked, or every problem found."""
        if self.problems:
            return "; ".join(self.problems)
        seed = self.seed
        groups = f", {len(seed.same_id)} same-id group{'s' * (len(seed.same_id) != 1)}" if seed.same_id else ""
        n = len(seed.not_examples)
        return f"{len(seed.examples)} examples, {n} non-article{'s' * (n != 1)}{groups}"


def check_directory(directory: str | os.PathLike | None = None, only: str | None = None,
                    recheck: RecheckValidator | None = None) -> list[SeedReport]:
    """Check every seed file in `directory` (default: the seeds directory), or only the source
    named `only`. Raises SeedError for a missing directory or an unknown source."""
    directory = seeds_dir(directory)
    if not directory.is_dir():
        raise SeedError(directory, "(dir)", "no such seeds directory (pass --seeds DIR)")
    paths = sorted(directory.glob("*.toml"))
    if only is not None:
        paths = [p for p in paths if p.stem == only]
        if not paths:
            known = ", ".join(sorted(p.stem for p in directory.glob("*.toml"))) or "none"
            raise SeedError(directory, "source", f"unknown source {only!r} (known: {known})")
    return [check_file(p, recheck) for p in paths]


def check_file(path: str | os.PathLike, recheck: RecheckValidator | None = None) -> SeedReport:
    path = Path(path)
    try:
        seed = load_seed(path)
    except SeedError as err:
        return SeedReport(path.stem, str(path), problems=[f"{err.field}: {err.reason}"])
    return SeedReport(seed.name, str(path), seed, check_seed(seed, recheck))


def check_seed(seed: Seed, recheck: RecheckValidator | None = None) -> list[str]:
    """Every problem found in a loaded seed, each a short phrase naming the field."""
    problems = [*_example_problems(seed), *_same_id_problems(seed), *_not_example_problems(seed)]
    if recheck is not None:
        try:
            recheck(seed)
        except SeedError as err:
            problems.append(f"{err.field}: {err.reason}")
        except ValueError as err:
            problems.append(f"recheck: {err}")
    return problems


def discovery_methods(seed: Seed) -> str:
    """How a source is discovered, e.g. "1 feed, 1 sitemap, 2 pages"."""
    parts = [(len(seed.feeds), "feed"), (len(seed.sitemaps), "sitemap"), (len(seed.pages), "page")]
    return ", ".join(f"{n} {kind}{'s' * (n != 1)}" for n, kind in parts if n)


def _id_problem(seed: Seed, url: str, field_name: str) -> str | None:
    """Why `url` is not taken as an article with an id, or None when it is."""
    if not seed.is_article(url):
        return f"{field_name}: {url} does not match article.pattern"
    if not seed.in_domains(url):
        return f"{field_name}: {url} is outside domains {list(seed.domains)}"
    if seed.id_pattern is not None and not seed.id_pattern.search(url):
        return f"{field_name}: article.id finds no id in {url}"
    return None


def _example_problems(seed: Seed) -> list[str]:
    if not seed.examples:
        return ["article.examples: none (list real article URLs so the pattern and id can be checked)"]
    problems = [p for p in (_id_problem(seed, url, "article.examples") for url in seed.examples) if p]
    if problems:
        return problems
    grouped = {url: i for i, group in enumerate(seed.same_id) for url in group}
    first_with: dict[str, str] = {}
    for url in seed.examples:
        key = seed.article_key(url)
        other = first_with.setdefault(key, url)
        if other != url and (grouped.get(other) is None or grouped.get(other) != grouped.get(url)):
            problems.append(f"article.examples: {other} and {url} give the same id {key!r} "
                            "(list them in same_id if they are one story)")
    return problems


def _same_id_problems(seed: Seed) -> list[str]:
    problems = []
    for group in seed.same_id:
        bad = [p for p in (_id_problem(seed, url, "article.same_id") for url in group) if p]
        if bad:
            problems.extend(bad)
            continue
        keys = {url: seed.article_key(url) for url in group}
        if len(set(keys.values())) > 1:
            problems.append("article.same_id: one story, several ids: "
                            + ", ".join(f"{url} -> {key!r}" for url, key in keys.items()))
    return problems


def _not_example_problems(seed: Seed) -> list[str]:
    return [f"article.not_examples: {url} is taken as an article (id {seed.article_key(url)!r})"
            for url in seed.not_examples if seed.article_key(url) is not None and seed.in_domains(url)]
