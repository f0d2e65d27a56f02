"""Full-text search: Pagefind indexes the written site after every build.

Connected to Pelican's ``finalized`` signal, so ``make html``, ``make publish``,
plain ``pelican content`` and every rebuild of ``pelican --autoreload`` leave
an up-to-date index in ``output/pagefind/``. Only article pages carry
``data-pagefind-body`` (theme/templates/article.html), so list pages are not
indexed. Pagefind is the ``pagefind[bin]`` package's binary (or one on PATH);
without it the build goes on with one warning line.

Settings (defaults in settings.py): ``DIGEST_SEARCH`` (on/off),
``DIGEST_SEARCH_LANGUAGE`` (one index for the whole site, stemmed as this
language: Russian and Belarusian pages are found from one search page),
``DIGEST_SEARCH_BUNDLE`` (the index folder inside the output folder),
``DIGEST_PAGEFIND`` (the binary to run).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from .settings import DEFAULTS

logger = logging.getLogger(__name__)

#: Longest a Pagefind run may take (5,000 articles index in well under a minute).
TIMEOUT = 900


def _setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


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


def command(binary: str, site: str, bundle: str, language: str | None) -> list[str]:
    args = [binary, "--site", site, "--output-subdir", bundle, "--quiet"]
    if language:
        args += ["--force-language", language]
    return args


def build_index(pelican) -> None:
    """Pelican's ``finalized`` receiver: index ``pelican.output_path``."""
    settings = pelican.settings
    if not _setting(settings, "DIGEST_SEARCH"):
        return
    site = pelican.output_path
    bundle = str(_setting(settings, "DIGEST_SEARCH_BUNDLE")).strip("/") or "pagefind"
    binary = find_pagefind(_setting(settings, "DIGEST_PAGEFIND"))
    if binary is None:
        logger.warning(
            "search: Pagefind not found, no search index was built "
            "(pip install 'pagefind[bin]', or DIGEST_SEARCH = False)"
        )
        return
    args = command(binary, site, bundle, _setting(settings, "DIGEST_SEARCH_LANGUAGE"))
    started = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("search: Pagefind could not run (%s); no search index was built", error)
        return
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[-300:]
        logger.error("search: Pagefind failed (exit %s): %s", done.returncode, detail)
        return
    pages = indexed_pages(os.path.join(site, bundle))
    logger.info("search: Pagefind indexed %s pages in %.1f s", pages, elapsed)


def indexed_pages(bundle: str) -> int | None:
    """How many pages the index holds (from its ``pagefind-entry.json``)."""
    try:
        text = Path(bundle, "pagefind-entry.json").read_text("utf-8")
    except OSError:
        return None
    counts = re.findall(r'"page_count"\s*:\s*(\d+)', text)
    return sum(int(c) for c in counts) if counts else None
