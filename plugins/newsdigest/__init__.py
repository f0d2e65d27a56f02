"""newsdigest: turn raw news-page text dumps into a Pelican news digest.

``register()`` connects the pieces to Pelican's signals and does nothing else.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import time

from pelican import signals
from pelican.log import console

from . import archives, entities, files, prefetch, preview, report, search, sharing
from . import writer as writer_module
from .corpus import build_corpus, fix_urls, link_headlines, merge_captures, unique_slugs
from .reader import DumpReader, display_path, title_typogrify
from .settings import from_pelican
from .templating import add_filters

logger = logging.getLogger(__name__)


def add_reader(readers) -> None:
    readers.reader_classes["txt"] = DumpReader


def skip_looping_links(generator) -> None:
    """Keep Pelican from walking symbolic links that point back into (or
    above) the dumps folder: a loop would read every dump again and again."""
    excludes = list(generator.settings.get("ARTICLE_EXCLUDES", []))
    for path in generator.settings.get("ARTICLE_PATHS", []):
        root = os.path.join(generator.path, path)
        if not os.path.isdir(root):
            continue
        for link, target in files.redundant_links(root):
            excludes.append(os.path.join(path, link))
            logger.warning(
                "%s: a link to %s, inside or above the dumps folder; not followed",
                display_path(os.path.join(root, link)), target,
            )
    generator.settings = {**generator.settings, "ARTICLE_EXCLUDES": excludes}


def before_reading(generator) -> None:
    """``article_generator_init``: the links not to follow, then the reading
    plan (in this order: blinker calls a signal's receivers in no set order)."""
    skip_looping_links(generator)
    plan_reading(generator)


def plan_reading(generator) -> None:
    """The dumps this build will read, as Pelican will list them (with the
    excludes :func:`skip_looping_links` adds), for the reader to read ahead
    (:mod:`.readahead`)."""
    reader = generator.readers.readers.get("txt")
    if not isinstance(reader, DumpReader):
        return
    names = generator.get_files(
        generator.settings["ARTICLE_PATHS"], exclude=generator.settings["ARTICLE_EXCLUDES"]
    )
    reader.plan([
        os.path.abspath(os.path.join(generator.path, name)) for name in names
        if os.path.splitext(name)[1][1:] in DumpReader.file_extensions
    ])


def start_timing(generator) -> None:
    """``article_generator_init``: the build's clock (one per generator, so
    one per build)."""
    generator.digest_timings = Timings()


def collect_corpus(generator) -> None:
    """After every dump is read: the corpus-wide steps, in order."""
    timings = getattr(generator, "digest_timings", None) or Timings()
    reader = generator.readers.readers.get("txt")
    if isinstance(reader, DumpReader):
        reader.flush_cache()
    timings.lap("read")
    # a few new dumps' entities, extracted on a spare core while this one merges
    early = prefetch.start(generator, reader.fresh if isinstance(reader, DumpReader) else set())
    try:
        corpus = build_corpus(generator)
        timings.lap("corpus")
        merge_captures(corpus, generator)
        timings.lap("merge")
        unique_slugs(generator.articles + generator.hidden_articles)
        fix_urls(generator.articles + generator.hidden_articles)
        timings.lap("slugs")
    except BaseException:
        if early is not None:
            early.stop()  # no child left writing the cache
        raise
    if early is not None:
        early.wait()
    entities.tag_corpus(generator, corpus)
    timings.lap("entities")
    link_headlines(corpus, typogrify=title_typogrify(generator.settings))
    timings.lap("links")
    generator.context["digest"] = corpus


def articles_written(generator, writer=None) -> None:
    """When the article generator has written (deferred) its pages: write
    them, then the build report and the roundup JSON."""
    timings = getattr(generator, "digest_timings", None) or Timings()
    # Pelican's own steps (tags, dates, pages…) until it made the writer
    timings.lap("other", until=getattr(writer, "created", None))
    writer_module.flush(writer)
    timings.lap("write")  # feeds and pages
    write_reports(generator, timings)


def write_reports(generator, timings: Timings | None = None) -> None:
    """The build report (with where the time went) and the roundup JSON."""
    corpus = generator.context.get("digest")
    if corpus is None:
        return
    options = from_pelican(generator.settings)
    siteurl = generator.settings.get("SITEURL", "")
    report.write_json(
        os.path.join(generator.output_path, options.roundup_json),
        report.roundup_json(corpus, siteurl),
    )
    built = report.build_report(corpus, siteurl)
    if timings is not None:
        timings.lap("roundup")
        built["timings"] = timings.seconds
        logger.info("timings (s): %s", ", ".join(f"{k} {v}" for k, v in timings.seconds.items()))
    report.write_json(options.report, built)
    console.print(report.summary(corpus), markup=False, highlight=False)


class Timings:
    """Wall time of the build's steps, in seconds, in the build report."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str, until: float | None = None) -> None:
        now = time.perf_counter() if until is None else until
        self.seconds[step] = round(self.seconds.get(step, 0.0) + now - self._last, 3)
        self._last = now


def register() -> None:
    # At exit, Python's last garbage collections walk every object the build
    # made (at 5,000 dumps: 0.7 s after the build is done) to free memory the
    # system takes back anyway. Frozen, they are out of the collector's
    # reach; objects are still freed as their references go. (Once per
    # process however many builds: ``pelican --autoreload`` builds again.)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(before_reading)
    signals.article_generator_init.connect(start_timing)
    signals.article_generator_init.connect(archives.fast_period_archives)
    signals.article_generator_init.connect(archives.fast_tag_pages)
    signals.article_generator_finalized.connect(archives.fast_membership)
    signals.generator_init.connect(add_filters)
    signals.article_generator_pretaxonomy.connect(collect_corpus)
    signals.get_writer.connect(writer_module.writer_class)
    signals.article_writer_finalized.connect(articles_written)
    signals.initialized.connect(preview.install)
    signals.generator_init.connect(sharing.add_filters)
    signals.get_generators.connect(search.start_build)
    signals.content_written.connect(search.page_written)
    signals.finalized.connect(search.build_index)
    signals.finalized.connect(sharing.write_robots)
