"""The page writer (``writer.py``): pages rendered by several processes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from jinja2 import Environment
from pelican import signals
from pelican.writers import FileOverwriteFailedError

from conftest import FIXTURES, SEED, run_build
from newsdigest.writer import DigestWriter

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "fork") and os.uname().sysname == "Linux"),
    reason="parallel writing forks (Linux)",
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_two_processes_write_the_same_site_as_one(tmp_path):
    dumps = {SEED.name: SEED, **{p.name: p for p in sorted(FIXTURES.glob("*.txt"))}}
    one = run_build(tmp_path, dumps, {"DIGEST_WRITE_WORKERS": 1, "DIGEST_SEARCH": False})
    assert one.returncode == 0, one.log
    first = _tree(one.output)
    one.output.rename(tmp_path / "output-one")
    two = run_build(tmp_path, dumps, {"DIGEST_WRITE_WORKERS": 2, "DIGEST_SEARCH": False})
    assert two.returncode == 0, two.log
    second = _tree(two.output)
    assert len(first) > 50  # articles, days, tags, sources, the roundup, index pages
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    # the build report says where the time went
    timings = json.loads((tmp_path / "build-report.json").read_text("utf-8"))["timings"]
    steps = ["read", "corpus", "merge", "slugs", "entities", "links", "other", "write", "roundup"]
    assert list(timings) == steps
    assert all(isinstance(v, float) and v >= 0 for v in timings.values())
    assert timings["write"] > 0 and timings["read"] > 0


def _writer(tmp_path: Path, workers: int = 2) -> DigestWriter:
    settings = {"DIGEST_WRITE_WORKERS": workers, "RELATIVE_URLS": False,
                "PAGINATED_TEMPLATES": {}, "DEFAULT_PAGINATION": False}
    return DigestWriter(str(tmp_path), settings=settings)


def test_every_page_is_written_and_announced_once_from_this_process(tmp_path):
    template = Environment().from_string("page {{ number }} in {{ output_file }}")
    writer = _writer(tmp_path)
    for number in range(40):
        writer.write_file(f"p/{number}.html", template, {}, number=number)
    assert list(tmp_path.rglob("*.html")) == []  # deferred until flushed
    announced: list[tuple[str, int, int]] = []

    def written(path, context):
        announced.append((os.path.relpath(path, tmp_path), context["number"], os.getpid()))

    signals.content_written.connect(written)
    try:
        writer.flush()
    finally:
        signals.content_written.disconnect(written)
    assert [(a, n) for a, n, _ in announced] == [(f"p/{n}.html", n) for n in range(40)]
    assert {pid for _, _, pid in announced} == {os.getpid()}
    for number in range(40):
        text = (tmp_path / "p" / f"{number}.html").read_text("utf-8")
        assert text == f"page {number} in p/{number}.html"
    # once flushed, a page is written at once
    writer.write_file("late.html", template, {}, number=99)
    assert (tmp_path / "late.html").read_text("utf-8") == "page 99 in late.html"


def test_one_path_written_by_two_processes_stops_the_build_as_in_pelican(tmp_path):
    # the second page of a paginated list and another page share a path; each
    # page takes long enough that the two processes take one job each: only
    # the check across processes can see it
    from pelican.paginator import PaginationRule
    from pelican.settings import DEFAULT_CONFIG

    rules = [PaginationRule(*rule) for rule in DEFAULT_CONFIG["PAGINATION_PATTERNS"]]
    settings = {**DEFAULT_CONFIG, "DIGEST_WRITE_WORKERS": 2, "RELATIVE_URLS": False,
                "PAGINATED_TEMPLATES": {"index": 1}, "PAGINATION_PATTERNS": rules}
    writer = DigestWriter(str(tmp_path), settings=settings)
    template = Environment().from_string("{{ wait(1) }}")
    writer.write_file("list.html", template, {"wait": _slow}, template_name="index",
                      paginated={"articles": [1, 2]}, url="list.html", articles=[1, 2])
    writer.write_file("list2.html", template, {"wait": _slow})
    with pytest.raises(FileOverwriteFailedError, match="already written"):
        writer.flush()


def _slow(number):
    time.sleep(0.5)
    return number


def test_a_second_write_fails_at_the_call_as_in_pelican(tmp_path):
    # Pelican's generators catch the error around each call for pages they
    # may skip (a tag whose slug is empty): it must come from the call, not
    # from the later, shared writing
    template = Environment().from_string("{{ number }}")
    for workers in (1, 2):
        writer = _writer(tmp_path / str(workers), workers)
        skipped = 0
        for number in range(3):
            try:
                writer.write_file("tag/.html", template, {}, number=number)
            except FileOverwriteFailedError:
                skipped += 1
        writer.flush()
        assert skipped == 2
        assert (tmp_path / str(workers) / "tag" / ".html").read_text("utf-8") == "0"


def test_an_override_wins_whatever_the_order(tmp_path):
    template = Environment().from_string("{{ number }}")
    writer = _writer(tmp_path)
    writer.write_file("same.html", template, {}, override_output=True, number=1)
    for number in range(2, 12):
        writer.write_file(f"{number}.html", template, {}, number=number)
    writer.write_file("same.html", template, {}, number=0)
    writer.flush()
    assert (tmp_path / "same.html").read_text("utf-8") == "1"


def test_an_error_in_any_process_stops_the_build(tmp_path):
    def fail(number):
        if number == 7:
            raise ValueError("template broke on page 7")
        return number

    template = Environment().from_string("{{ fail(number) }}")
    writer = _writer(tmp_path)
    for number in range(16):
        writer.write_file(f"{number}.html", template, {"fail": fail}, number=number)
    with pytest.raises(Exception, match="template broke on page 7"):
        writer.flush()


def test_a_page_is_written_again_only_when_it_changed(tmp_path):
    template = Environment().from_string("page {{ number }}")
    for workers in (1, 2):
        old = 1_000_000_000
        for name in ("same.html", "changed.html"):
            (tmp_path / name).write_text("page 1", "utf-8")
            os.utime(tmp_path / name, (old, old))
        writer = _writer(tmp_path, workers)
        writer.write_file("same.html", template, {}, number=1)
        writer.write_file("changed.html", template, {}, number=2)
        writer.write_file("new.html", template, {}, number=3)
        writer.flush()
        assert (tmp_path / "same.html").stat().st_mtime == old
        assert (tmp_path / "changed.html").stat().st_mtime > old
        assert [(tmp_path / n).read_text("utf-8") for n in ("same.html", "changed.html",
                "new.html")] == ["page 1", "page 2", "page 3"]
        (tmp_path / "new.html").unlink()
