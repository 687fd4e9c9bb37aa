"""wiresim: a local wire-service simulator. A real HTTP server on 127.0.0.1 that publishes,
edits, moves, pulls and misbehaves like a news agency site, driven from Python or /_admin/.

    from wiresim import WireSim
    with WireSim(articles=5) as sim:
        url = sim.article_url(sim.article_ids()[0])
        sim.edit(sim.article_ids()[0], "number")

    with WireSim(articles=5, persona="tass") as sim:     # an agency's site: wiresim/personas
        sim.host_map()          # {"tass.com": "127.0.0.1:<port>"}: for crawler/hostmap.py

It imports nothing from the rest of the project and needs only the standard library.
"""

from .content import Article
from .edits import EDIT_KINDS
from .faults import FAULT_KINDS
from .personas import PERSONAS
from .personas.fleet import Fleet
from .sim import WireSim

# Seed patterns for the simulator's article URLs: /<section>/<id>/<slug>, id stable across slugs.
ARTICLE_URL_PATTERN = r"^https?://127\.0\.0\.1:\d+/[a-z][a-z-]*/\d+/[a-z0-9-]+$"
ARTICLE_ID_PATTERN = r"^https?://[^/]+/[a-z][a-z-]*/(\d+)(?:/[^/]*)?$"

__all__ = ["WireSim", "Article", "EDIT_KINDS", "FAULT_KINDS", "ARTICLE_URL_PATTERN",
           "ARTICLE_ID_PATTERN", "PERSONAS", "Fleet"]
