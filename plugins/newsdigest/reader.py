"""The Pelican reader for ``.txt`` news-page dumps: glue only.

read -> :func:`dump.decode` -> :func:`dump.parse` -> :func:`metadata.infer`
-> :func:`render.render_blocks`, then the metadata in Pelican's types.

Every dump becomes a Pelican article. Dumps that are not articles (a
headline list and no body, or unusable input) get ``status: hidden`` and
``digest_kind`` ``headlines`` or ``rejected``; the corpus step
(:mod:`.corpus`) takes them out before anything is written, keeping their
headlines for the roundup and their fate for the report.

What reading a dump gives is kept on disk (:mod:`.readcache`,
``DIGEST_READER_CACHE``), keyed by the dump's bytes, the reader's code and the
settings; the reader adds what depends on the file's name and replays the
dump's warnings on every build. With ``DIGEST_TYPOGRIFY`` (and Pelican's
``TYPOGRIFY`` off) the reader applies Pelican's typogrify step itself, so its
result is cached too.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import weakref
from dataclasses import replace
from html import escape

from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from . import dump as dumps
from .dates import ReferenceSpan
from .metadata import KIND_ARTICLE, KIND_REJECTED, ArticleData, infer, slugify
from .readahead import ReadAhead
from .readcache import Entry, ReaderCache, code_version, settings_digest
from .render import render_blocks
from .settings import cache_folder, from_pelican, setting
from .typography import typeset

logger = logging.getLogger(__name__)


class DumpReader(BaseReader):
    enabled = True
    file_extensions = ("txt",)

    def __init__(self, settings):
        super().__init__(settings)
        self.options = from_pelican(settings)
        self._typeset: dict[str, str] = {}  # for this build: text -> typeset text
        #: Pelican's typogrify, when this reader applies it (DIGEST_TYPOGRIFY)
        self._typogrify = reader_typogrify(settings)
        self._cache: ReaderCache | None = None  # opened on the first read
        self._cache_wanted = bool(setting(settings, "DIGEST_READER_CACHE"))
        #: source paths of the dumps read this build without the cache (new,
        #: changed, or no cache): their texts may be new to the entity cache
        self.fresh: set[str] = set()
        self._ahead = ReadAhead([])  # nothing to read ahead until plan()

    def typeset(self, text: str) -> str:
        """Typography, remembered: the same sidebar headlines recur in many dumps."""
        if len(text) > 300:  # a body paragraph: seen once
            return typeset(text)
        done = self._typeset.get(text)
        if done is None:
            done = self._typeset[text] = typeset(text)
        return done

    def plan(self, paths: list[str]) -> None:
        """The dumps this build will read, in order (``article_generator_init``):
        what a new dump's miss lets a child read ahead (:mod:`.readahead`)."""
        self._ahead.close()
        self._ahead = ReadAhead(paths)

    def read(self, source_path: str):
        name = display_path(source_path)
        options = self.options
        ahead = self._ahead
        ahead.reached(source_path)
        stat, raw = self.load(source_path)
        mtime = dt.date.fromtimestamp(stat.st_mtime)
        if raw is None:
            entry = self._entry(ArticleData(kind=KIND_REJECTED, reason=(
                f"too large: {stat.st_size / 1e6:.1f} MB, over the "
                f"{options.max_bytes / 1e6:g} MB limit (DIGEST_MAX_BYTES)"
            )))
        else:
            cache = self._open_cache()
            key = cache.key(raw) if cache else ""
            entry = cache.get(key) if cache else None
            if entry is None or not entry.holds(options.reference_date, mtime):
                entry, encoded = ahead.take(key or source_path) or (None, None)
                if entry is None or not entry.holds(options.reference_date, mtime):
                    # the dumps after this one, read ahead
                    ahead.start(self, source_path, cache)
                    entry, encoded = self._read_bytes(raw, mtime), None
                self.fresh.add(source_path)
                if cache:
                    cache.put(key, entry, encoded)

        data = entry.data
        for warning in data.warnings:
            logger.warning("%s: %s", name, warning)
        if data.kind == KIND_REJECTED:
            logger.warning("%s: rejected: %s", name, data.reason)
        return entry.html, self._metadata(entry, name, mtime)

    def load(self, path: str) -> tuple[os.stat_result, bytes | None]:
        """A dump's ``stat`` and bytes; None for bytes over
        ``DIGEST_MAX_BYTES`` (not read: rejected). The read-ahead child loads
        dumps with it too, so that both key the same bytes."""
        stat = os.stat(path)
        if stat.st_size > self.options.max_bytes:
            return stat, None
        with open(path, "rb") as handle:
            return stat, handle.read()

    def _read_bytes(self, raw: bytes, mtime: dt.date) -> Entry:
        """decode -> parse -> infer -> render: what the cache keeps."""
        options = self.options
        span = ReferenceSpan()
        try:
            text, encoding = dumps.decode(raw)
        except dumps.NotText as error:
            data = ArticleData(kind=KIND_REJECTED, reason=str(error))
        else:
            parsed = dumps.parse(text, max_headlines=options.max_headlines)
            data = infer(parsed, options, fallback_date=mtime, typesetter=self.typeset, span=span)
            notes = dumps.input_notes(text, encoding)
            if notes:
                data = replace(data, warnings=(*notes, *data.warnings))
        reference = None
        if span.first != dt.date.min or span.last != dt.date.max:
            reference = (span.first, span.last)
        fallback = mtime if data.date_source == "fallback" else None
        return self._entry(data, reference, fallback)

    def _entry(self, data: ArticleData, reference=None, fallback=None) -> Entry:
        html = render_blocks(data.blocks) if data.kind == KIND_ARTICLE else ""
        title = self._html(escape(data.title)) if data.title else None
        summary = self._html(escape(data.summary)) if data.summary else None
        return Entry(data, self._html(html) if html else html, title, summary,
                     reference, fallback)

    def flush_cache(self) -> None:
        """Write the cache's pending entries (called once every dump is read;
        the rest, if any, when this reader goes or at exit); the child reading
        ahead, if any, stops."""
        self._ahead.close()
        if self._cache is not None:
            self._cache.flush()

    def _html(self, html: str) -> str:
        """Pelican's typogrify on HTML, when this reader applies it."""
        return self._typogrify(html) if self._typogrify else html

    def _open_cache(self) -> ReaderCache | None:
        if self._cache is None and self._cache_wanted:
            self._cache_wanted = False  # one attempt per reader
            folder = cache_folder(self.settings)
            typogrify = typogrify_settings(self.settings) if self._typogrify else None
            ident = (f"{code_version(bool(typogrify))} "
                     f"{settings_digest(self.options, typogrify)}")
            self._cache = ReaderCache(folder, ident)
            # Entries still pending are written when this reader goes (or at exit).
            weakref.finalize(self, self._cache.close)
        return self._cache

    def _metadata(self, entry: Entry, name: str, mtime: dt.date) -> dict:
        data = entry.data
        stem = os.path.splitext(os.path.basename(name))[0]
        date = data.date or mtime
        source = data.source or self.options.default_source
        meta = {
            "digest_kind": data.kind,
            "digest_file": name,
            "digest_reason": data.reason,
            "digest_warnings": list(data.warnings),
            # plain paragraphs, for comparing captures of one story
            "digest_paragraphs": [b.text for b in data.blocks if b.kind != "caption"],
            # Titles and summaries are HTML in Pelican: escape the text.
            "title": entry.title if entry.title is not None else self._html(escape(stem)),
            "title_source": data.title_source,
            # what Pelican's date processor makes of date.isoformat(), without
            # dateutil's parser (a tenth of the reader's time)
            "date": SafeDatetime(date.year, date.month, date.day),
            "date_source": data.date_source,
            "date_precision": data.date_precision,
            "category": self.process_metadata("category", source),
            "source": source,
            "headlines": list(data.headlines),
            "truncated": data.truncated,
            "caption": data.caption,
            "credit": data.credit,
            "words": data.words,
            "reading_time": data.reading_time,
            "lang": data.lang,
            "layout": data.layout,
            "slug": data.slug or "dump-" + (slugify(stem) or "file"),
        }
        if data.tags:
            meta["tags"] = self.process_metadata("tags", ", ".join(data.tags))
        if entry.summary:
            meta["summary"] = entry.summary
        # Feeds want an author: the outlet, unless the dump names one.
        meta["author"] = self.process_metadata("author", data.author or source)
        if data.kind != KIND_ARTICLE:
            meta["status"] = "hidden"
        return meta




def typogrify_settings(settings: dict) -> dict:
    """The settings Pelican's typogrify step reads."""
    return {
        "ignore": list(settings.get("TYPOGRIFY_IGNORE_TAGS", [])),
        "omit": list(settings.get("TYPOGRIFY_OMIT_FILTERS", [])),
        "dashes": settings.get("TYPOGRIFY_DASHES", "default"),
    }


def reader_typogrify(settings: dict):
    """Pelican's typogrify as ``Readers.read_file`` runs it, for the reader to
    apply itself (so the result is cached): with ``DIGEST_TYPOGRIFY`` on and
    Pelican's ``TYPOGRIFY`` off (with both on it would run twice); else None."""
    if not setting(settings, "DIGEST_TYPOGRIFY") or settings.get("TYPOGRIFY"):
        return None
    return typogrify_filter(settings)


def title_typogrify(settings: dict):
    """typogrify as it must run on titles set after reading (the corpus step's
    resolved titles): when Pelican's ``TYPOGRIFY`` or ``DIGEST_TYPOGRIFY`` is
    on; else None."""
    if settings.get("TYPOGRIFY") or setting(settings, "DIGEST_TYPOGRIFY"):
        return typogrify_filter(settings)
    return None


def typogrify_filter(settings: dict):
    """typogrify with ``TYPOGRIFY_IGNORE_TAGS``, ``TYPOGRIFY_OMIT_FILTERS`` and
    ``TYPOGRIFY_DASHES``, set up as Pelican 4.12's ``read_file`` does."""
    import smartypants

    from .typogrify_fast import typogrify

    conf = typogrify_settings(settings)
    # Pelican sets smartypants' module-wide default before every typogrify run.
    attr = {"oldschool": smartypants.Attr.set2,
            "oldschool_inverted": smartypants.Attr.set3}.get(conf["dashes"], smartypants.Attr.set1)
    omit = dict.fromkeys(conf["omit"], False)
    ignore = conf["ignore"]

    def run(html: str) -> str:
        smartypants.Attr.default = attr | smartypants.Attr.w
        return typogrify(html, ignore, **omit)

    return run


def display_path(path: str) -> str:
    """The path as the user knows it: relative to the working folder."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
