"""What one `wirewatch serve` process is configured with."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.store import Archive

# datasette's defaults: a result page is at most 1,000 rows and a query gets a moment, not minutes,
# because while it runs the archive file is held and the daemon's next write waits for it.
DEFAULT_SQL_MAX_ROWS = 1000
DEFAULT_SQL_TIME_LIMIT_S = 2.0
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class WebSettings:
    archive_path: Path | str       # a DuckDB file, or a shared archive's postgresql:// URL
    seeds_dir: Path
    sql_max_rows: int = DEFAULT_SQL_MAX_ROWS
    sql_time_limit_s: float = DEFAULT_SQL_TIME_LIMIT_S
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def archive(self) -> Archive:
        return Archive(self.archive_path)
