"""The Pelican reader for ``.txt`` news-page dumps: glue only.

read -> :func:`dump.decode` -> :func:`dump.parse` -> :func:`metadata.infer`
-> :func:`render.render_blocks`, then the metadata in Pelican's types.

Every dump becomes a Pelican article. Dumps that are not articles (a
headline list and no body, or unusable input) get ``status: hidden`` and
``digest_kind`` ``headlines`` or ``rejected``; the corpus step
(:mod:`.corpus`) takes them out before anything is written, keeping their
headlines for the roundup and their fate for the report.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import replace
from html import escape

from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from . import dump as dumps
from .metadata import KIND_ARTICLE, KIND_REJECTED, ArticleData, infer, slugify
from .render import render_blocks
from .settings import from_pelican
from .typography import typeset

logger = logging.getLogger(__name__)


class DumpReader(BaseReader):
    enabled = True
    file_extensions = ("txt",)

    def __init__(self, settings):
        super().__init__(settings)
        self.options = from_pelican(settings)
        self._typeset: dict[str, str] = {}  # for this build: text -> typeset text

    def typeset(self, text: str) -> str:
        """Typography, remembered: the same sidebar headlines recur in many dumps."""
        if len(text) > 300:  # a body paragraph: seen once
            return typeset(text)
        done = self._typeset.get(text)
        if done is None:
            done = self._typeset[text] = typeset(text)
        return done

    def read(self, source_path: str):
        name = display_path(source_path)
        options = self.options
        stat = os.stat(source_path)
        mtime = dt.date.fromtimestamp(stat.st_mtime)
        try:
            if stat.st_size > options.max_bytes:
                raise dumps.NotText(
                    f"too large: {stat.st_size / 1e6:.1f} MB, over the "
                    f"{options.max_bytes / 1e6:g} MB limit (DIGEST_MAX_BYTES)"
                )
            with open(source_path, "rb") as handle:
                text, encoding = dumps.decode(handle.read())
        except dumps.NotText as error:
            data = ArticleData(kind=KIND_REJECTED, reason=str(error))
        else:
            parsed = dumps.parse(text, max_headlines=options.max_headlines)
            data = infer(parsed, options, fallback_date=mtime, typesetter=self.typeset)
            notes = dumps.input_notes(text, encoding)
            if notes:
                data = replace(data, warnings=(*notes, *data.warnings))

        for warning in data.warnings:
            logger.warning("%s: %s", name, warning)
        if data.kind == KIND_REJECTED:
            logger.warning("%s: rejected: %s", name, data.reason)
        return self._content(data), self._metadata(data, name, mtime)

    @staticmethod
    def _content(data: ArticleData) -> str:
        return render_blocks(data.blocks) if data.kind == KIND_ARTICLE else ""

    def _metadata(self, data: ArticleData, name: str, mtime: dt.date) -> dict:
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
            "title": escape(data.title or stem),
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
        if data.summary:
            meta["summary"] = escape(data.summary)
        # Feeds want an author: the outlet, unless the dump names one.
        meta["author"] = self.process_metadata("author", data.author or source)
        if data.kind != KIND_ARTICLE:
            meta["status"] = "hidden"
        return meta


def display_path(path: str) -> str:
    """The path as the user knows it: relative to the working folder."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
