"""Named entities -> tags: people, places and organisations in dictionary form.

Runs once per build from the corpus step (``article_generator_pretaxonomy``),
after every dump is read and before Pelican builds its tag lists:

1. **texts**: every article's title and body (caption included, photo credit
   left out) and every distinct roundup headline of every capture; an
   article's text is cached (table ``texts``), keyed by its title, its HTML
   and the code that makes it (:data:`RULES_CODE`);
2. **extraction** (:class:`NatashaExtractor` of :mod:`.entity_model`, the
   ``natasha`` models shipped inside its packages, offline): entity mentions
   with their kind and the model's dictionary form. Results are cached on
   disk (:class:`EntityCache`, table ``mentions``), keyed by a hash of the
   text and :func:`extractor_id` (the model packages' versions and a hash of
   :mod:`.entity_model`'s source); a rebuild never runs the model on a text
   it has seen. The model is loaded once, in this process; when there is enough
   text, worker processes forked from it (sharing its memory) extract too;
3. **resolution** (pure, from the mentions): aliases, joins of adjacent
   mentions (``МИД`` + ``России``), stop-entities, common nouns and dates
   out, a bare surname joined to the full name mentioned in the same text.
   Cached per text (table ``resolved``), keyed by the text, the extractor
   and :func:`rules_digest` (the settings' rules and a hash of this module's
   and :mod:`.settings`' source): changing a rule resolves again
   from the cached mentions, never runs the model. Then, every build, across
   the corpus: a bare surname joins the one full name that carries it;
4. **ranking**: an article's entities by salience (mentions, presence in the
   title and lead, first position, how often the rest of the corpus mentions
   them), at most ``DIGEST_ENTITY_LIMIT``;
5. **output**: ``article.tags`` (header tags first, then entity tags, shared
   :class:`pelican.urlwrappers.Tag` objects with a ``kind``),
   ``article.entities``, ``corpus.headline_entities`` and the template
   variable ``digest_entities`` (slug -> :class:`EntityPage`).

Nothing is kept between builds: the model lives in an extractor object made
for one build (and in worker processes that end with it).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import math
import multiprocessing
import os
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from importlib import metadata
from itertools import pairwise
from operator import attrgetter
from typing import ClassVar

from markupsafe import Markup

from . import cachefile
from .entity_model import GROUP_CHARS, Mention, NatashaExtractor, collector_paused
from .entity_model import mention as make_mention
from .metadata import text_lang
from .readcache import KEEP_DAYS
from .settings import EntitySettings, cache_folder, from_pelican, name_key

logger = logging.getLogger(__name__)

#: A key of the entity cache used again is marked again at most this often
#: (marking every key of a site on every build costs about 0.4 s at 5,000
#: dumps); a row is dropped after KEEP_DAYS days without a mark.
MARK_DAYS = 7

PERSON, PLACE, ORGANISATION, TOPIC = "person", "place", "organisation", "topic"
#: The model's labels -> our kinds.
KINDS = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANISATION}
#: Kinds in the order the theme shows them; ``topic`` is a header tag that
#: is no entity.
KIND_ORDER = (PERSON, PLACE, ORGANISATION, TOPIC)
KIND_LABELS = {PERSON: "Люди", PLACE: "Места", ORGANISATION: "Организации", TOPIC: "Темы"}

#: Bump when the extraction output (what the cache stores) changes shape or
#: meaning; the installed model packages' versions are part of the key too.
SCHEMA = 4
MODEL_PACKAGES = ("natasha", "slovnet", "navec", "razdel", "pymorphy2", "pymorphy2-dicts-ru")


#: A hash of :mod:`.entity_model`'s source, read once at import: the
#: extraction is our code (windows, batches, dictionary forms), so editing it
#: makes every cached mention stale (part of :func:`extractor_id`).
MODEL_CODE = cachefile.source_hash("entity_model.py")
#: A hash of this module's and :mod:`.settings`' source, read once at import:
#: what makes an article's text and resolves mentions (part of
#: :func:`rules_digest` and of :meth:`EntityCache.text_key`).
RULES_CODE = cachefile.source_hash("entities.py", "settings.py")


def extractor_id() -> str:
    """What produced a cached result: our schema, the extraction code
    (:data:`MODEL_CODE`) and the model packages."""
    parts = [f"newsdigest-entities/{SCHEMA}", f"code/{MODEL_CODE}"]
    for name in MODEL_PACKAGES:
        try:
            parts.append(f"{name}/{metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}/-")
    return " ".join(parts)


# --- data --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A named entity of one text: what templates see."""

    name: str  # dictionary form: «Сергей Лавров»
    kind: str  # person | place | organisation
    slug: str  # the tag's slug: «sergei-lavrov»
    count: int = 1  # mentions in the text
    #: (start, stop) of each mention in the text it was found in (for a
    #: headline: offsets in the headline exactly as in ``capture.headlines``)
    spans: tuple[tuple[int, int], ...] = ()
    score: float = 0.0  # salience (articles only)
    url: str = ""  # the tag page, relative to SITEURL (Pelican's TAG_URL)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


@dataclass
class EntityPage:
    """Everything the site knows about one entity (template ``digest_entities``)."""

    tag: object  # the pelican Tag (``.name``, ``.slug``, ``.url``, ``.kind``)
    articles: list = field(default_factory=list)  # articles tagged with it
    headlines: list[str] = field(default_factory=list)  # headline texts naming it

    @property
    def name(self) -> str:
        return self.tag.name

    @property
    def slug(self) -> str:
        return self.tag.slug

    @property
    def kind(self) -> str:
        return self.tag.kind


@dataclass
class Stats:
    """What one run of the step did (logged; returned for tests and benches)."""

    texts: int = 0  # distinct texts looked at
    hits: int = 0  # found in the cache
    extracted: int = 0  # run through the model
    workers: int = 0  # processes used for extraction (0: none needed)
    seconds: float = 0.0  # extraction time (model load included)
    resolved: int = 0  # texts whose resolution came from the cache
    failed: bool = False  # the model could not be loaded


# --- text ----------------------------------------------------------------------------

_SPACE_LIKE = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})


def model_text(text: str) -> str:
    """The text the model reads: odd spaces made plain, same length (offsets
    stay valid in the original)."""
    return text.translate(_SPACE_LIKE)


class _TextBlocks(HTMLParser):
    """Block texts of article HTML; photo credits and scripts left out."""

    BLOCKS = frozenset("p div li h1 h2 h3 h4 h5 h6 figcaption blockquote td br tr".split())
    SKIP = frozenset(("script", "style"))

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._parts: list[str] = []
        self._skip: list[str] = []  # open tags whose text is skipped

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._skip or tag in self.SKIP or "credit" in classes:
            self._skip.append(tag)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if self._skip:
            if self._skip[-1] == tag:
                self._skip.pop()
            return
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._parts.append(data)

    def _flush(self):
        text = " ".join("".join(self._parts).split())
        if text:
            self.blocks.append(text)
        self._parts = []

    def close(self):
        super().close()
        self._flush()


def html_blocks(html: str) -> list[str]:
    """``<p>`` and caption texts of an article's HTML, in order."""
    parser = _TextBlocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def html_text(html: str) -> str:
    return " ".join(html_blocks(html)) if "<" in (html or "") else unescape(html or "").strip()


@dataclass(frozen=True)
class ArticleText:
    """An article's text for the model, with the regions salience needs."""

    text: str
    title: tuple[int, int]  # (start, stop) of the title
    lead: tuple[int, int]  # (start, stop) of the lead (first body block)


_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def article_text(title: str, blocks: Sequence[str], title_in_lead: bool = False) -> ArticleText:
    """Title and body blocks as one text, paragraphs apart.

    ``title_in_lead``: the title was made from the lead (the reader's
    inferred title); it is not read twice (its capital letter would make a
    name of ``Городской совет``), and the lead's first sentence counts as
    the title.
    """
    parts, regions, offset = [], [], 0
    for part in ["" if title_in_lead else title, *blocks]:
        part = part.strip()
        if not part:
            regions.append((offset, offset))
            continue
        regions.append((offset, offset + len(part)))
        if part[-1] not in ".!?…»\"":
            part += "."  # so that the title is a sentence of its own
        parts.append(part)
        offset += len(part) + 2
    lead = regions[1] if len(regions) > 1 else (0, 0)
    text = "\n\n".join(parts)
    title_region = regions[0]
    if title_in_lead and lead[1] > lead[0]:
        end = _SENTENCE_END.search(text, lead[0], lead[1])
        title_region = (lead[0], end.end() if end else lead[1])
    return ArticleText(text, title_region, lead)



def article_texts(articles: Sequence, cache: EntityCache | None = None) -> dict[int, ArticleText]:
    """``id(article)`` -> its :func:`article_text` (title, body blocks of
    its HTML), from the cache when the same title and HTML were read before
    (parsing the HTML of every article every build is slow)."""
    sources = {
        id(a): (getattr(a, "title", ""), getattr(a, "_content", "") or "",
                getattr(a, "title_source", "") == "lead")
        for a in articles
    }
    keys = {key: cache.text_key(*source) for key, source in sources.items()} if cache else {}
    known = cache.get_texts(list(set(keys.values()))) if cache else {}
    docs, new = {}, {}
    for key, (title, html, title_in_lead) in sources.items():
        doc = known.get(keys.get(key))
        if doc is None:
            doc = article_text(html_text(title), html_blocks(html), title_in_lead=title_in_lead)
            if cache:
                new[keys[key]] = doc
        docs[key] = doc
    if new:
        cache.put_texts(new.items())
    return docs


def model_articles(articles: Sequence, options: EntitySettings) -> list:
    """Those of ``articles`` in the model's languages (``DIGEST_ENTITY_LANGS``)."""
    return [a for a in articles if getattr(a, "lang", "ru") in options.langs]


def step_texts(
    articles: Sequence, headlines: Sequence[str], options: EntitySettings,
    cache: EntityCache | None,
) -> tuple[dict[int, ArticleText], list[tuple[str, str | None]]]:
    """What the step reads: each article's :class:`ArticleText` (articles in
    the model's languages, by ``id``), and for every such article and every
    headline (text to resolve, the text the model reads for it, or None: not
    read). The early extraction (:mod:`.prefetch`) reads the same."""
    docs = article_texts(model_articles(articles, options), cache)
    texts = [(d.text, d.text) for d in docs.values()] + [
        (h, model_text(h) if text_lang(h) in options.langs else None) for h in headlines
    ]
    return docs, texts


# --- the model -------------------------------------------------------------------------


# Worker processes: forked from the process that loaded the model, which
# they share (copy-on-write); set only while the workers run, for one build.
_worker_extractor: NatashaExtractor | None = None


def _extract_in_worker(texts: list[str]) -> list[list[Mention]]:
    return _worker_extractor.extract(texts)


# --- the cache ---------------------------------------------------------------------------


class EntityCache:
    """Mentions per text, on disk (one SQLite file), keyed by
    ``sha256(extractor_id, text)``. Deleting the file gives a cold build.

    Every row's last day of use is kept (table ``used``): rows no build used
    for :data:`.readcache.KEEP_DAYS` days (texts of dumps deleted or changed
    long ago) are dropped when the entities step closes the cache
    (``close(prune=True)``), as the reader cache does."""

    FILE = "entities.sqlite3"

    def __init__(self, folder: str, ident: str | None = None):
        self.ident = ident or extractor_id()
        self.path = os.path.join(folder, self.FILE)
        self._used: set[str] = set()  # keys asked for or written by this object
        self._recent: set[str] | None = None  # see recent()
        self._db = cachefile.open_or_replace(self.path, self.TABLES, "entities")

    TABLES: ClassVar[dict[str, str]] = {
        "mentions": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
        "resolved": "key TEXT PRIMARY KEY, rules TEXT NOT NULL, value TEXT NOT NULL",
        "texts": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
        # the day (ordinal) each key of the tables above was last marked used
        "used": "key TEXT PRIMARY KEY, day INTEGER NOT NULL",
    }
    #: the tables whose rows are pruned (their keys never collide: each is a
    #: hash of a different kind of input)
    CONTENT = ("mentions", "resolved", "texts")

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.ident}\0{text}".encode()).hexdigest()

    def touch(self, keys: Iterable[str]) -> None:
        """These rows are used by this build (not read now: kept all the same)."""
        self._used.update(keys)

    def recent(self) -> set[str]:
        """Keys marked used in the last :data:`MARK_DAYS` days: a build need
        not mark them again (nor hash texts to find them)."""
        if self._recent is None:
            since = dt.date.today().toordinal() - MARK_DAYS
            self._recent = {key for (key,) in self._db.execute(
                "SELECT key FROM used WHERE day > ?", (since,))}
        return self._recent

    def _rows(self, table: str, keys: Sequence[str], columns: str = "key, value"):
        self.touch(keys)
        for begin in range(0, len(keys), 500):
            chunk = list(keys[begin : begin + 500])
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(
                f"SELECT {columns} FROM {table} WHERE key IN ({marks})", chunk
            )

    def get_many(self, keys: Sequence[str]) -> dict[str, list[Mention]]:
        return {
            key: [make_mention(*item) for item in json.loads(value)]
            for key, value in self._rows("mentions", keys)
        }

    def known(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` whose mentions the cache holds (none decoded)."""
        return {key for (key,) in self._rows("mentions", keys, "key")}

    @staticmethod
    def text_key(title: str, html: str, title_in_lead: bool) -> str:
        """Key of an article's :class:`ArticleText`: what it is made of."""
        source = f"{RULES_CODE}\0{int(title_in_lead)}\0{title}\0{html}"
        return hashlib.sha256(source.encode()).hexdigest()

    def get_texts(self, keys: Sequence[str]) -> dict[str, ArticleText]:
        found = {}
        for key, value in self._rows("texts", keys):
            text, title, lead = json.loads(value)
            found[key] = ArticleText(text, tuple(title), tuple(lead))
        return found

    def put_texts(self, items: Iterable[tuple[str, ArticleText]]) -> None:
        rows = [
            (key, json.dumps([doc.text, doc.title, doc.lead], ensure_ascii=False))
            for key, doc in items
        ]
        self.touch(key for key, _ in rows)
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?)", rows)

    def resolved_key(self, rules: str, mentions_of: str, text: str) -> str:
        """Key of one text's resolved entities: the extractor, the rules
        (:func:`rules_digest`), the text the model read and, when it differs,
        the text the spans are read in."""
        extra = "" if text == mentions_of else f"\0{text}"
        return hashlib.sha256(f"{self.ident}\0{rules}\0{mentions_of}{extra}".encode()).hexdigest()

    def get_resolved(self, keys: Sequence[str]) -> dict[str, list[Found]]:
        """Resolved entities (:func:`resolve`'s result) by key."""
        found = {}
        for key, value in self._rows("resolved", keys):
            found[key] = [
                Found(name, kind, list(zip(spans[::2], spans[1::2], strict=True)))
                for name, kind, spans in json.loads(value)
            ]
        return found

    def put_resolved(self, rules: str, items: Iterable[tuple[str, list[Found]]]) -> None:
        """Store resolved entities; rows of other rules are dropped (a rule
        change makes them stale)."""
        rows = (  # made as they are written: no list of every row
            (self._use(key), rules, json.dumps(
                [[f.name, f.kind, [n for span in f.spans for n in span]] for f in found],
                ensure_ascii=False,
            ))
            for key, found in items
        )
        with self._db:
            self._db.execute("DELETE FROM resolved WHERE rules != ?", (rules,))
            self._db.executemany("INSERT OR REPLACE INTO resolved VALUES (?, ?, ?)", rows)

    def put_many(self, items: Iterable[tuple[str, list[Mention]]]) -> None:
        rows = (
            (self._use(key), json.dumps(
                [[m.label, m.start, m.stop, m.normal, m.common] for m in mentions],
                ensure_ascii=False,
            ))
            for key, mentions in items
        )
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO mentions VALUES (?, ?)", rows)

    def _use(self, key: str) -> str:
        """:meth:`touch` for one key, inside a generator of rows."""
        self._used.add(key)
        return key

    def close(self, prune: bool = False) -> None:
        """``prune`` (the entities step, once per build, having asked for
        every text of the site): the keys this object used are marked with
        today (unless marked in the last :data:`MARK_DAYS` days), then rows
        unused for :data:`KEEP_DAYS` days are dropped."""
        try:
            if prune:
                self._prune(dt.date.today().toordinal())
        except sqlite3.DatabaseError as error:  # a cache not pruned is still a cache
            logger.warning("entities: %s: %s; old entries not dropped", self.path, error)
        finally:
            self._db.close()

    def _prune(self, today: int) -> None:
        old = today - KEEP_DAYS
        # a cache made before the days were kept: its rows count from today
        unmarked = self._db.execute("SELECT 1 FROM used LIMIT 1").fetchone() is None
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)",
                                 ((key, today) for key in self._used - self.recent()))
            for table in self.CONTENT:
                if unmarked:
                    self._db.execute(f"INSERT OR IGNORE INTO used SELECT key, ? FROM {table}",
                                     (today,))
                self._db.execute(
                    f"DELETE FROM {table} WHERE key IN (SELECT key FROM used WHERE day < ?)",
                    (old,),
                )
            self._db.execute("DELETE FROM used WHERE day < ?", (old,))


# --- extraction with the cache ----------------------------------------------------------


def extract(
    texts: Iterable[str],
    options: EntitySettings,
    cache: EntityCache | None,
    extractor: NatashaExtractor | None = None,
) -> tuple[dict[str, list[Mention]], Stats]:
    """Mentions for every distinct text: from the cache, else from the model.

    ``extractor`` (an object with ``extract(texts)``) is used as given, in
    this process; otherwise a model is loaded only if some text is missing
    from the cache, in this process, and with enough text to read
    (``options.parallel_min_chars``) worker processes forked from this one
    share it (``options.workers`` processes in all).
    """
    stats = Stats()
    result = dict(extract_each(texts, options, cache, extractor, stats))
    return result, stats


#: texts whose new mentions are written to the cache at once (one transaction)
WRITE_TEXTS = 500


def extract_each(
    texts: Iterable[str],
    options: EntitySettings,
    cache: EntityCache | None,
    extractor: NatashaExtractor | None,
    stats: Stats,
) -> Iterator[tuple[str, list[Mention]]]:
    """:func:`extract`'s (text, mentions) pairs one at a time, those of the
    cache first, then the model's as each chunk of texts is done (written
    to the cache as they come): nobody needs to keep every text's mentions.
    ``stats`` is filled in as it goes (complete once exhausted)."""
    unique = list(dict.fromkeys(t for t in texts))
    stats.texts = len(unique)
    keys = {text: cache.key(text) for text in unique} if cache else {}
    cached = cache.get_many(list(keys.values())) if cache else {}
    missing = []
    for text in unique:
        hit = cached.pop(keys[text], None) if cache else None
        if hit is not None:
            yield text, hit
        elif text.strip():
            missing.append(text)
        else:
            yield text, []
    del cached
    stats.hits = len(unique) - len(missing) - sum(1 for t in unique if not t.strip())
    if not missing:
        return
    began = time.perf_counter()
    given: set[int] = set()
    rows: list[tuple[str, list[Mention]]] = []  # for the cache, written in groups
    try:
        for chunk, found in _run_model(missing, options, extractor, stats):
            for index, mentions in zip(chunk, found, strict=True):
                given.add(index)
                text = missing[index]
                if cache:
                    rows.append((keys[text], mentions))
                yield text, mentions
            if cache and len(rows) >= WRITE_TEXTS:
                cache.put_many(rows)
                rows = []
    except (ImportError, OSError) as error:  # no model: no new entities, no crash
        logger.error(
            "entities: cannot load the natasha model (%s): %d texts get no entities; "
            "install the pinned requirements", error, len(missing),
        )
        stats.failed = True
        for index, text in enumerate(missing):
            if index not in given:
                yield text, []
        return
    finally:
        if cache and rows:
            cache.put_many(rows)
    stats.seconds = time.perf_counter() - began
    stats.extracted = len(given)


def rules_digest(options: EntitySettings) -> str:
    """Everything :func:`resolve` reads of the settings, as one hash."""
    rules = [
        RULES_CODE,  # any edit of this module (resolve) or of the settings
        sorted(options.aliases.items()),
        sorted([list(parts), name] for parts, name in options.joins.items()),
        sorted(options.stops),
        sorted(options.kinds.items()),
        sorted(options.names),
    ]
    return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode()).hexdigest()[:32]


def extract_resolved(
    texts: Sequence[tuple[str, str | None]],
    options: EntitySettings,
    cache: EntityCache | None,
    extractor: NatashaExtractor | None = None,
) -> tuple[dict[tuple[str, str | None], list[Found]], Stats]:
    """:func:`resolve`'s result for each (text, the text the model reads for
    it or ``None``): from the cache when this text was resolved with these
    rules before (the model's mentions are not even read), else from the
    mentions (cached, or the model's), then stored. A text's mentions are
    resolved as soon as they are found, then dropped.

    Fresh :class:`Found` objects every time: the caller may change them.
    """
    pairs = list(dict.fromkeys(texts))
    rules = rules_digest(options)
    readable = [p for p in pairs if p[1] is not None]
    keys = {p: cache.resolved_key(rules, p[1], p[0]) for p in readable} if cache else {}
    hits = cache.get_resolved(list(keys.values())) if cache else {}
    result = {p: hits.pop(keys[p]) for p in readable if keys.get(p) in hits}
    del hits
    if cache:  # their mentions are not read, but still this build's
        recent = cache.recent()  # marked with them (no need to hash the text)
        cache.touch(cache.key(p[1]) for p in result if keys[p] not in recent)
    waiting: dict[str, list[tuple[str, str]]] = defaultdict(list)  # model text -> its pairs
    for pair in readable:
        if pair not in result:
            waiting[pair[1]].append(pair)
    new = []
    stats = Stats()
    resolver = Resolver(options)
    for model_text, mentions in extract_each(list(waiting), options, cache, extractor, stats):
        for pair in waiting.pop(model_text):
            result[pair] = resolver(pair[0], mentions)
            new.append(pair)
    for pair in pairs:
        if pair[1] is None:
            result[pair] = resolver(pair[0], [])
    distinct = len({p[1] for p in readable})
    stats.resolved = distinct - stats.texts
    stats.hits += stats.resolved
    stats.texts = distinct
    if cache and new and not stats.failed:
        cache.put_resolved(rules, ((keys[p], result[p]) for p in new))
    return result, stats


def _workers(options: EntitySettings, texts: Sequence[str]) -> int:
    """How many processes: one for few texts, else up to the cores."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # worker processes must inherit the plugin (loaded by path)
    wanted = options.workers or os.cpu_count() or 1
    if wanted <= 1 or sum(len(t) for t in texts) < options.parallel_min_chars:
        return 1
    return wanted


#: at most this many characters per chunk of an extraction: one group of the
#: model's (about half a second of work); smaller chunks make smaller groups,
#: bigger ones would be read as a group and a small rest, and leave a
#: process idle longer at the end of a parallel extraction
CHUNK_CHARS = GROUP_CHARS


def _run_model(texts, options, extractor, stats) -> Iterator[tuple[list[int], list]]:
    """(indexes of ``texts``, their mentions) for each chunk as it is done;
    ``stats.workers``: the processes used."""
    if extractor is not None:
        stats.workers = 1
        yield list(range(len(texts))), extractor.extract(texts)
        return
    workers = _workers(options, texts)
    model = NatashaExtractor()  # once, here: forked workers share it
    stats.workers = workers
    if workers == 1:
        for chunk in _chunks(texts, _count(texts)):
            yield chunk, model.extract([texts[i] for i in chunk])
        return
    yield from _extract_parallel(model, texts, workers)


def _extract_parallel(model: NatashaExtractor, texts: Sequence[str], workers: int):
    """``model.extract(texts)`` in this process and ``workers - 1`` forked
    ones, as (indexes of ``texts``, their mentions) chunk by chunk. Chunks of
    similar length go to the workers shortest first; this process takes them
    longest first, as long as no worker has started them, and gives the
    workers' results as soon as they are done (none is kept longer)."""
    global _worker_extractor  # read by the forked workers; reset below
    chunks = _chunks(texts, max(workers * 4, _count(texts)))
    given: set[int] = set()
    _worker_extractor = model
    gc.freeze()  # the workers' garbage collector leaves the shared pages alone
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
            pending = {
                number: pool.submit(_extract_in_worker, [texts[i] for i in chunk])
                for number, chunk in enumerate(chunks)
            }

            def finished():  # the workers' results done so far, out of ``pending``
                for number in [n for n, f in pending.items() if f.done()]:
                    found = pending.pop(number).result()
                    given.add(number)
                    yield chunks[number], found

            try:
                for number in reversed(range(len(chunks))):
                    yield from finished()
                    if number not in pending:
                        continue
                    if not pending[number].cancel():
                        break  # a worker has it: the rest are taken too
                    del pending[number]
                    found = model.extract([texts[i] for i in chunks[number]])
                    given.add(number)
                    yield chunks[number], found
                for number in sorted(pending):
                    found = pending.pop(number).result()
                    given.add(number)
                    yield chunks[number], found
            except GeneratorExit:  # the caller stopped (an error): no waiting for the rest
                for future in pending.values():
                    future.cancel()
                raise
    except BrokenProcessPool as error:  # a worker died (memory?): do it here
        logger.warning("entities: worker processes failed (%s); extracting in one", error)
        rest = [i for n, chunk in enumerate(chunks) if n not in given for i in chunk]
        yield rest, model.extract([texts[i] for i in rest])
    finally:
        _worker_extractor = None
        gc.unfreeze()


def _count(texts: Sequence[str]) -> int:
    """Chunks enough for none to pass :data:`CHUNK_CHARS` characters."""
    return -(-sum(map(len, texts)) // CHUNK_CHARS)


def _chunks(texts: Sequence[str], count: int) -> list[list[int]]:
    """Indexes of ``texts`` in about ``count`` groups of similar total length,
    each group of similar text lengths (the model pads a batch to its
    longest): a group ends before a text would take it past its share of
    the characters (as the model's groups do), so that a text longer than
    that share is alone."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    limit = max(1, -(-sum(len(t) for t in texts) // max(1, count)))
    groups, current, size = [], [], 0
    for index in order:
        if current and size + len(texts[index]) > limit:
            groups.append(current)
            current, size = [], 0
        current.append(index)
        size += len(texts[index])
    if current:
        groups.append(current)
    return groups


# --- resolution ----------------------------------------------------------------------------


@dataclass(slots=True)
class Found:
    """An entity of one text while it is being resolved."""

    name: str
    kind: str
    spans: list[tuple[int, int]]


_EDGE_JUNK = re.compile(r"^[\s«»\"„“”'‘’()\[\].,:;!?—–-]+|[\s«»\"„“”'‘’()\[\].,:;!?—–-]+$")
#: Month and weekday names in any case form: never an entity on their own.
_CALENDAR_WORD = re.compile(
    r"(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)(?:ь|я|е|ю|ем)"
    r"|март(?:а|е|у|ом)?|ма(?:й|я|е|ю|ем)|август(?:а|е|у|ом)?"
    r"|понедельник\w{0,2}|вторник\w{0,2}|сред[аыеу]|четверг\w{0,2}|пятниц[аыеу]"
    r"|суббот[аыеу]|воскресень[еяю]|\d+(?:-?(?:го|е|я|й))?|г\.?|года?|году",
)


def tidy_name(name: str) -> str:
    return _EDGE_JUNK.sub("", " ".join(name.split()))


def fix_declension(surface: str, normal: str) -> str:
    """The model inflects a first name but leaves a surname of the -а
    declension as found (``Барака Обамы`` -> ``Барак Обамы``): put such a
    surname in the nominative too (``Обама``; ``Марии Захаровой`` ->
    ``Мария Захарова``; ``Николаю Дзюбе`` -> ``Николай Дзюба``). Only when the
    first word changed and the last did not. An indeclinable surname in -е
    after an inflected first name (``Килиану Мбаппе``) comes out wrong
    (``Мбаппа``): an alias fixes it.
    """
    words, normals = surface.split(), normal.split()
    if len(words) < 2 or len(words) != len(normals):
        return normal
    first_changed = name_key(words[0]) != name_key(normals[0])
    last, last_normal = words[-1], normals[-1]
    if not first_changed or name_key(last) != name_key(last_normal):
        return normal
    for ending, nominative in (("ы", "а"), ("ой", "а"), ("е", "а")):
        if last_normal.endswith(ending) and len(last_normal) > len(ending) + 2:
            normals[-1] = last_normal[: -len(ending)] + nominative
            return " ".join(normals)
    return normal


def is_noise(name: str) -> bool:
    """Common nouns (no word with a capital letter), dates, single letters."""
    if sum(c.isalpha() for c in name) < 2:
        return True
    if not any(word[:1].isupper() for word in name.split()):
        return True  # «сообщество», «власти»: common nouns
    return is_date(name)


def is_date(name: str) -> bool:
    """``15 февраля``, ``Февраль``, ``2025 года``, ``Суббота``."""
    words = name_key(name).replace(",", " ").split()
    return bool(words) and all(_CALENDAR_WORD.fullmatch(w) for w in words)


def resolve(text: str, mentions: Sequence[Mention], options: EntitySettings) -> list[Found]:
    """Mentions of one text -> its entities, in order of first mention."""
    return Resolver(options)(text, mentions)


class Resolver:
    """:func:`resolve` for the texts of one build, with one set of rules:
    what depends only on a mention's words (its name, after the rules) or
    on a name (its key, whether it is dropped) is worked out once per build,
    not once per mention (the same names recur in thousands of texts)."""

    def __init__(self, options: EntitySettings):
        self.options = options
        self._keys: dict[str, str] = {}
        # (words as found, the model's form, common?) -> the name, or None: dropped
        self._names: dict[tuple[str, str, bool], str | None] = {}
        self._dropped: dict[str, bool] = {}  # name -> a stop or noise

    def key(self, name: str) -> str:
        """:func:`name_key`, memoized."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = name_key(name)
        return key

    def __call__(self, text: str, mentions: Sequence[Mention]) -> list[Found]:
        options, key = self.options, self.key
        items: list[Found] = []
        for mention in sorted(mentions, key=attrgetter("start")):
            kind = KINDS.get(mention.label)
            if kind is None:
                continue
            surface = " ".join(text[mention.start : mention.stop].split())
            found = (surface, mention.normal, mention.common)
            if found in self._names:
                name = self._names[found]
            else:
                name = self._names[found] = self._name(surface, mention)
            if name is not None:
                items.append(Found(name, kind, [(mention.start, mention.stop)]))
        items = _join_adjacent(text, items, options, key)
        kept = []
        for item in items:
            dropped = self._dropped.get(item.name)
            if dropped is None:
                dropped = self._dropped[item.name] = (
                    key(item.name) in options.stops or is_noise(item.name)
                )
            if dropped:
                continue
            item.kind = options.kinds.get(key(item.name), item.kind)
            kept.append(item)
        return _merge(_join_surnames(_merge(kept, key), key=key), key)

    def _name(self, surface: str, mention: Mention) -> str | None:
        """A mention's name after the rules, or None: a common word."""
        options, key = self.options, self.key
        name = tidy_name(fix_declension(surface, mention.normal))
        if mention.common and key(name) not in options.names:
            return None  # a common word, unless the rules name it (``Кремль``)
        return options.aliases.get(key(name)) or options.aliases.get(
            key(tidy_name(surface)), name
        )


def _join_adjacent(
    text: str, items: list[Found], options: EntitySettings, key=name_key
) -> list[Found]:
    """``МИД`` followed by ``России`` (only spaces between) -> ``МИД России``."""
    if not options.joins:
        return items
    longest = max(len(parts) for parts in options.joins)
    out: list[Found] = []
    index = 0
    while index < len(items):
        for size in range(min(longest, len(items) - index), 1, -1):
            group = items[index : index + size]
            parts = tuple(key(item.name) for item in group)
            joined = options.joins.get(parts)
            if joined and all(
                not text[a.spans[-1][1] : b.spans[0][0]].strip()
                for a, b in pairwise(group)
            ):
                span = (group[0].spans[0][0], group[-1].spans[-1][1])
                kind = options.kinds.get(key(joined), group[0].kind)
                out.append(Found(joined, kind, [span]))
                index += size
                break
        else:
            out.append(items[index])
            index += 1
    return out


def _merge(items: list[Found], key=name_key) -> list[Found]:
    """One :class:`Found` per name, in order of first mention; the kind the
    model gave most often (the first on a tie)."""
    by_key: dict[str, Found] = {}
    kinds: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        name = key(item.name)
        kinds[name][item.kind] += len(item.spans)
        if name in by_key:
            by_key[name].spans.extend(item.spans)
        else:
            by_key[name] = Found(item.name, item.kind, list(item.spans))
    for name, item in by_key.items():
        best = max(kinds[name].values())
        item.kind = next(k for k, n in kinds[name].items() if n == best)
        item.spans.sort()
    return sorted(by_key.values(), key=lambda f: f.spans[0])


def _join_surnames(
    items: list[Found], full_names: dict[str, str] | None = None, key=name_key
) -> list[Found]:
    """A bare surname joins the one full name that ends with it: the full
    names of the same text, or ``full_names`` (surname key -> full name)."""
    if full_names is None:
        full_names = unique_surnames(items, key)
    for item in items:
        if item.kind == PERSON and len(item.name.split()) == 1:
            full = full_names.get(key(item.name))
            if full:
                item.name = full
    return items


def unique_surnames(items: Iterable[Found], key=name_key) -> dict[str, str]:
    """Surname key -> the full name, for surnames exactly one full name carries."""
    owners: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for item in items:
        words = item.name.split()
        if item.kind == PERSON and len(words) >= 2:
            owners[key(words[-1])].add(key(item.name))
            names[key(item.name)] = item.name
    return {s: names[next(iter(f))] for s, f in owners.items() if len(f) == 1}


def resolve_corpus(texts: list[list[Found]], options: EntitySettings) -> None:
    """Across the corpus (in place): a bare surname joins the one full name
    that carries it; each name takes the kind the model gave it most often
    (counting every mention), so a tag has one kind."""
    if options.corpus_join:
        surnames = unique_surnames(item for items in texts for item in items)
        for items in texts:
            items[:] = _merge(_join_surnames(items, surnames))
    votes: dict[str, Counter] = defaultdict(Counter)
    for items in texts:
        for item in items:
            votes[name_key(item.name)][item.kind] += len(item.spans)
    for items in texts:
        for item in items:
            counts = votes[name_key(item.name)]
            best = max(counts.values())
            item.kind = next(kind for kind, n in counts.items() if n == best)


def add_known_names(
    targets: dict[str, list[Found]], sources: Iterable[tuple[str, list[Found]]]
) -> None:
    """Mentions the model missed in short texts (``Лукашенко принял…``, a
    headline without context): a word sequence that is, elsewhere in the
    corpus, a mention of exactly one entity, is that entity here too.
    ``targets``: text -> its entities (changed in place)."""
    known: dict[str, set[tuple[str, str]]] = defaultdict(set)
    surfaces: dict[str, str | None] = {}  # as found -> tidied, None: not a name
    for text, items in sources:
        for item in items:
            for start, stop in item.spans:
                found = text[start:stop]
                surface = surfaces.get(found, "")
                if surface == "":
                    surface = " ".join(found.split())
                    if not (surface[:1].isupper() and sum(c.isalpha() for c in surface) > 2):
                        surface = None
                    surfaces[found] = surface
                if surface is not None:
                    known[surface].add((item.name, item.kind))
    known = {surface: next(iter(v)) for surface, v in known.items() if len(v) == 1}
    if not known:
        return
    alternatives = "|".join(re.escape(s) for s in sorted(known, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    for text, items in targets.items():
        taken = [span for item in items for span in item.spans]
        added = []
        for match in pattern.finditer(model_text(text)):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            name, kind = known[" ".join(match.group().split())]
            added.append(Found(name, kind, [span]))
        if added:
            items[:] = _merge([*items, *added])


# --- salience --------------------------------------------------------------------------


def rank(
    found: Sequence[Found],
    doc: ArticleText,
    corpus_frequency: Callable[[str], int] = lambda key: 0,
) -> list[tuple[Found, float]]:
    """Entities of an article, most salient first.

    score = mentions in the body + 2 if in the title + 1 if in the lead
    + 0.5 x (1 - first position / length) + 0.5 x ln(1 + other texts of the
    corpus that name it). Ties: the earlier first mention.
    """
    length = max(1, len(doc.text))
    scored = []
    for item in found:
        body = [s for s in item.spans if not _inside(s, doc.title)]
        in_title = any(_inside(s, doc.title) for s in item.spans)
        in_lead = any(_inside(s, doc.lead) for s in item.spans)
        first = item.spans[0][0]
        score = (
            len(body)
            + 2.0 * in_title
            + 1.0 * in_lead
            + 0.5 * (1 - first / length)
            + 0.5 * math.log1p(corpus_frequency(name_key(item.name)))
        )
        scored.append((item, round(score, 4)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].spans[0]))
    return scored


def _inside(span: tuple[int, int], region: tuple[int, int]) -> bool:
    return region[0] <= span[0] and span[1] <= region[1] and region[0] < region[1]


# --- the step -----------------------------------------------------------------------------


def tag_corpus(generator, corpus, extractor=None) -> Stats:
    """Tag every article of ``generator`` and every headline of ``corpus``.

    Sets ``article.tags`` (``Tags:`` header tags first, then at most
    ``DIGEST_ENTITY_LIMIT`` entity tags), ``article.entities``,
    ``corpus.headline_entities`` and the template variable ``digest_entities``.
    """
    # Many small objects and no cycles: the collector would only walk the
    # whole site's objects again and again.
    with collector_paused():
        return _tag_corpus(generator, corpus, extractor)


def _tag_corpus(generator, corpus, extractor=None) -> Stats:
    from pelican.urlwrappers import Tag

    settings = generator.settings
    options = from_pelican(settings).entities
    articles = list(generator.articles) + list(generator.hidden_articles)
    stats = Stats()
    if not options.enabled:
        return stats

    # 1. texts, 2. extraction and 3. resolution per text, all cached
    folder = cache_folder(settings)
    cache = EntityCache(folder) if options.cache else None
    try:
        headlines = list(dict.fromkeys(h for c in corpus.captures for h in c.headlines))
        docs, texts = step_texts(articles, headlines, options, cache)
        resolved, stats = extract_resolved(texts, options, cache, extractor)
    finally:
        if cache:
            cache.close(prune=True)  # every text of the site was asked for
    logger.info(
        "entities: %d texts, %d from the cache (%s, %d resolved), %d extracted in %.1f s "
        "(%d process(es))", stats.texts, stats.hits, folder, stats.resolved, stats.extracted,
        stats.seconds, stats.workers,
    )

    # 3. resolution across the corpus
    found_articles, seen = {}, set()
    for key, doc in docs.items():  # each article its own objects (changed in place below)
        items = resolved[(doc.text, doc.text)]
        if doc.text in seen:
            items = [Found(f.name, f.kind, list(f.spans)) for f in items]
        seen.add(doc.text)
        found_articles[key] = items
    found_headlines = {h: resolved[pair] for h, pair in zip(headlines, texts[len(docs):],
                                                             strict=True)}
    every = [*found_articles.values(), *found_headlines.values()]
    resolve_corpus(every, options)
    if options.known_names:
        sources = [(d.text, found_articles[k]) for k, d in docs.items()]
        sources += [(h, found_headlines[h]) for h in headlines]
        add_known_names(found_headlines, sources)
    # in how many texts each entity is named (corpus prominence, for salience)
    frequency = Counter(key for items in every for key in {name_key(i.name) for i in items})

    # 4. tags and entities, one Tag object per slug for the whole build
    registry: dict[str, Tag] = {}
    pages: dict[str, EntityPage] = {}

    made: dict[str, Tag] = {}  # name -> its Tag (slugify is slow; names repeat)

    def tag_for(name: str, kind: str) -> Tag:
        tag = made.get(name)
        if tag is None:
            tag = made[name] = Tag(name, settings)
        known = registry.get(tag.slug)
        if known is None:
            tag.kind = kind
            registry[tag.slug] = known = tag
        elif known.kind == TOPIC and kind != TOPIC:
            known.kind = kind
        return known

    def entity(item: Found, score: float = 0.0) -> tuple[Entity, EntityPage]:
        tag = tag_for(item.name, item.kind)
        page = pages.setdefault(tag.slug, EntityPage(tag))
        spans = tuple(item.spans)
        return Entity(tag.name, item.kind, tag.slug, len(spans), spans, score, tag.url), page

    for article in articles:
        header_tags = [tag_for(t.name, TOPIC) for t in getattr(article, "tags", None) or []]
        chosen: list[Entity] = []
        if id(article) in docs:
            doc = docs[id(article)]
            ranked = rank(
                found_articles[id(article)], doc, lambda key: max(0, frequency[key] - 1)
            )
            for item, score in ranked[: options.limit]:
                ent, page = entity(item, score)
                chosen.append(ent)
                if article.status == "published":
                    page.articles.append(article)
        tags = list(header_tags)
        for ent in chosen:
            tag = registry[ent.slug]
            if tag not in tags:
                tags.append(tag)
        article.tags = tags
        article.entities = chosen

    corpus.headline_entities.clear()
    for text in headlines:
        ents = []
        for item in found_headlines[text]:
            ent, page = entity(item)
            ents.append(ent)
            page.headlines.append(text)
        corpus.headline_entities[text] = ents
        if options.headline_tags:
            for ent in ents:  # a tag page even when no article names it
                generator.tags.setdefault(registry[ent.slug], [])

    generator.context["digest_entities"] = pages
    generator.context["digest_entity_kinds"] = [(k, KIND_LABELS[k]) for k in KIND_ORDER]
    return stats


# --- for templates --------------------------------------------------------------------


def linked_headline(text: str, entities: Sequence[Entity], base: str = "", url=None) -> Markup:
    """A headline as escaped HTML, each entity mention a link to its tag page.

    ``url(slug)`` gives a tag page's address (default: the entity's ``url``,
    Pelican's ``TAG_URL``); ``base`` goes in front (``SITEURL``).
    """
    spans = sorted(
        (start, stop, ent) for ent in entities for start, stop in ent.spans if stop <= len(text)
    )
    out, position = [], 0
    for start, stop, ent in spans:
        if start < position:
            continue  # overlapping mentions: keep the first
        href = (base.rstrip("/") + "/" if base else "") + (
            url(ent.slug) if url else ent.url or f"tag/{ent.slug}.html"
        )
        out.append(escape(text[position:start]))
        out.append(
            f'<a href="{escape(href)}" class="entity entity-{escape(ent.kind)}" rel="tag">'
            f"{escape(text[start:stop])}</a>"
        )
        position = stop
    out.append(escape(text[position:]))
    return Markup("".join(out))
