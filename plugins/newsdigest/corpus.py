"""Corpus-wide steps, run once after every dump has been read.

On ``article_generator_pretaxonomy`` (before tags, categories and archives
exist, before anything is written), in this order:

1. :func:`build_corpus`: every dump becomes a :class:`Capture`; dumps that
   are not articles (headline-only captures, rejected input) are taken out of
   the generator, so no page is written for them.
2. :func:`merge_captures`: captures of one story (near-duplicate bodies, see
   :mod:`.snapshots`) become one article: the fullest body, the earliest
   date, every capture's headline list; the others are taken out.
3. :func:`unique_slugs`: no two articles share a slug (so no output path is
   written twice); the file name order decides who keeps it.
4. (the entities step tags the articles and the headlines)
5. :func:`link_headlines`: the roundup (one row per distinct headline across
   every capture), each row linked to the article it names when the match is
   confident (:mod:`.matching`); an article whose title was inferred from its
   lead takes the headline that names it.

The :class:`Corpus` is published to the templates as ``digest``; the build
report (:mod:`.report`) is made from it.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape, unescape
from typing import ClassVar

from . import cachefile, matching, snapshots
from .dump import fold
from .settings import DEFAULTS, cache_folder, setting

logger = logging.getLogger(__name__)

ARTICLE = "article"
MERGED = "merged"
HEADLINES = "headlines"
REJECTED = "rejected"


@dataclass(eq=False)
class Capture:
    """One input dump and what became of it."""

    file: str
    kind: str  # "article" | "headlines" | "rejected" (what the reader found)
    source: str
    date: object  # datetime
    headlines: list[str]
    truncated: bool
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    article: object = None  # the Pelican article it was read into, if any
    #: what became of it: "article", "merged" (into ``merged_into``),
    #: "headlines" or "rejected"
    status: str = ""
    merged_into: Capture | None = None

    @property
    def final_article(self):
        """The article page that shows this capture, if any."""
        return (self.merged_into or self).article if self.status in (ARTICLE, MERGED) else None


@dataclass(eq=False)
class RoundupRow:
    """One distinct headline across all captures."""

    text: str  # as first seen
    key: str
    best_position: int
    #: (capture, position) for every capture that showed it
    seen: list[tuple[Capture, int]] = field(default_factory=list)
    article: object = None  # the article it names, when the match is confident
    score: float = 0.0
    entities: list = field(default_factory=list)

    #: (len(seen), count) when last counted
    _count: tuple[int, int] = field(default=(-1, 0), init=False, repr=False)

    @property
    def count(self) -> int:
        """How many captures showed it (asked for by every sort, page and report)."""
        if self._count[0] != len(self.seen):
            self._count = (len(self.seen), len({id(capture) for capture, _ in self.seen}))
        return self._count[1]


@dataclass(eq=False)
class Corpus:
    captures: list[Capture] = field(default_factory=list)
    #: headline text (as in ``Capture.headlines``) -> its named entities,
    #: filled by the entities step
    headline_entities: dict[str, list] = field(default_factory=dict)
    rows: list[RoundupRow] | None = None
    _by_text: dict[str, RoundupRow] | None = None

    def _with(self, status: str) -> list[Capture]:
        return [c for c in self.captures if c.status == status]

    @property
    def articles(self) -> list[Capture]:
        return self._with(ARTICLE)

    @property
    def merged(self) -> list[Capture]:
        return self._with(MERGED)

    @property
    def headline_only(self) -> list[Capture]:
        return self._with(HEADLINES)

    @property
    def rejected(self) -> list[Capture]:
        return self._with(REJECTED)

    @property
    def listed(self) -> list[Capture]:
        """Captures that carry a headline list, in file order."""
        return [c for c in self.captures if c.headlines]

    def roundup(self) -> list[RoundupRow]:
        """One row per distinct headline, most shown first."""
        if self.rows is None:
            self.rows = collect_rows(self.captures)
        return self.rows

    def rows_by_text(self) -> dict[str, RoundupRow]:
        """Headline text as any capture shows it -> its roundup row (for the
        per-capture lists and the tag pages); built once per build."""
        if self._by_text is None:
            self._by_text = {}
            for row in self.roundup():
                for capture, position in row.seen:
                    self._by_text.setdefault(capture.headlines[position - 1], row)
                self._by_text.setdefault(row.text, row)
        return self._by_text


# --- 1. captures ----------------------------------------------------------------------


def build_corpus(generator) -> Corpus:
    """Sort the generator's articles into a corpus; drop the non-articles."""
    corpus = Corpus()
    ours = [
        a for a in generator.articles + generator.hidden_articles
        if getattr(a, "digest_kind", None) is not None  # not a Markdown article
    ]
    for article in sorted(ours, key=lambda a: a.source_path):
        kind = article.digest_kind
        corpus.captures.append(
            Capture(
                file=article.digest_file,
                kind=kind,
                source=article.source,
                date=article.date,
                headlines=list(article.headlines),
                truncated=article.truncated,
                reason=article.digest_reason,
                # shared with the article: unique_slugs adds its renames
                warnings=_warnings(article),
                article=article if kind == ARTICLE else None,
                status=kind,
            )
        )
    generator.hidden_articles = [
        a for a in generator.hidden_articles if getattr(a, "digest_kind", ARTICLE) == ARTICLE
    ]
    return corpus


def _warnings(article) -> list[str]:
    """A fresh copy of the reader's warnings, shared by the capture and the
    article (the reader's own list is not changed)."""
    notes = list(getattr(article, "digest_warnings", None) or ())
    article.digest_warnings = notes
    return notes


# --- 2. one story, one article ----------------------------------------------------------


def merge_captures(corpus: Corpus, generator) -> None:
    """Merge captures of one story into one article (see :mod:`.snapshots`),
    with the last build's verdicts (:class:`MergeCache`) when kept."""
    with_body = [c for c in corpus.captures if c.article is not None]
    by_file = {c.file: c for c in with_body}
    bodies = [snapshots.Body(c.file, tuple(c.article.digest_paragraphs)) for c in with_body]
    cache = MergeCache.open(generator.settings)
    verdicts = cache.load() if cache else None
    groups = snapshots.group(bodies, verdicts)
    if cache:
        cache.save(verdicts)
        logger.debug("merge: %d pairs checked, the others known from %s",
                     verdicts.verified, cache.path)
    dropped = set()
    for keys in groups:
        group = [by_file[key] for key in keys]
        if len(group) > 1:
            keeper = _merge(group)
            dropped.update(id(c.article) for c in group if c is not keeper)
        for capture in group:
            capture.article.captures = list(group)
    for name in ("articles", "hidden_articles"):
        kept = [a for a in getattr(generator, name) if id(a) not in dropped]
        setattr(generator, name, kept)


class MergeCache:
    """The last grouping's :class:`.snapshots.Verdicts`, on disk
    (``merge.sqlite3`` in the cache folder; ``DIGEST_MERGE_CACHE``): which
    bodies it grouped, with their leads' signatures, and which pairs of them
    it found the same story. A change of :mod:`.snapshots` (its rules) makes
    them stale: not read."""

    FILE = "merge.sqlite3"
    TABLES: ClassVar[dict[str, str]] = {
        "meta": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
        "done": "digest TEXT PRIMARY KEY, lead BLOB",
        "same": "a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b)",
    }

    def __init__(self, folder: str):
        self.path = os.path.join(folder, self.FILE)
        # its rules, and the Unicode tables its words are found and folded with
        self.version = f"{cachefile.source_hash('snapshots.py')} {unicodedata.unidata_version}"
        self._db = cachefile.open_or_replace(self.path, self.TABLES, "merge")

    @classmethod
    def open(cls, settings: dict) -> MergeCache | None:
        """The cache of this build's settings, None when switched off or
        unusable (the grouping then checks every pair)."""
        if not setting(settings, "DIGEST_MERGE_CACHE"):
            return None
        folder = cache_folder(settings)
        try:
            return cls(folder)
        except (OSError, sqlite3.Error) as error:
            logger.warning("merge: no cache in %s (%s); every pair is checked", folder, error)
            return None

    def load(self) -> snapshots.Verdicts:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None or row[0] != self.version:
                return snapshots.Verdicts()
            leads = dict(self._db.execute("SELECT digest, lead FROM done"))
            return snapshots.Verdicts(leads, self._db.execute("SELECT a, b FROM same"))
        except sqlite3.Error as error:
            logger.warning("merge: %s: %s; every pair is checked", self.path, error)
            return snapshots.Verdicts()

    def save(self, verdicts: snapshots.Verdicts) -> None:
        """Replace the kept verdicts with ``verdicts``, then close."""
        try:
            with self._db:
                for table in ("done", "same"):  # made anew: an older version's columns go
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
                    self._db.execute(f"CREATE TABLE {table} ({self.TABLES[table]})")
                self._db.executemany("INSERT INTO done VALUES (?, ?)", verdicts.leads.items())
                self._db.executemany("INSERT INTO same VALUES (?, ?)", verdicts.same)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)",
                                 (self.version,))
        except sqlite3.Error as error:
            logger.warning("merge: %s: %s; not kept", self.path, error)
        finally:
            self._db.close()


def _merge(group: list[Capture]) -> Capture:
    """The fullest body is kept; it takes the earliest date and a header title."""
    keeper = max(group, key=lambda c: (c.article.words, -group.index(c)))
    article = keeper.article
    earliest = min(c.article.date for c in group)
    if earliest != article.date:
        article.date = earliest
        article.locale_date = earliest.strftime(article.date_format)
    titled = [c for c in group if c.article.title_source == "header"]
    if titled and article.title_source != "header":
        article.title, article.title_source = titled[0].article.title, "header"
    for capture in group:
        if capture is not keeper:
            capture.status, capture.merged_into = MERGED, keeper
    logger.info(
        "%s: merged %d captures of one story: %s",
        keeper.file, len(group), ", ".join(c.file for c in group if c is not keeper),
    )
    return keeper


# --- 3. unique slugs -----------------------------------------------------------------


#: Slugs an article must not have: ``2025/02/index.html`` is the month page.
RESERVED_SLUGS = frozenset({"index"})


#: Renamed slugs named in the console line; every rename is in the build report.
SLUG_EXAMPLES = 3


def unique_slugs(articles) -> list[tuple[str, str]]:
    """Give every article a distinct slug; the order of source paths decides.

    Each rename is added to the article's ``digest_warnings`` (so the build
    report lists it under its file); the console gets one line: the rename
    itself when there is one, else a summary with a few examples. Returns the
    renames as ``(file, message)``.
    """
    by_slug = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.source_path):
        by_slug[article.slug].append(article)
    taken = set(by_slug) | RESERVED_SLUGS
    renames: list[tuple[str, str]] = []
    examples: list[str] = []  # the first rename of a few slugs
    for slug, group in by_slug.items():
        renamed = group if slug in RESERVED_SLUGS else group[1:]
        for number, article in enumerate(renamed, start=2):
            candidate = f"{slug}-{number}"
            while candidate in taken:
                number += 1
                candidate = f"{slug}-{number}"
            taken.add(candidate)
            owner = ("a page of the site" if slug in RESERVED_SLUGS
                     else getattr(group[0], "digest_file", group[0].source_path))
            message = f"slug '{slug}' is taken by {owner}; using '{candidate}'"
            notes = getattr(article, "digest_warnings", None)
            if isinstance(notes, list):
                notes.append(message)
            name = getattr(article, "digest_file", article.source_path)
            renames.append((name, message))
            if article is renamed[0] and len(examples) < SLUG_EXAMPLES:
                examples.append(f"{name} -> '{candidate}'")
            article.slug = candidate
    if len(renames) == 1:
        logger.warning("%s: %s", *renames[0])
    elif renames:
        logger.warning(
            "%d articles were renamed: an earlier dump (or a page of the site) has their slug, "
            "e.g. %s; each rename is listed under its file in %s",
            len(renames), ", ".join(examples), _report_path(by_slug),
        )
    return renames


def _report_path(by_slug) -> str:
    group = next(iter(by_slug.values()))
    pelican_settings = getattr(group[0], "settings", None) or {}
    return str(pelican_settings.get("DIGEST_REPORT", DEFAULTS["DIGEST_REPORT"]))


def fix_urls(articles) -> None:
    """Each digest article keeps its URL for the rest of the build.

    Pelican formats ``ARTICLE_URL`` again at every ``article.url`` (the
    templates, the feeds, sharing, the build report ask thousands of times);
    once slugs, dates and sources are final (after :func:`unique_slugs` and
    merging) the value cannot change, so it is stored as Pelican's
    ``override_url``. Computed afresh every build (a value left on a cached
    article is dropped first), except where the user set it
    (``EXTRA_PATH_METADATA``); articles not read from dumps are left alone.
    (Not ``override_save_as``: Pelican would let such an article overwrite
    another page of the build.)
    """
    for article in articles:
        if getattr(article, "digest_kind", None) is None or "url" in article.metadata:
            continue  # not ours, or the user's own URL (``EXTRA_PATH_METADATA``)
        vars(article).pop("override_url", None)
        article.override_url = article.url


# --- 5. the roundup, linked ------------------------------------------------------------

_DASHES = re.compile(r"[‐‑‒–—―−-]")
_SPACES = re.compile(r"\s+")


def headline_key(text: str) -> str:
    """Headlines compare equal after folding quotes, dashes, spaces, case and
    trailing punctuation."""
    text = _DASHES.sub("-", fold(text))
    return _SPACES.sub(" ", text).rstrip(" .,;:!?…").strip()


def collect_rows(captures: list[Capture]) -> list[RoundupRow]:
    """One row per distinct headline; most captures first, then best position."""
    rows: dict[str, RoundupRow] = {}
    keys: dict[str, str] = {}  # text -> key: most headlines are in many captures
    for capture in captures:
        for position, text in enumerate(capture.headlines, start=1):
            key = keys.get(text)
            if key is None:
                key = keys[text] = headline_key(text)
            row = rows.get(key)
            if row is None:
                row = rows[key] = RoundupRow(text=text, key=key, best_position=position)
            row.seen.append((capture, position))
            row.best_position = min(row.best_position, position)
    return sorted(rows.values(), key=lambda r: (-r.count, r.best_position, r.key))


def link_headlines(corpus: Corpus, typogrify=None) -> None:
    """Link roundup rows to the articles they name; resolve inferred titles.

    ``typogrify``: the HTML filter Pelican applies to titles, if any.
    """
    rows = corpus.roundup()
    articles = [c.article for c in corpus.articles]
    memo: dict[str, str] = {}  # word -> stem, for this build
    candidates = [
        matching.candidate(
            str(index), plain_text(article.title), " ".join(article.digest_paragraphs[:1]),
            [e.name for e in getattr(article, "entities", [])], memo,
        )
        for index, article in enumerate(articles)
    ]
    matcher = matching.Matcher(candidates, memo)
    best_row: dict[int, RoundupRow] = {}
    for row in rows:
        row.entities = list(corpus.headline_entities.get(row.text, []))
        found = matcher.best(row.text, [e.name for e in row.entities])
        if found is None:
            continue
        index = int(found[0])
        row.article, row.score = articles[index], found[1]
        current = best_row.get(index)
        if current is None or (row.score, row.count) > (current.score, current.count):
            best_row[index] = row
    for index, row in best_row.items():
        article = articles[index]
        if article.title_source == "lead":
            title = escape(row.text)
            article.inferred_title = article.title
            article.title = typogrify(title) if typogrify else title
            article.title_source = "headline"
            logger.info("%s: title from a headline list: %s", article.digest_file, row.text)


def plain_text(html_text: str) -> str:
    """The text of an HTML title, tags dropped and entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html_text))
