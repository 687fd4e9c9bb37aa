"""Times as people read them on a page: "3 h 12 min later", "in 12 min", "2026-11-29 14:03 UTC"."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def duration(span: timedelta | float | int | None) -> str:
    """The two largest units of a span: "3 h 12 min", "2 d 4 h", "45 s", "0 s"."""
    if span is None:
        return ""
    seconds = int(abs(span.total_seconds() if isinstance(span, timedelta) else span))
    parts = []
    for name, size in _UNITS:
        if seconds >= size or (name == "s" and not parts):
            count, seconds = divmod(seconds, size)
            parts.append(f"{count} {name}")
        elif parts:
            break                         # "2 d 4 h", never "2 d 0 h 5 min"
        if len(parts) == 2:
            break
    return " ".join(parts)


def relative(when: datetime | None, now: datetime) -> str:
    """"in 12 min", "12 min ago", "now"."""
    if when is None:
        return ""
    delta = (when - now).total_seconds()
    if abs(delta) < 1:
        return "now"
    return f"in {duration(delta)}" if delta > 0 else f"{duration(delta)} ago"


def as_utc(value) -> datetime | None:
    """A datetime from the archive (TIMESTAMPTZ) or an ISO string, in UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    raise TypeError(f"not a time: {value!r}")


def stamp(value) -> str:
    """"2026-11-29 14:03:07 UTC": a page's shown time (the exact one is in <time datetime>)."""
    when = as_utc(value)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else ""


def iso(value) -> str:
    when = as_utc(value)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z") if when else ""
