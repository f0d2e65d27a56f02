"""Reading ahead on a spare core: dumps read by a forked child from the end
of the list while the build process reads from the start.

Pelican reads the dumps one by one in one process; on a build that finds
them missing from the reader cache (the first build, a new version of the
reader, a big batch of new dumps) that is about 2 ms a dump on one core
while the others wait. So, at the first dump the cache misses, a child
process forked from the reader takes the dumps still ahead from the last
one backwards: each it finds neither in the cache (read only) nor already
reached by the build process, it reads as the reader would and sends the
result (the reader cache's own JSON entry) through a pipe. When the build
process comes to such a dump, it takes the child's entry instead of reading
the dump itself; the two meet in the middle, and the child stops.

The child writes nothing: the build process stores what it takes in the
reader cache as if it had read the dump, replays its warnings and counts it
as read this build. Entries are keyed like the cache (the dump's bytes, the
reader's code and settings), so a dump changed in between is read again;
without a cache they are keyed by path. A dump the cache holds is left to
the build process (even if its entry turns out not to hold for today's
reference date: then the build process reads it itself).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import os
import sqlite3
import sys
from pathlib import Path

from .readcache import TABLE, Entry, decode_entry, encode_entry

logger = logging.getLogger(__name__)

#: No child for fewer dumps ahead than this: forking costs more than they take.
MIN_DUMPS = 40


class ReadAhead:
    """The dumps the build will read, and the child reading them ahead."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        self._index = {path: number for number, path in enumerate(paths)}
        self._reached = None  # shared: the highest index the build process reached
        self._process = None
        self._pipe = None
        self._received: dict[str, str] = {}  # key -> entry (JSON), not taken yet
        self.taken = 0  # entries the build process took from the child

    @property
    def started(self) -> bool:
        """Whether a child was started (for this plan)."""
        return self._reached is not None

    def reached(self, path: str) -> None:
        """The build process is reading ``path``: the child leaves it alone.
        What the child sent so far is received (a full pipe would stop it)."""
        number = self._index.get(path)
        if number is not None and self._reached is not None:
            self._reached.value = max(self._reached.value, number)
        self._receive()

    def start(self, reader, path: str, cache) -> None:
        """At the first dump the cache (``cache``, a :class:`ReaderCache` or
        None) misses (``path``): the child, for the dumps after it (if
        enough, and if processes can be forked)."""
        if self._process is not None or "fork" not in multiprocessing.get_all_start_methods():
            return
        number = self._index.get(path)
        if number is None or len(self.paths) - number - 1 < MIN_DUMPS:
            return
        context = multiprocessing.get_context("fork")
        self._reached = context.Value("l", number, lock=False)
        receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child, name="newsdigest-read-ahead", daemon=True,
            args=(reader, self.paths, self._reached, send, cache),
        )
        self._process.start()
        send.close()
        self._pipe = receive

    def take(self, key: str) -> tuple[Entry, str] | None:
        """The child's entry for the dump with this cache key (its path
        without a cache), if it sent one, with its JSON (what the cache
        stores); what it sent was received by :meth:`reached`, which the
        reader calls first for every dump."""
        value = self._received.pop(key, None)
        if value is None:
            return None
        self.taken += 1
        return decode_entry(value), value

    def _receive(self) -> None:
        """Every entry the child has sent, off the pipe."""
        try:
            while self._pipe is not None and self._pipe.poll():
                found, value = self._pipe.recv()
                self._received[found] = value
        except (EOFError, OSError):  # the child is done (or gone)
            self._pipe.close()
            self._pipe = None

    def close(self) -> None:
        """Reading is over: the child stops."""
        if self._process is not None:
            logger.debug("read-ahead: %d dumps taken from the child", self.taken)
            self._process.terminate()
            self._process.join(10)
            if self._process.exitcode is None:  # SIGTERM ignored: it hangs
                self._process.kill()
                self._process.join()
            self._process = None
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        self._received.clear()


class _ReadOnlyCache:
    """The cache's file, read only, for the child
    that never writes or moves it: only whether it holds a key."""

    def __init__(self, path: str | None):
        self._db = None
        if path and os.path.exists(path):
            try:  # a file: URI, any character of the path escaped
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=30)
            except (sqlite3.Error, ValueError):
                self._db = None

    def has(self, key: str) -> bool:
        if self._db is None:
            return False
        try:
            found = self._db.execute(f"SELECT 1 FROM {TABLE} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return False
        return found is not None


def _child(reader, paths, reached, pipe, cache) -> None:
    """The dumps from the last backwards, until the build process's; each
    missing from the cache read and sent as (cache key, JSON entry); the
    key is the path when there is no cache."""
    # Nothing to say (the parent's log handlers may have been busy at the
    # fork), and the collector leaves the parent's objects alone.
    logging.disable(logging.CRITICAL)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    gc.freeze()
    stored = _ReadOnlyCache(cache and cache.path)
    for number in range(len(paths) - 1, -1, -1):
        if number <= reached.value:
            break
        path = paths[number]
        try:
            stat, raw = reader.load(path)
        except OSError:
            continue
        if raw is None:
            continue  # rejected by the reader without reading it
        mtime = dt.date.fromtimestamp(stat.st_mtime)
        key = cache.key(raw) if cache else path
        if stored.has(key):  # the build process will find it (or read it itself)
            continue
        pipe.send((key, encode_entry(reader._read_bytes(raw, mtime))))
    pipe.close()
