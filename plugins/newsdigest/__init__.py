"""newsdigest: turn raw news-page text dumps into a Pelican news digest.

``register()`` connects the pieces to Pelican's signals and does nothing else.
"""

from __future__ import annotations

from pelican import signals

from .corpus import build_corpus
from .reader import DumpReader
from .templating import add_filters


def add_reader(readers) -> None:
    readers.reader_classes["txt"] = DumpReader


def collect_corpus(generator) -> None:
    generator.context["digest"] = build_corpus(generator)


def register() -> None:
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(add_filters)
    signals.article_generator_pretaxonomy.connect(collect_corpus)
