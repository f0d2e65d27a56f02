"""Pelican's archive lists (tags, sources, authors, periods) without its
quadratic scans.

Pelican orders each tag's, category's and author's articles by date with
``[a for a in self.dates if a in articles]``, and gives each period archive
its articles with ``[a for a in articles if a in dates]``: a list scan per
article, so the cost grows with the number of articles times the size of
every list (at 5,000 articles, about a second of every build, and it grows
as the square of the collection).

Pelican's articles compare by identity (``Content`` has no ``__eq__``), so
the same lists are built here with look-ups by ``id``; the pages are the
same (a test compares them with Pelican's own).
"""

from __future__ import annotations


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
    """``article_generator_finalized``: the tags', categories' and authors'
    longer article lists made :class:`Members`, in the generator and its
    context."""
    for tag in list(generator.tags):
        generator.tags[tag] = members(generator.tags[tag])
    generator.categories = [(cat, members(items)) for cat, items in generator.categories]
    generator.authors = [(author, members(items)) for author, items in generator.authors]
    generator.context["tags"] = list(generator.tags.items())
    generator.context["categories"] = generator.categories
    generator.context["authors"] = generator.authors
