"""Preloaded first by the extraction pool's forkserver only (crawler/extract_pool.py): it exits
when the crawl process that started it is gone, and tells the workers it forks its own pid to
watch (crawler/orphan_watch.py). Never import it elsewhere."""
import os

from crawler.orphan_watch import FORKSERVER_ENV, OWNER_ENV, exit_with_parent

os.environ[FORKSERVER_ENV] = str(os.getpid())
exit_with_parent(int(os.environ.get(OWNER_ENV) or 0) or None)
