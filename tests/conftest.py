"""Shared helpers: build a real site with Pelican into a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT / "seeds" / "000_80243a7568773db2.txt"
#: Dates without a year are resolved against this day in every test build.
REFERENCE_DATE = "2026-11-25"
#: One entity cache for the whole test session: builds of the same texts do
#: not run the model again. Tests of the cache itself pass their own folder.
SESSION_CACHE = tempfile.mkdtemp(prefix="newsdigest-test-cache-")

sys.path.insert(0, str(ROOT / "plugins"))


@dataclass
class Build:
    """The result of one real ``pelican`` run."""

    seeds: Path
    output: Path
    log: str
    returncode: int

    def soup(self, relative: str) -> BeautifulSoup:
        return BeautifulSoup((self.output / relative).read_text("utf-8"), "html.parser")

    def html_files(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))

    def article_files(self) -> list[Path]:
        """Article pages: ``YYYY/MM/slug.html`` (archive indexes excluded)."""
        return sorted(p for p in self.output.glob("20*/*/*.html") if p.name != "index.html")

    def log_lines(self, needle: str) -> list[str]:
        return [line for line in self.log.splitlines() if needle in line]


def run_build(
    tmp: Path,
    dumps: dict[str, str | bytes | Path],
    settings: dict | None = None,
    conf: str = "pelicanconf.py",
) -> Build:
    """Write ``dumps`` (name -> text, bytes or a file to copy) into a fresh
    seeds folder and build it with the project's settings file."""
    seeds = tmp / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for name, value in dumps.items():
        target = seeds / name
        if isinstance(value, Path):
            shutil.copy2(value, target)  # keeps the modification time
        elif isinstance(value, bytes):
            target.write_bytes(value)
        else:
            target.write_text(value, "utf-8")
    output = tmp / "output"
    extra = {
        "ARTICLE_PATHS": [str(seeds)],
        "DIGEST_REFERENCE_DATE": REFERENCE_DATE,
        "CACHE_PATH": str(tmp / "pelican-cache"),
        "DIGEST_CACHE_PATH": SESSION_CACHE,
        # never write the user's build-report.json from a test
        "DIGEST_REPORT": str(tmp / "build-report.json"),
        **(settings or {}),
    }
    command = [
        sys.executable, "-m", "pelican", str(ROOT / "content"),
        "-s", str(ROOT / conf), "-o", str(output),
        "-e", *[f"{key}={json.dumps(value)}" for key, value in extra.items()],
    ]
    env = {**os.environ, "COLUMNS": "1000", "TERM": "dumb"}
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )
    return Build(seeds, output, done.stdout + done.stderr, done.returncode)


def fixture_dumps(*names: str) -> dict[str, Path]:
    return {name: FIXTURES / name for name in names}


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Build:
    """The seed and every fixture dump, built once for the session."""
    dumps = {SEED.name: SEED, **{p.name: p for p in sorted(FIXTURES.glob("*.txt"))}}
    build = run_build(tmp_path_factory.mktemp("site"), dumps)
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (see
    ``pelican_server.py`` for the flags and the skip when it is missing)."""
    from pelican_server import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
