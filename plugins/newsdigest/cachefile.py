"""The on-disk caches' SQLite files (``entities.sqlite3``, ``reader.sqlite3``,
``merge.sqlite3``): opened only if usable, else set aside; and the hash of
the code whose results they keep. No Pelican."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)


def connect(path: str, tables: dict[str, str], **options) -> sqlite3.Connection:
    """A connection to ``path`` with ``tables`` (name -> column definitions)
    created if missing and each read once, so that a file that is not a
    database, or is damaged, raises :class:`sqlite3.DatabaseError` here
    rather than in the middle of a build."""
    db = sqlite3.connect(path, timeout=30, **options)
    try:
        for name, columns in tables.items():
            db.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
            db.execute(f"SELECT * FROM {name} LIMIT 1").fetchall()
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def open_or_replace(path: str, tables: dict[str, str], label: str) -> sqlite3.Connection:
    """:func:`connect` to ``path``, its folder made if missing; a file that
    is not a database, or is damaged, is set aside (:func:`set_aside`, one
    warning beginning with ``label``) and a new one made."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        return connect(path, tables)
    except sqlite3.DatabaseError as error:
        logger.warning("%s: %s: %s; starting a new cache", label, path, error)
        set_aside(path)
        return connect(path, tables)


def set_aside(path: str) -> None:
    """Keep a damaged cache file as ``<path>.damaged`` (for a look; the
    build starts a new one)."""
    os.replace(path, path + ".damaged")


def source_hash(*names: str) -> str:
    """A hash of these modules' source (files of this package): part of a
    cache's key, so that editing them makes its entries stale."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for name in names:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
