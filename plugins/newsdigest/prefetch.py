"""Work of the entities step started early, in a child process, on a spare
core.

The entities step (:mod:`.entities`) comes after merging and slugs, which
run in this process on one core while the other cores wait. Right after
reading, the dumps the reader read without its cache (new or changed files)
give that spare core work for the entities step, in one forked child:

* **A few new dumps** (the daily case): their article texts and headlines
  that the entity cache lacks are extracted. The child loads the model and
  extracts them into the cache.
* **More** (a cold build, a big batch): extracting on one core would be
  slower than the entities step's parallel extraction on all cores. The
  child makes the articles' texts for the model (:func:`.entities.article_texts`:
  title and paragraphs out of each article's HTML, a second of work at 5,000
  dumps) and stores them in the cache, where the step finds them.

The entities step waits for the child, then finds its work in the cache.
Nothing else changes: the entities step decides everything as before, and
does itself whatever the child did not (it failed, or merging changed an
article). The child writes only to the entity cache; this process does not
use the cache while the child runs (for the extraction, it opens it before
the fork to find what the cache lacks, and closes it).
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import time

from .entities import (
    EntityCache,
    Stats,
    article_texts,
    extract_each,
    model_articles,
    step_texts,
)
from .metadata import KIND_ARTICLE
from .settings import cache_folder, from_pelican

logger = logging.getLogger(__name__)

#: At most this many characters go to the child: with the model's load, about
#: as long on one core as merging (on another) and then extracting on two.
MAX_CHARS = 300_000
#: No child for the article texts of fewer articles: forking costs more.
MIN_ARTICLES = 200
#: Seconds the build waits for the child (its work takes a few): past them
#: it is stopped, and the entities step extracts what it did not.
TIMEOUT = 300


class Prefetch:
    """A child process extracting texts (or making article texts: ``work``)
    into the entity cache."""

    def __init__(self, process, texts: int, work: str = "extraction"):
        self.process = process
        self.texts = texts
        self.work = work
        self.started = time.perf_counter()

    def stop(self) -> None:
        """The build failed: the child stops now (SQLite keeps the cache whole)."""
        self.process.kill()
        self.process.join()

    def wait(self) -> None:
        """Until the child is done (its texts are in the cache, unless it
        failed); stopped after :data:`TIMEOUT` seconds (it hangs)."""
        self.process.join(TIMEOUT)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        if self.process.exitcode != 0:
            logger.warning(
                "entities: early %s failed (exit code %s); the entities step "
                "does it", self.work, self.process.exitcode,
            )
        else:
            logger.debug("entities: early %s of %d texts done in %.1f s",
                         self.work, self.texts, time.perf_counter() - self.started)


def start(generator, fresh: set[str]) -> Prefetch | None:
    """Work of the entities step on the dumps in ``fresh`` (source paths), in
    a forked child: the extraction of their texts that the entity cache
    lacks, or, for more than twice :data:`MAX_CHARS` of article HTML and at
    least :data:`MIN_ARTICLES` articles, the making of their article texts.
    None if there is nothing to do, no cache to hand the work over or no
    fork."""
    options = from_pelican(generator.settings).entities
    if (not fresh or not options.enabled or not options.cache
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    dumps = [
        a for a in [*generator.articles, *generator.hidden_articles]
        if getattr(a, "digest_kind", None) is not None and a.source_path in fresh
    ]
    articles = [a for a in dumps if a.digest_kind == KIND_ARTICLE]
    folder = cache_folder(generator.settings)
    if sum(len(a._content or "") for a in articles) > 2 * MAX_CHARS:  # HTML: surely too many
        articles = model_articles(articles, options)
        if len(articles) < MIN_ARTICLES:
            return None
        # (the cache holds some already: those are not made again)
        return _fork(article_texts, (articles,), folder, len(articles), "article texts")
    headlines = list(dict.fromkeys(h for a in dumps for h in a.headlines))
    cache = EntityCache(folder)
    try:
        # the entities step's own texts (their article texts cached for it)
        _, pairs = step_texts(articles, headlines, options, cache)
        texts = [t for t in dict.fromkeys(m for _, m in pairs if m is not None) if t.strip()]
        keys = {text: cache.key(text) for text in texts}
        known = cache.known(list(keys.values()))
        missing = [text for text in texts if keys[text] not in known]
    finally:
        cache.close()  # not shared with the child
    if not missing or sum(map(len, missing)) > MAX_CHARS:
        return None  # (the article texts are in the cache now)
    work = (missing, dataclasses.replace(options, workers=1))
    return _fork(_extract, work, folder, len(missing), "extraction")


def _fork(target, args: tuple, folder: str, texts: int, work: str) -> Prefetch:
    """``target(*args, cache)`` in a forked child (:func:`_child`), ``cache``
    the entity cache in ``folder``."""
    process = multiprocessing.get_context("fork").Process(
        target=_child, args=(target, args, folder), name=f"newsdigest-{work.replace(' ', '-')}",
    )
    process.start()
    return Prefetch(process, texts, work)


def _child(target, args: tuple, folder: str) -> None:
    """A child's life: it says nothing (the entities step reports a model
    that cannot load, and the parent's log handlers may have been busy, their
    locks held, at the fork); its collector leaves the parent's objects alone
    (they stay shared); it opens the entity cache in ``folder`` for
    ``target`` and closes it when done."""
    logging.disable(logging.CRITICAL)
    gc.freeze()
    cache = EntityCache(folder)
    try:
        target(*args, cache)
    finally:
        cache.close()


def _extract(texts: list[str], options, cache: EntityCache) -> None:
    """The model's mentions of ``texts``, into the cache."""
    for _ in extract_each(texts, options, cache, None, Stats()):
        pass
