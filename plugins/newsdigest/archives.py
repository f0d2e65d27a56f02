"""Pelican's archive lists (tags, sources, authors, periods) without its
quadratic scans.

Pelican orders each tag's, category's and author's articles by date with
``[a for a in self.dates if a in articles]``, and gives each period archive
its articles with ``[a for a in articles if a in dates]``: a list scan per
article, so the cost grows with the number of articles times the size of
every list (at 5,000 articles, about a second of every build, and it grows
as the square of the collection). Tags also cost a pass over every article
per tag (with thousands of small entity tags, about 0.1 ms each).

Pelican's articles compare by identity (``Content`` has no ``__eq__``), so
the same lists are built here with look-ups by ``id``; the pages are the
same (tests compare them with Pelican's own).
"""

from __future__ import annotations

import logging
import types

from pelican.writers import FileOverwriteFailedError

logger = logging.getLogger(__name__)


class Members(list):
    """A list of articles whose ``in`` is a look-up (by identity, as ``in``
    is for Pelican's articles), made again when the list changes length."""

    __slots__ = ("_ids", "_size")

    def __init__(self, items=()):
        super().__init__(items)
        self._ids: frozenset[int] = frozenset()
        self._size = -1

    def __contains__(self, item) -> bool:
        if self._size != len(self):
            self._ids = frozenset(map(id, self))
            self._size = len(self)
        return id(item) in self._ids


def fast_period_archives(generator) -> None:
    """``article_generator_init``: the generator's period archives built by
    Pelican's own method, each archive's ``articles`` (its ``dates`` in the
    order of the generator's articles) found by look-up."""
    build = generator._build_period_archives

    def build_fast(sorted_articles, articles, settings):
        archives = build(sorted_articles, [], settings)  # no scan: no articles
        position = {id(article): index for index, article in enumerate(articles)}
        for granularity in archives.values():
            for archive in granularity:
                archive["articles"] = sorted(
                    (a for a in archive["dates"] if id(a) in position),
                    key=lambda a: position[id(a)],
                )
        return archives

    generator._build_period_archives = build_fast


#: Lists of at most this many articles stay plain: scanning them is faster
#: than a look-up called from Python (measured with 4,000 dates: even at 8).
SHORT = 8


def members(items: list) -> list:
    """``items`` as :class:`Members` if long enough to gain by it."""
    return Members(items) if len(items) > SHORT else items


def fast_membership(generator) -> None:
    """``article_generator_finalized``: the categories' and authors' longer
    article lists made :class:`Members`, in the generator and its context
    (tags: :func:`generate_tags`)."""
    generator.categories = [(cat, members(items)) for cat, items in generator.categories]
    generator.authors = [(author, members(items)) for author, items in generator.authors]
    generator.context["categories"] = generator.categories
    generator.context["authors"] = generator.authors


def fast_tag_pages(generator) -> None:
    """``article_generator_init``: the generator writes its tag pages with
    :func:`generate_tags`."""
    generator.generate_tags = types.MethodType(generate_tags, generator)


def generate_tags(self, write) -> None:
    """Pelican 4.12's ``ArticlesGenerator.generate_tags``, the same calls in
    the same order, each tag's ``dates`` (its articles in the order of
    ``self.dates``) found by look-up instead of a pass over every article."""
    tag_template = self.get_template("tag")
    position = {id(article): number for number, article in enumerate(self.dates)}
    for tag, articles in self.tags.items():
        own = {id(a): a for a in articles if id(a) in position}  # once each
        dates = sorted(own.values(), key=lambda a: position[id(a)])
        try:
            write(
                tag.save_as,
                tag_template,
                self.context,
                tag=tag,
                url=tag.url,
                articles=articles,
                dates=dates,
                template_name="tag",
                blog=True,
                page_name=tag.page_name,
                all_articles=self.articles,
            )
        except FileOverwriteFailedError:
            if not tag.slug:
                logger.info(
                    'Tag "%s" has an invalid slug; skipping writing tag page...',
                    tag,
                    extra={"limit_msg": "Further tags with invalid slugs."},
                )
                continue
            logger.error('Failed to write Tag page for "%s".', tag)
            raise
