"""Corpus-wide steps, run once after every dump has been read.

Runs on ``article_generator_pretaxonomy``, before tags, categories and
archives exist and before anything is written:

* dumps that are not articles (headline-only captures, rejected input) are
  taken out of the generator, so no page is written for them;
* every capture (article or not) is kept in a :class:`Corpus`, published to
  the templates as ``digest`` (``digest.captures``: file, kind, source,
  date, headlines, article), for the roundup and the build report;
* slugs are made unique across the site, deterministically (by file name):
  the first keeps its slug, the next get ``-2``, ``-3``…
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .dump import fold

logger = logging.getLogger(__name__)


@dataclass
class Capture:
    """One input dump and what became of it."""

    file: str
    kind: str  # "article" | "headlines" | "rejected"
    source: str
    date: object  # datetime
    headlines: list[str]
    truncated: bool
    reason: str = ""
    article: object = None  # the Pelican article, for kind "article"


@dataclass
class Corpus:
    captures: list[Capture] = field(default_factory=list)
    #: headline text (as in ``Capture.headlines``) -> its named entities,
    #: filled by the entities step
    headline_entities: dict[str, list] = field(default_factory=dict)

    @property
    def articles(self) -> list[Capture]:
        return [c for c in self.captures if c.kind == "article"]

    @property
    def headline_only(self) -> list[Capture]:
        return [c for c in self.captures if c.kind == "headlines"]

    @property
    def rejected(self) -> list[Capture]:
        return [c for c in self.captures if c.kind == "rejected"]

    @property
    def listed(self) -> list[Capture]:
        """Captures that carry a headline list, in file order."""
        return [c for c in self.captures if c.headlines]

    def roundup(self) -> list[RoundupRow]:
        """One row per distinct headline across all captures.

        Headlines are compared by :func:`headline_key`. Rows are ordered by
        how many captures showed them, then by their best (lowest) position.
        """
        rows: dict[str, RoundupRow] = {}
        for capture in self.captures:
            for position, text in enumerate(capture.headlines, start=1):
                key = headline_key(text)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = RoundupRow(text=text, key=key, best_position=position)
                if capture.file not in row.files:
                    row.files.append(capture.file)
                row.best_position = min(row.best_position, position)
        return sorted(rows.values(), key=lambda r: (-r.count, r.best_position, r.key))


@dataclass
class RoundupRow:
    text: str  # as first seen
    key: str
    best_position: int
    files: list[str] = field(default_factory=list)  # captures that showed it

    @property
    def count(self) -> int:
        return len(self.files)


_HEADLINE_NOISE = re.compile(r"[\s\u00a0\u202f\u2009]+")


def headline_key(text: str) -> str:
    """Headlines compare equal after folding quotes, dashes, spaces, case and
    trailing punctuation."""
    text = fold(text)
    text = re.sub(r"[‐-―−-]", "-", text)
    text = _HEADLINE_NOISE.sub(" ", text)
    return text.rstrip(" .,;:!?…").strip()


def build_corpus(generator) -> Corpus:
    """Sort the generator's articles into a corpus; drop the non-articles."""
    corpus = Corpus()
    kept_hidden = []
    for article in sorted(
        generator.articles + generator.hidden_articles, key=lambda a: a.source_path
    ):
        kind = getattr(article, "digest_kind", None)
        if kind is None:  # not one of ours (a Markdown article, say)
            continue
        corpus.captures.append(
            Capture(
                file=article.digest_file,
                kind=kind,
                source=article.source,
                date=article.date,
                headlines=list(article.headlines),
                truncated=article.truncated,
                reason=article.digest_reason,
                article=article if kind == "article" else None,
            )
        )
    for article in generator.hidden_articles:
        if getattr(article, "digest_kind", "article") == "article":
            kept_hidden.append(article)
    generator.hidden_articles = kept_hidden
    unique_slugs(generator.articles + generator.hidden_articles)
    return corpus


def unique_slugs(articles) -> None:
    """Give every article a distinct slug; the order of source paths decides."""
    by_slug = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.source_path):
        by_slug[article.slug].append(article)
    taken = set(by_slug)
    for slug, group in by_slug.items():
        for number, article in enumerate(group[1:], start=2):
            candidate = f"{slug}-{number}"
            while candidate in taken:
                number += 1
                candidate = f"{slug}-{number}"
            taken.add(candidate)
            logger.info(
                "%s: slug '%s' is taken by %s; using '%s'",
                getattr(article, "digest_file", article.source_path),
                slug,
                getattr(group[0], "digest_file", group[0].source_path),
                candidate,
            )
            article.slug = candidate
