"""newsdigest: turn raw news-page text dumps into a Pelican news digest.

``register()`` connects the pieces to Pelican's signals and does nothing else.
"""

from __future__ import annotations

import logging
import os

from pelican import signals
from pelican.log import console

from . import entities, files, preview, report, search, sharing
from . import writer as writer_module
from .corpus import build_corpus, link_headlines, merge_captures, unique_slugs
from .reader import DumpReader, display_path
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


def collect_corpus(generator) -> None:
    """After every dump is read: the corpus-wide steps, in order."""
    corpus = build_corpus(generator)
    merge_captures(corpus, generator)
    unique_slugs(generator.articles + generator.hidden_articles)
    entities.tag_corpus(generator, corpus)
    link_headlines(corpus, typogrify=_title_filter(generator.settings))
    generator.context["digest"] = corpus


def articles_written(generator, writer=None) -> None:
    """When the article generator has written (deferred) its pages: write
    them, then the build report and the roundup JSON."""
    writer_module.flush(writer)
    write_reports(generator)


def write_reports(generator) -> None:
    """The build report and the roundup JSON."""
    corpus = generator.context.get("digest")
    if corpus is None:
        return
    options = from_pelican(generator.settings)
    siteurl = generator.settings.get("SITEURL", "")
    report.write_json(
        os.path.join(generator.output_path, options.roundup_json),
        report.roundup_json(corpus, siteurl),
    )
    report.write_json(options.report, report.build_report(corpus, siteurl))
    console.print(report.summary(corpus), markup=False, highlight=False)


def _title_filter(settings):
    """Pelican's typogrify as it runs on titles, or None when it is off."""
    if not settings.get("TYPOGRIFY"):
        return None
    from typogrify.filters import typogrify

    omit = dict.fromkeys(settings.get("TYPOGRIFY_OMIT_FILTERS", []), False)
    ignore = settings.get("TYPOGRIFY_IGNORE_TAGS", [])
    return lambda html: typogrify(html, ignore, **omit)


def register() -> None:
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(skip_looping_links)
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
