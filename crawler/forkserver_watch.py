"""Preloaded by the extraction pool's forkserver only (crawler/extract_pool.py): it exits when
the crawl process that started it is gone (crawler/orphan_watch.py). Never import it elsewhere."""
from crawler.orphan_watch import exit_with_parent

exit_with_parent()
