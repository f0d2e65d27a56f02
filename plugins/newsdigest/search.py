"""Full-text search: Pagefind indexes the written site after every build.

Connected to Pelican's ``finalized`` signal, so ``make html``, ``make publish``,
plain ``pelican content`` and every rebuild of ``pelican --autoreload`` leave
an up-to-date index in ``output/pagefind/``. The index holds exactly the
article pages this build wrote (``content_written``): pages that an earlier
build left in the output folder (a dump since removed or renamed) are not
searchable. In those pages only the element with ``data-pagefind-body``
(theme/templates/article.html: the title and the text) is indexed, with the
source and the tags as filters. Pagefind is the ``pagefind[bin]`` package's
binary (or one on PATH); without it the build goes on with one warning line.

A rebuild whose index would come out the same keeps the index in place
instead of running Pagefind again: the bundle holds a stamp (:data:`STAMP`)
of everything the index is made from (:func:`source_stamp`: the pages, byte
for byte, Pagefind's binary, the language, its environment variables and
configuration files) and of the index's ``pagefind-entry.json``, and both
must still match.

Settings (defaults in settings.py): ``DIGEST_SEARCH`` (on/off),
``DIGEST_SEARCH_LANGUAGE`` (one index for the whole site, stemmed as this
language: Russian and Belarusian pages are found from one search page),
``DIGEST_SEARCH_BUNDLE`` (the index folder inside the output folder),
``DIGEST_PAGEFIND`` (the binary to run).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from pelican.log import console

from .settings import search_bundle, setting

logger = logging.getLogger(__name__)

#: Longest a Pagefind run may take (5,000 articles index in well under a minute).
TIMEOUT = 900


def find_pagefind(configured: str | None = None) -> str | None:
    """The Pagefind binary: the configured one, the ``pagefind[bin]`` package's
    (``PAGEFIND_BINARY_PATH`` honoured), or ``pagefind`` on PATH; else None."""
    if configured:
        return shutil.which(configured) or (configured if os.path.isfile(configured) else None)
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    if get_executable is not None:
        try:
            found = get_executable()
        except (FileNotFoundError, OSError):
            found = None
        if found is not None and Path(found).is_file():
            return str(found)
    return shutil.which("pagefind_extended") or shutil.which("pagefind")


def command(binary: str, site: str, output: str, language: str | None) -> list[str]:
    args = [binary, "--site", site, "--output-path", output, "--quiet"]
    if language:
        args += ["--force-language", language]
    return args


#: output folder -> the article pages the running build wrote there. Filled
#: by :func:`page_written`, emptied when a build starts and when it is indexed.
_WRITTEN: dict[str, set[str]] = {}


def start_build(pelican) -> None:
    """``get_generators`` receiver (sent as every build starts): forget the
    pages of earlier builds. Returns no generator."""
    _WRITTEN[os.path.abspath(pelican.output_path)] = set()


def page_written(path: str, context: dict) -> None:
    """``content_written`` receiver: remember published article pages."""
    article = context.get("article") if context else None
    if article is None or getattr(article, "status", "published") != "published":
        return
    path = os.path.abspath(path)
    for output, pages in _WRITTEN.items():
        if path.startswith(output + os.sep):
            pages.add(path)


def build_index(pelican) -> None:
    """Pelican's ``finalized`` receiver: index the article pages this build
    wrote (not pages left in the output folder by earlier builds) into a
    fresh bundle, then put it in place of the old one."""
    settings = pelican.settings
    site = os.path.abspath(pelican.output_path)
    pages = _WRITTEN.pop(site, None)
    if setting(settings, "DIGEST_SEARCH"):
        index_site(site, pages, settings)


def index_site(site: str, pages: set[str] | None, settings: dict) -> None:
    """Index ``pages`` (absolute paths of pages in the folder ``site``; None:
    every page there) into the site's bundle, as a build does."""
    folder = search_bundle(settings)
    bundle = os.path.join(site, folder)
    binary = find_pagefind(setting(settings, "DIGEST_PAGEFIND"))
    if binary is None:
        logger.warning(
            "search: Pagefind not found, no search index was built "
            "(pip install 'pagefind[bin]', or DIGEST_SEARCH = False)"
        )
        return
    if pages is None:  # no start_build for this folder: every page there
        pages = {str(p) for p in Path(site).rglob("*.html") if Path(bundle) not in p.parents}
    if not pages:
        _remove_bundle(bundle)
        console.print("Search index: no articles, no index.", markup=False, highlight=False)
        return
    language = setting(settings, "DIGEST_SEARCH_LANGUAGE")
    started = time.perf_counter()
    stamp = source_stamp(pages, site, binary, language)
    if _is_current(bundle, stamp):
        count = indexed_pages(bundle)
        if count is not None:
            console.print(
                f"Search index: up to date ({count} page{'' if count == 1 else 's'} "
                f"unchanged since it was built; {bundle}).",
                markup=False, highlight=False,
            )
            return
    fresh = tempfile.mkdtemp(prefix=".pagefind-", dir=site)
    try:
        with tempfile.TemporaryDirectory(prefix="newsdigest-pages-") as staging:
            _stage(pages, site, staging)
            done = subprocess.run(
                command(binary, staging, fresh, language),
                capture_output=True, text=True, timeout=TIMEOUT,
            )
        if done.returncode != 0:
            detail = " ".join((done.stderr or done.stdout).split())[-300:]
            logger.error("search: Pagefind failed (exit %s): %s", done.returncode, detail)
            return
        if stamp is not None:
            _write_stamp(fresh, stamp)
        _replace(fresh, bundle)
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("search: Pagefind could not run (%s); no search index was built", error)
        return
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    count = indexed_pages(bundle)
    count = len(pages) if count is None else count
    console.print(
        f"Search index: {count} page{'' if count == 1 else 's'} in "
        f"{time.perf_counter() - started:.1f} s ({bundle}).",
        markup=False, highlight=False,
    )


#: In the bundle: what it was built from (:func:`source_stamp`), and a hash
#: of the ``pagefind-entry.json`` that Pagefind wrote then.
STAMP = ".newsdigest-source"
#: The stamp's own format: change it when :func:`source_stamp` hashes
#: differently, so that no stamp of the old format can match.
STAMP_FORMAT = "2"
#: Pagefind's configuration files, read from the folder it runs in (with its
#: ``PAGEFIND_*`` environment variables, they are inputs of the index too).
CONFIG_FILES = ("pagefind.json", "pagefind.toml", "pagefind.yml", "pagefind.yaml")


def source_stamp(pages: set[str], site: str, binary: str, language: str | None) -> str | None:
    """What an index is a function of: each page's path in the site and
    text, the Pagefind binary, the options, Pagefind's configuration files
    and ``PAGEFIND_*`` environment variables. Equal stamps: the index would
    come out the same, and Pagefind is not run again (a rebuild with nothing
    new saves the whole indexing for a fraction of a second of hashing: see
    the README). None when a file cannot be read: index as always."""
    digest = hashlib.blake2b(digest_size=20)

    def add(*parts) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
            digest.update(f"{len(data)}:".encode())
            digest.update(data)

    try:
        found = os.stat(binary)
        add(STAMP_FORMAT, os.path.realpath(binary), found.st_size, found.st_mtime_ns, language)
        for key in sorted(k for k in os.environ if k.upper().startswith("PAGEFIND_")):
            add(key, os.environ[key])
        for name in CONFIG_FILES:
            if os.path.isfile(name):
                add(name, Path(name).read_bytes())
        for page in sorted(pages):
            with open(page, "rb") as handle:
                add(os.path.relpath(page, site), handle.read())
    except OSError:
        return None
    return digest.hexdigest()


def _entry_hash(bundle: str) -> str | None:
    try:
        return hashlib.blake2b(Path(bundle, "pagefind-entry.json").read_bytes(),
                               digest_size=20).hexdigest()
    except OSError:
        return None


def _write_stamp(bundle: str, stamp: str) -> None:
    """The stamp, if it can be written (without one the next build indexes
    again: the index is good either way)."""
    entry = _entry_hash(bundle)
    if entry is not None:
        try:
            Path(bundle, STAMP).write_text(f"{stamp}\n{entry}\n", "utf-8")
        except OSError as error:
            logger.debug("search: no stamp written (%s)", error)


def _is_current(bundle: str, stamp: str | None) -> bool:
    """Whether the index in ``bundle`` was built from what ``stamp``
    describes, its ``pagefind-entry.json`` unchanged since (the rest of the
    bundle is not compared)."""
    if stamp is None:
        return False
    try:
        lines = Path(bundle, STAMP).read_text("utf-8").split()
    except (OSError, UnicodeDecodeError):
        return False
    return lines == [stamp, _entry_hash(bundle)]


def _stage(pages: set[str], site: str, staging: str) -> None:
    """The pages under ``staging`` at their paths in the site: hard links
    where the file system allows, else copies."""
    for page in pages:
        target = os.path.join(staging, os.path.relpath(page, site))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(page, target)
        except OSError:
            shutil.copyfile(page, target)


def _replace(fresh: str, bundle: str) -> None:
    """Put the new bundle where the old one was (two renames, then cleanup)."""
    old = None
    if os.path.exists(bundle):
        old = tempfile.mkdtemp(prefix=".pagefind-old-", dir=os.path.dirname(bundle))
        os.rmdir(old)
        os.rename(bundle, old)
    os.rename(fresh, bundle)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def _remove_bundle(bundle: str) -> None:
    """An index of pages that no longer exist would mislead: remove it (only
    a folder that Pagefind wrote)."""
    if os.path.isfile(os.path.join(bundle, "pagefind-entry.json")):
        shutil.rmtree(bundle, ignore_errors=True)


def indexed_pages(bundle: str) -> int | None:
    """How many pages the index holds (from its ``pagefind-entry.json``)."""
    try:
        entry = json.loads(Path(bundle, "pagefind-entry.json").read_text("utf-8"))
        return sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
