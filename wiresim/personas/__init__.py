"""Agency personas: the simulator's articles, edits, pulls and faults served the way a real wire
agency's site serves them — its hosts, URL and id scheme, markup classes, charset, feeds and
sitemaps at their real paths, and its documented quirks. `WireSim(persona="tass")` runs one;
`python -m wiresim --persona tass` too. Facts and their sources: ../shared/research/agencies.md;
each module's docstring says which it follows and what is guessed."""

from __future__ import annotations

from .anadolu import ANADOLU
from .ap import AP
from .base import Persona
from .interfax import INTERFAX, INTERFAX_UA
from .kyodo import KYODO
from .prensa_latina import PRENSA_LATINA
from .reuters import REUTERS
from .ria import RIA, SPUTNIK
from .tass import TASS, TASS_RU
from .ukraine import UKRINFORM, UNIAN
from .xinhua import XINHUA, XINHUA_ES
from .yonhap import YONHAP

PERSONAS: dict[str, Persona] = {p.name: p for p in (
    TASS, TASS_RU, RIA, INTERFAX, INTERFAX_UA, XINHUA, XINHUA_ES, AP, REUTERS, ANADOLU, YONHAP,
    KYODO, UNIAN, UKRINFORM, SPUTNIK, PRENSA_LATINA)}


def get_persona(name: str) -> Persona:
    try:
        return PERSONAS[name]
    except KeyError:
        raise ValueError(f"no persona {name!r}; personas: {', '.join(sorted(PERSONAS))}") from None


__all__ = ["PERSONAS", "Persona", "get_persona"]
