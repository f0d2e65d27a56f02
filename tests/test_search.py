"""Search: the Pagefind index that every build leaves in ``output/pagefind/``,
the search page, and the built site served by ``pelican --listen``.

One development build of the seed and the theme fixtures, served by Pelican's
own server in a subprocess on a free 127.0.0.1 port; headless Chromium types
Russian queries into the search page.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from pelican_server import (
    fetch,
    free_port,
    local_only,
    needs_chromium,
    start_pelican,
)

from conftest import FIXTURES, ROOT, SEED, Build, fixture_dumps, run_build

THEME_FIXTURES = sorted(path.name for path in FIXTURES.glob("theme_*.txt"))
SEED_TITLE = "Министр иностранных дел России Сергей Лавров"
FAIR_PAGE = "2025/02/grodno-cheese-fair.html"
FAIR_TITLE = "В Гродно открылась вымышленная сырная ярмарка"
BE_PAGE = "2025/02/vitsebsk-exhibition.html"
GENERIC_PAGE = "2025/01/tallinn-folding-bike.html"


def text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text() if hasattr(node, "get_text") else node).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Build:
    build = run_build(
        tmp_path_factory.mktemp("search"), {SEED.name: SEED, **fixture_dumps(*THEME_FIXTURES)}
    )
    assert build.returncode == 0, build.log
    return build


def fragments(build: Build) -> dict[str, dict]:
    """The index's page records (gzip, a ``pagefind_dcd`` signature, JSON), by URL."""
    records = {}
    for path in (build.output / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd"), path
        record = json.loads(raw[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


def seed_page(build: Build) -> str:
    pages = [p for p in build.article_files() if "sergei-lavrov" in p.name]
    assert len(pages) == 1, pages
    return pages[0].relative_to(build.output).as_posix()


# --- the index ---------------------------------------------------------------------


def test_every_build_writes_the_index(built):
    bundle = built.output / "pagefind"
    for name in ("pagefind.js", "pagefind-entry.json", "pagefind-worker.js"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    # One index for the whole site (Belarusian pages too), stemmed as Russian.
    assert list(entry["languages"]) == ["ru"]
    assert entry["languages"]["ru"]["page_count"] == len(built.article_files()) == 5
    assert "Pagefind not found" not in built.log


def test_index_holds_article_titles_and_bodies_only(built):
    records = fragments(built)
    articles = {"/" + p.relative_to(built.output).as_posix() for p in built.article_files()}
    assert set(records) == articles  # no home, tag, source, archive, roundup or search page
    fair = records["/" + FAIR_PAGE]
    assert text(fair["meta"]["title"]) == FAIR_TITLE
    assert fair["meta"]["date"] == "2025-02-14"
    assert text(fair["content"]).startswith(FAIR_TITLE + ". В пятницу, 14 февраля, в Гродно")
    # The menu, the date line, tags, neighbours and the roundup link are not text.
    for record in records.values():
        for chrome in ("Дайджест новостей", "мин чтения", "Предыдущая", "Следующая", "Сводка"):
            assert chrome not in record["content"], (record["url"], chrome)


def test_index_filters_by_source_and_tag(built):
    records = fragments(built)
    fair = records["/" + FAIR_PAGE]
    assert fair["filters"]["source"] == ["Зеркало"]
    tags = [text(a) for a in built.soup(FAIR_PAGE).select("main .tags a")]
    assert fair["filters"]["tag"] == tags
    assert tags == ["Иван Петров", "Гродно", "Экономика", "Ярмарки"]  # grouped by kind
    assert records["/" + GENERIC_PAGE]["filters"]["source"] == ["Медуза"]


def test_search_page(built):
    soup = built.soup("search.html")
    assert soup.html["lang"] == "ru"
    assert text(soup.h1) == "Поиск"
    form = soup.select_one("main form.search[role=search]")
    assert form.has_attr("hidden")  # shown by the script once the index loads
    assert form["data-bundle"] == "./pagefind/"
    assert [s["name"] for s in form.find_all("select")] == ["source", "tag"]
    assert soup.select_one("main form label[for=search-q]") is not None
    # Without JavaScript (or from a folder) a plain Russian message says so.
    off = text(soup.select_one(".search-off"))
    assert off.startswith("Поиск работает в браузере с включённым JavaScript")
    assert [s["src"] for s in soup.find_all("script")] == ["./theme/js/search.js"]
    assert soup.select_one("a[aria-current=page]")["href"] == "./search.html"
    assert soup.find(attrs={"data-pagefind-body": True}) is None
    # Every page's menu leads to it.
    assert built.soup(FAIR_PAGE).select_one("header.site nav a[href$='search.html']") is not None


def test_no_pagefind_is_one_warning_and_a_site(tmp_path):
    build = run_build(tmp_path, {SEED.name: SEED}, {"DIGEST_PAGEFIND": "/nonexistent/pagefind"})
    assert build.returncode == 0, build.log
    warnings = build.log_lines("search: Pagefind not found")
    assert len(warnings) == 1, build.log
    assert "WARNING" in warnings[0] and "Traceback" not in build.log
    assert not (build.output / "pagefind").exists()
    assert len(build.article_files()) == 1 and (build.output / "search.html").is_file()


def test_index_follows_the_dumps_not_the_output_folder(tmp_path):
    """A second build into the same folder with one dump fewer: the old page
    stays on disk (Pelican does not clean the development output) but is no
    longer searchable; no dump with an article left: no index at all."""
    first = run_build(tmp_path, fixture_dumps("theme_01_fair.txt", "theme_05_generic.txt"))
    assert first.returncode == 0, first.log
    assert set(fragments(first)) == {"/" + FAIR_PAGE, "/" + GENERIC_PAGE}
    (first.seeds / "theme_05_generic.txt").unlink()
    second = run_build(tmp_path, {})
    assert second.returncode == 0, second.log
    assert (second.output / GENERIC_PAGE).is_file()  # left over
    assert set(fragments(second)) == {"/" + FAIR_PAGE}
    assert len(list((second.output / "pagefind" / "fragment").iterdir())) == 1
    assert [line.split(" in ")[0] for line in second.log_lines("Search index:")] == [
        "Search index: 1 page"
    ]
    (second.seeds / "theme_01_fair.txt").unlink()
    (second.seeds / "only-headlines.txt").write_bytes((FIXTURES / "theme_03_headlines_only.txt").read_bytes())
    third = run_build(tmp_path, {})
    assert third.returncode == 0, third.log
    assert not (third.output / "pagefind").exists()
    assert third.log_lines("Search index:") == ["Search index: no articles, no index."]
    assert "ERROR" not in third.log
    assert not [p for p in third.output.iterdir() if p.name.startswith(".pagefind")]


def test_search_off(tmp_path):
    build = run_build(tmp_path, {SEED.name: SEED}, {"DIGEST_SEARCH": False})
    assert build.returncode == 0, build.log
    assert not (build.output / "pagefind").exists()
    assert build.soup("index.html").select_one("nav a[href$='search.html']") is None
    page = build.soup("search.html")
    assert text(page.select_one("main .notice")) == "Поиск на этом сайте выключен."
    assert page.find("script") is None
    assert "wasm-unsafe-eval" not in str(page.find("meta", attrs={"http-equiv": True}))


# --- served by pelican --listen -------------------------------------------------------


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    """``pelican --listen`` serving the built output on a free port."""
    log = tmp_path_factory.mktemp("listen") / "pelican.log"
    server = start_pelican(
        [str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"),
         "-o", str(built.output), "--listen"],
        log, free_port(),
    )
    try:
        server.wait_until(lambda: fetch(server.base + "/").status == 200, timeout=30)
        yield server
    finally:
        server.stop()


def test_pelican_listen_serves_the_site(built, served):
    pages = {
        "/": ("Новости по дням", None),
        "/" + seed_page(built): (SEED_TITLE, None),
        "/tag/ekonomika.html": ("Экономика", None),
        "/headlines.html": ("Сводка заголовков", None),
        "/search.html": ("Поиск", None),
    }
    for path, (heading, _) in pages.items():
        answer = fetch(served.base + path)
        assert answer.status == 200, path
        assert answer.headers["content-type"].startswith("text/html"), path
        soup = BeautifulSoup(answer.text, "html.parser")
        assert text(soup.h1).startswith(heading), path
        assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"}), path
    home = BeautifulSoup(fetch(served.base + "/").text, "html.parser")
    assert FAIR_TITLE in [text(a) for a in home.select("main article.entry h3 a")]
    # The search bundle: a JavaScript module browsers accept, the index files.
    script = fetch(served.base + "/pagefind/pagefind.js")
    assert script.status == 200
    assert "javascript" in script.headers["content-type"]
    assert fetch(served.base + "/theme/js/search.js").status == 200
    assert fetch(served.base + "/pagefind/pagefind-entry.json").status == 200


# --- in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expect_():
    return pytest.importorskip("playwright.sync_api").expect


def open_search(browser, base: str, query: str = "", javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 375, "height": 800})
    elsewhere = local_only(context, base)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    answer = page.goto(f"{base}/search.html{query}")
    assert answer is not None and answer.status == 200
    return context, page, problems, elsewhere


def results(page) -> list[tuple[str, str, str]]:
    """(title, href, meta) of every result shown."""
    return [
        (
            item.locator("h2 a").inner_text(),
            item.locator("h2 a").get_attribute("href"),
            item.locator(".meta").inner_text(),
        )
        for item in page.locator(".search-results > li").all()
    ]


@needs_chromium
def test_russian_query_finds_the_seed(browser, built, served):
    context, page, problems, elsewhere = open_search(browser, served.base)
    try:
        page.wait_for_selector("form.search:not([hidden])", timeout=15000)
        assert page.locator(".search-off").is_hidden()
        page.fill("#search-q", "договориться")  # the seed says «договорились»
        page.press("#search-q", "Enter")
        page.wait_for_selector(".search-results > li", timeout=15000)
        found = results(page)
        seed = "/" + seed_page(built)
        hit = [r for r in found if r[1] == seed]
        assert hit, found
        assert hit[0][0].startswith(SEED_TITLE)
        assert hit[0][2] == "Зеркало · 15 февраля 2025"
        # The excerpt shows the word form the text has, highlighted.
        marks = page.locator(".search-results > li").nth(found.index(hit[0])).locator("mark")
        assert "договорились" in [m.lower() for m in marks.all_inner_texts()]
        assert page.locator(".search-status").inner_text().startswith("Найдено: ")
        assert "q=%D0%B4" in page.url  # the query is kept in the address
        # Following a result opens the article.
        page.locator(f".search-results a[href='{seed}']").click()
        page.wait_for_url(f"**{seed}")
        assert page.locator("main h1").inner_text().startswith(SEED_TITLE)
        assert problems == []
        assert elsewhere == []
    finally:
        context.close()


@needs_chromium
def test_filters_by_source_and_tag(browser, served, expect_):
    expect = expect_
    context, page, problems, elsewhere = open_search(browser, served.base)
    try:
        page.wait_for_selector("form.search:not([hidden])", timeout=15000)
        sources = page.locator("select[name=source] option").all_inner_texts()
        assert sources == ["все", "Зеркало (4)", "Медуза (1)"]
        assert "Экономика (3)" in page.locator("select[name=tag] option").all_inner_texts()
        # A tag alone lists its articles; a source narrows them.
        page.select_option("select[name=tag]", "Экономика")
        # (wait_for_function would evaluate a string: the page's CSP forbids that)
        expect(page.locator(".search-results > li")).to_have_count(3)
        page.select_option("select[name=source]", "Медуза")
        expect(page.locator(".search-results > li")).to_have_count(1)
        assert results(page)[0][1] == "/" + GENERIC_PAGE
        assert page.locator(".search-status").inner_text() == "Найдено: 1 статья."
        # A word no article has.
        page.select_option("select[name=source]", "")
        page.fill("#search-q", "бегемот")
        page.press("#search-q", "Enter")
        expect(page.locator(".search-status")).to_have_text(re.compile("^Ничего не найдено"))
        assert page.locator(".search-results > li").count() == 0
        assert problems == [] and elsewhere == []
    finally:
        context.close()


@needs_chromium
def test_query_in_the_address_and_belarusian_pages(browser, served):
    """``search.html?q=…`` searches at once; Belarusian pages are in the same index."""
    context, page, problems, elsewhere = open_search(browser, served.base, "?q=выставу")
    try:
        page.wait_for_selector(".search-results > li", timeout=15000)
        assert [r[1] for r in results(page)] == ["/" + BE_PAGE]
        assert page.input_value("#search-q") == "выставу"
        assert problems == [] and elsewhere == []
    finally:
        context.close()


@needs_chromium
def test_without_javascript_a_plain_message(browser, served):
    context, page, _problems, elsewhere = open_search(browser, served.base, javascript=False)
    try:
        assert page.locator("form.search").is_hidden()
        message = page.locator(".search-off .notice")
        assert message.is_visible()
        assert message.inner_text().startswith("Поиск работает в браузере с включённым JavaScript")
        assert page.locator(".search-off a[href$='tags.html']").is_visible()
        assert elsewhere == []
    finally:
        context.close()


@needs_chromium
def test_from_a_folder_the_page_says_search_needs_a_server(browser, built):
    """file://: the pages and the stylesheet work, search cannot fetch its index."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto((built.output / "search.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator(".search-off .notice").is_visible()
        assert page.locator("form.search").is_hidden()
        assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")
        page.goto((built.output / FAIR_PAGE).as_uri())
        assert text(page.locator("main h1").inner_text()) == FAIR_TITLE
        assert problems == []
        assert {urlsplit(page.url).scheme} == {"file"}
    finally:
        context.close()


def test_an_index_of_unchanged_pages_is_kept_and_a_changed_page_or_bundle_rebuilds_it(
    tmp_path,
):
    first = run_build(tmp_path, fixture_dumps("theme_01_fair.txt", "theme_05_generic.txt"))
    assert first.returncode == 0, first.log
    bundle = first.output / "pagefind"
    entry = (bundle / "pagefind-entry.json").stat().st_mtime_ns
    # Nothing changed: the same index, Pagefind not run.
    again = run_build(tmp_path, {})
    assert again.returncode == 0, again.log
    assert again.log_lines("Search index:") == [
        f"Search index: up to date (2 pages unchanged since it was built; {bundle})."
    ]
    assert (bundle / "pagefind-entry.json").stat().st_mtime_ns == entry
    assert set(fragments(again)) == {"/" + FAIR_PAGE, "/" + GENERIC_PAGE}
    # Another Pagefind run (or a hand) changed the index, the stamp left as
    # it was: indexed again.
    entry_file = bundle / "pagefind-entry.json"
    entry_file.write_text(
        entry_file.read_text("utf-8").replace('"version"', '"version" ', 1), "utf-8")
    rewritten = run_build(tmp_path, {})
    assert rewritten.returncode == 0, rewritten.log
    assert [line.split(" in ")[0] for line in rewritten.log_lines("Search index:")] == [
        "Search index: 2 pages"
    ]
    # One article's text changed: indexed again, the new text found.
    fair = again.seeds / "theme_01_fair.txt"
    fair.write_text(fair.read_text("utf-8").replace("сырная", "молочная"), "utf-8")
    changed = run_build(tmp_path, {})
    assert changed.returncode == 0, changed.log
    assert [line.split(" in ")[0] for line in changed.log_lines("Search index:")] == [
        "Search index: 2 pages"
    ]
    assert "молочная" in fragments(changed)["/" + FAIR_PAGE]["content"]
    # An index removed by hand is built again, even with nothing changed.
    shutil.rmtree(bundle)
    rebuilt = run_build(tmp_path, {})
    assert [line.split(" in ")[0] for line in rebuilt.log_lines("Search index:")] == [
        "Search index: 2 pages"
    ]
    assert set(fragments(rebuilt)) == {"/" + FAIR_PAGE, "/" + GENERIC_PAGE}


def test_the_stamp_changes_with_every_input_of_the_index(tmp_path, monkeypatch):
    """What decides whether a rebuild may keep its index: any change to the
    pages (their set, a byte of one), the binary, the language, Pagefind's
    environment variables or its configuration file gives another stamp."""
    from newsdigest import search

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAGEFIND_EXCLUDE_SELECTORS", raising=False)
    site = tmp_path / "output"
    site.mkdir()
    pages = []
    for name in ("a.html", "b.html"):
        (site / name).write_text(f"<p>{name}</p>", "utf-8")
        pages.append(str(site / name))
    binary = tmp_path / "pagefind"
    binary.write_bytes(b"binary")

    def stamp(selected=pages, language="ru"):
        return search.source_stamp(set(selected), str(site), str(binary), language)

    first = stamp()
    assert first == stamp()  # the same inputs, the same stamp
    seen = {first}

    def differs(value):
        assert value not in seen
        seen.add(value)

    differs(stamp(pages[:1]))
    differs(stamp(language=None))
    (site / "b.html").write_text("<p>b.html!</p>", "utf-8")
    differs(stamp())
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "nav")
    differs(stamp())
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [footer]\n", "utf-8")
    differs(stamp())
    binary.write_bytes(b"another binary")
    differs(stamp())
    (site / "a.html").unlink()
    assert stamp() is None  # a page that cannot be read: index as always
