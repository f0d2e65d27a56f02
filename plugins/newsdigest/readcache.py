"""The reader's on-disk cache: what reading a dump gave, keyed by its content.

Pelican re-reads every dump on every build; its own content cache is keyed by
file times and blind to code and settings changes, so it stays off. This
cache keeps, per dump, the reader's result (the :class:`ArticleData`, the
body HTML, the title and summary HTML) in one SQLite file in the cache folder
(``reader.sqlite3`` next to the entity cache), keyed by

* the SHA-256 of the dump's bytes,
* :func:`code_version`: a hash of the reader modules' source and the versions
  of the libraries whose output they keep (Babel's month names, Unidecode,
  typogrify when the reader applies it, Python's Unicode tables),
* :func:`settings_digest`: the settings that change a reading.

Inputs that are not in the text are checked on every hit instead of being
part of the key: the reference date (an entry holds the span of reference
dates that give the same result, see :class:`.dates.ReferenceSpan`; most
dumps do not use it at all) and the file's modification date (only for a
dump without a date, which takes it). The file's name is never in an entry:
the reader adds it (``digest_file``, the slug and title of files without
one, the warnings' prefix) on every build, and replays the stored warnings.

Each entry remembers the last day a build used it; entries no build used for
:data:`KEEP_DAYS` days (dumps deleted or changed long ago) are dropped when
the reader closes the cache. A damaged file is set aside as
``reader.sqlite3.damaged`` with one warning, and the build goes on with a new
cache (or none, if that fails too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import sys
from dataclasses import dataclass, fields
from importlib import metadata as package_metadata

from . import cachefile
from .dump import Block
from .metadata import ArticleData
from .settings import DigestSettings

logger = logging.getLogger(__name__)

#: Bump when what an entry holds changes shape or meaning.
SCHEMA = 1
#: The modules whose code decides what a reading gives.
MODULES = (
    "dump.py", "dates.py", "metadata.py", "typography.py", "render.py", "reader.py",
    "readcache.py", "settings.py", "typogrify_fast.py",
)
#: Libraries whose output ends up in an entry.
PACKAGES = ("babel", "unidecode")
#: Rows written at once (one transaction each); the rest when the reader goes.
BATCH = 200
#: Entries no build has used for this many days are dropped.
KEEP_DAYS = 60
#: The table of entries (also read by :mod:`.readahead`'s child)
TABLE = "entries"


def code_version(typogrify: bool = False) -> str:
    """A hash of the reader's code and of the libraries it relies on."""
    digest = hashlib.sha256(f"newsdigest-reader/{SCHEMA} {sys.version}".encode())
    digest.update(cachefile.source_hash(*MODULES).encode())
    for name in (*PACKAGES, *(("typogrify", "smartypants") if typogrify else ())):
        try:
            version = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}/{version}\0".encode())
    return digest.hexdigest()


def settings_digest(options: DigestSettings, typogrify: dict | None = None) -> str:
    """A hash of the settings a reading depends on. The reference date is not
    one of them (entries hold the span of reference dates they are good
    for); neither is ``DIGEST_MAX_BYTES`` (a larger file is never read)."""
    value = {
        "sources": [
            [name, [[p.pattern, p.flags] for p in patterns]] for name, patterns in options.sources
        ],
        "default_source": options.default_source,
        "title_max": options.title_max,
        "words_per_minute": options.words_per_minute,
        "typography": options.typography,
        "slug_max": options.slug_max,
        "max_headlines": options.max_headlines,
        "typogrify": typogrify,
    }
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One dump's reading."""

    data: ArticleData
    html: str  # the body (after typogrify, when the reader applies it)
    title: str | None  # the title as HTML; None: the reader makes it (from the file name)
    summary: str | None  # the summary as HTML
    #: reference dates the reading holds for (None: any)
    reference: tuple[dt.date, dt.date] | None = None
    #: the file modification date the reading took (no date in the text)
    fallback: dt.date | None = None

    def holds(self, reference: dt.date, mtime: dt.date) -> bool:
        if self.reference and not self.reference[0] <= reference <= self.reference[1]:
            return False
        return self.fallback is None or self.fallback == mtime


class ReaderCache:
    """Readings on disk (one SQLite file), keyed by content, code and settings."""

    FILE = "reader.sqlite3"

    def __init__(self, folder: str, ident: str):
        self.ident = ident
        self.path = os.path.join(folder, self.FILE)
        self._pid = os.getpid()
        self._today = dt.date.today().toordinal()
        self._pending: dict[str, str] = {}  # new entries: key -> value
        self._used: list[tuple[int, str]] = []  # entries found, last used before today
        self._db: sqlite3.Connection | None = None
        try:
            os.makedirs(folder, exist_ok=True)
            self._db = self._open()
        except sqlite3.DatabaseError as error:  # not a database, or damaged
            self._set_aside(error)
        except OSError as error:
            logger.warning("reader cache: %s: %s; reading without it", self.path, error)

    def _open(self) -> sqlite3.Connection:
        columns = "key TEXT PRIMARY KEY, value TEXT NOT NULL, used INTEGER NOT NULL"
        db = cachefile.connect(self.path, {TABLE: columns}, isolation_level=None)
        db.execute("PRAGMA synchronous = OFF")  # a lost entry is read again
        return db

    def _set_aside(self, error: Exception) -> None:
        """A damaged file: one warning, moved aside, a new cache in its place."""
        logger.warning("reader cache: %s: %s; starting a new cache", self.path, error)
        if self._db is not None:
            self._db.close()
        self._db = None
        self._pending.clear()
        self._used.clear()
        try:
            cachefile.set_aside(self.path)
            self._db = self._open()
        except (OSError, sqlite3.DatabaseError) as again:
            logger.warning("reader cache: %s: %s; reading without it", self.path, again)

    def key(self, data: bytes) -> str:
        """The key of a dump's entry: its bytes, under this cache's ``ident``
        (the read-ahead child keys with it too)."""
        digest = hashlib.sha256(self.ident.encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        if self._db is None:
            return None
        if key in self._pending:  # the same bytes earlier in this build
            return decode_entry(self._pending[key])
        try:
            row = self._db.execute(
                f"SELECT value, used FROM {TABLE} WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.DatabaseError as error:
            self._set_aside(error)
            return None
        if row is None:
            return None
        try:
            entry = decode_entry(row[0])
        except (ValueError, TypeError, KeyError, IndexError) as error:
            self._set_aside(ValueError(f"an unreadable entry ({error})"))
            return None
        if row[1] != self._today:
            self._used.append((self._today, key))
        return entry

    def put(self, key: str, entry: Entry, encoded: str | None = None) -> None:
        """Store ``entry`` (``encoded``: its :func:`encode_entry`, if known)."""
        if self._db is None:
            return
        self._pending[key] = encoded if encoded is not None else encode_entry(entry)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self, prune: bool = False) -> None:
        """Write the pending entries and days of use, and drop entries unused
        for :data:`KEEP_DAYS` if ``prune`` (never from a forked child process)."""
        if self._db is None or os.getpid() != self._pid:
            return
        rows = [(key, value, self._today) for key, value in self._pending.items()]
        self._pending = {}
        used, self._used = self._used, []
        if not (rows or used or prune):
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?)", rows)
                self._db.executemany(f"UPDATE {TABLE} SET used = ? WHERE key = ?", used)
                if prune:
                    self._db.execute(
                        f"DELETE FROM {TABLE} WHERE used < ?", (self._today - KEEP_DAYS,)
                    )
        except sqlite3.DatabaseError as error:
            self._set_aside(error)

    def close(self) -> None:
        if os.getpid() != self._pid:
            return
        self.flush(prune=True)
        if self._db is not None:
            self._db.close()
            self._db = None


# --- entries as JSON -----------------------------------------------------------------


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def encode_entry(entry: Entry) -> str:
    data = {}
    for item in fields(ArticleData):
        value = getattr(entry.data, item.name)
        if item.name == "blocks":
            value = [[b.kind, b.text, b.credit] for b in value]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[item.name] = value
    reference = entry.reference and [day.isoformat() for day in entry.reference]
    return json.dumps(
        {
            "data": data,
            "html": entry.html,
            "title": entry.title,
            "summary": entry.summary,
            "reference": reference,
            "fallback": entry.fallback and entry.fallback.isoformat(),
        },
        ensure_ascii=False,
    )


_TUPLES = ("headlines", "tags", "warnings")


def decode_entry(text: str) -> Entry:
    value = json.loads(text)
    data = dict(value["data"])
    if set(data) != {item.name for item in fields(ArticleData)}:
        raise ValueError("fields differ")
    data["blocks"] = tuple(Block(kind, text, credit) for kind, text, credit in data["blocks"])
    for name in _TUPLES:
        data[name] = tuple(data[name])
    data["date"] = _day(data["date"])
    reference = value["reference"]
    return Entry(
        data=ArticleData(**data),
        html=str(value["html"]),
        title=value["title"],
        summary=value["summary"],
        reference=reference and (_day(reference[0]), _day(reference[1])),
        fallback=_day(value["fallback"]),
    )
