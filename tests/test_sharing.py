"""Sharing and indexing: canonical links, descriptions, OpenGraph, JSON-LD
``NewsArticle``, sitemap.xml and robots.txt, from real builds.

The publishing build (``publishconf.py``, absolute ``SITEURL``) carries the
addresses; the development build (relative URLs) has none of them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, ROOT, SEED, Build, fixture_dumps, run_build

SITEURL = "https://digest.example.org/news"
DUMPS = [*sorted(p.name for p in FIXTURES.glob("theme_*.txt")), "csp_01_headers.txt"]
FAIR_PAGE = "2025/02/grodno-cheese-fair.html"
BE_PAGE = "2025/02/vitsebsk-exhibition.html"
HOSTILE_PAGE = "2025/01/csp-headers-check.html"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def text(value) -> str:
    return re.sub(r"\s+", " ", value.get_text() if hasattr(value, "get_text") else value).strip()


@pytest.fixture(scope="module")
def pub(tmp_path_factory) -> Build:
    build = run_build(
        tmp_path_factory.mktemp("sharing-pub"),
        {SEED.name: SEED, **fixture_dumps(*DUMPS)},
        {"SITEURL": SITEURL},
        conf="publishconf.py",
    )
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Build:
    build = run_build(tmp_path_factory.mktemp("sharing-dev"), {SEED.name: SEED})
    assert build.returncode == 0, build.log
    return build


def page_name(build: Build, path: Path) -> str:
    return path.relative_to(build.output).as_posix()


def to_file(build: Build, url: str) -> Path:
    """The output file an absolute site address serves."""
    assert url.startswith(SITEURL + "/"), url
    path = unquote(urlsplit(url).path).removeprefix(urlsplit(SITEURL).path).lstrip("/")
    target = build.output / path
    return target / "index.html" if url.endswith("/") else target


def json_ld(soup) -> dict:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def seed_page(build: Build) -> str:
    pages = [p for p in build.article_files() if "sergei-lavrov" in p.name]
    assert len(pages) == 1
    return page_name(build, pages[0])


# --- JSON-LD -------------------------------------------------------------------------


def test_json_ld_news_article(pub):
    page = seed_page(pub)
    soup = pub.soup(page)
    data = json_ld(soup)
    url = f"{SITEURL}/{page}"
    tags = [text(a) for a in soup.select("main .tags a")]
    assert tags  # the seed has entity tags
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert text(data["headline"]) == text(soup.h1)
    assert data["headline"].startswith("Министр иностранных дел России Сергей Лавров")
    assert data["datePublished"] == "2025-02-15T00:00:00+03:00"
    assert data["inLanguage"] == "ru"
    assert data["publisher"] == {"@type": "Organization", "name": "Зеркало"}
    assert data["author"] == data["publisher"]
    assert sorted(data["keywords"]) == sorted(tags)  # the page groups them by kind
    # in the article's order, as the meta tags
    assert data["keywords"] == [m["content"] for m in soup.find_all("meta", property="article:tag")]
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert text(data["description"]) == text(soup.select_one("main p.lead"))
    assert data["isPartOf"] == {"@type": "WebSite", "name": "Дайджест новостей"}
    assert isinstance(data["wordCount"], int) and data["wordCount"] > 50
    # in the head, where crawlers read it
    assert soup.find("script", type="application/ld+json").find_parent("head") is not None


def test_json_ld_language_and_only_on_articles(pub):
    assert json_ld(pub.soup(BE_PAGE))["inLanguage"] == "be"
    for path in pub.html_files():
        name = page_name(pub, path)
        scripts = BeautifulSoup(path.read_text("utf-8"), "html.parser").find_all(
            "script", type="application/ld+json"
        )
        is_article = path in pub.article_files()
        assert len(scripts) == (1 if is_article else 0), name


def test_json_ld_keeps_markup_from_a_dump_as_text(pub):
    """A title, summary, source and tags full of markup: the JSON stays one
    data block (nothing closes it early) and decodes to the dump's text."""
    raw = (pub.output / HOSTILE_PAGE).read_text("utf-8")
    head = raw.split("</head>")[0]
    assert head.count("<script") == head.count("</script>") == 1
    data = json_ld(BeautifulSoup(raw, "html.parser"))
    assert data["headline"].startswith("</title><script>window.__csp_pwned")
    assert data["description"].startswith("</script><script>window.__csp_pwned")
    assert data["publisher"]["name"] == "<svg onload=alert(5)>Выдуманный листок"
    assert data["keywords"][:2] == ['<script>alert("tag")</script>', "javascript:alert(3)"]


# --- canonical, description, OpenGraph -------------------------------------------------


def meta(soup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


def test_every_page_has_a_canonical_address_and_a_description(pub):
    seen: dict[str, str] = {}
    for path in pub.html_files():
        name = page_name(pub, path)
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        links = soup.find_all("link", rel="canonical")
        assert len(links) == 1, name
        canonical = links[0]["href"]
        assert to_file(pub, canonical) == path, (name, canonical)
        assert canonical not in seen, (name, seen.get(canonical))
        seen[canonical] = name
        assert meta(soup, property="og:url") == canonical, name
        description = meta(soup, name="description")
        assert description and len(description) <= 205, name
        assert meta(soup, property="og:description") == description, name
        assert meta(soup, property="og:site_name") == "Дайджест новостей", name
        assert meta(soup, property="og:title"), name
    assert seen[f"{SITEURL}/"] == "index.html"
    assert seen[f"{SITEURL}/2025/"] == "2025/index.html"


def test_article_opengraph(pub):
    page = seed_page(pub)
    soup = pub.soup(page)
    assert meta(soup, property="og:type") == "article"
    assert text(meta(soup, property="og:title")) == text(soup.h1)
    assert meta(soup, property="og:locale") == "ru_RU"
    assert meta(soup, property="og:url") == f"{SITEURL}/{page}"
    assert meta(soup, property="article:published_time") == "2025-02-15T00:00:00+03:00"
    assert meta(soup, property="article:section") == "Зеркало"
    tags = [m["content"] for m in soup.find_all("meta", property="article:tag")]
    # the page groups its tags by kind; the meta tags keep the article's order
    assert sorted(tags) == sorted(text(a) for a in soup.select("main .tags a"))
    lead = text(soup.select_one("main p.lead"))
    description = meta(soup, name="description")
    assert text(description).rstrip("…").rstrip(".") in lead
    assert meta(pub.soup(BE_PAGE), property="og:locale") == "be_BY"
    home = pub.soup("index.html")
    assert meta(home, property="og:type") == "website"
    assert meta(home, name="description") == "Статьи и заголовки из сохраненных страниц новостных сайтов"


def test_development_build_has_no_addresses(dev):
    for path in dev.html_files():
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        assert soup.find("link", rel="canonical") is None, path
        assert soup.find("meta", property="og:url") is None, path
        assert meta(soup, name="description"), path
    data = json_ld(dev.soup(seed_page(dev)))
    assert "url" not in data and "mainEntityOfPage" not in data
    assert not (dev.output / "sitemap.xml").exists()
    robots = (dev.output / "robots.txt").read_text("utf-8")
    assert robots.startswith("User-agent: *\nDisallow: /pagefind/\n")
    assert "Sitemap:" not in robots


# --- sitemap.xml and robots.txt ------------------------------------------------------------


def test_sitemap_lists_every_page_and_nothing_else(pub):
    root = ET.parse(pub.output / "sitemap.xml").getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    assert len(locs) == len(set(locs)) > 20
    for loc in locs:
        assert to_file(pub, loc).is_file(), loc
    pages = {p for p in pub.html_files() if p.name != "search.html"}
    assert {to_file(pub, loc) for loc in locs} == pages
    # The sitemap's addresses are the pages' canonical ones.
    canonical = {
        BeautifulSoup(p.read_text("utf-8"), "html.parser").find("link", rel="canonical")["href"]
        for p in pages
    }
    assert set(locs) == canonical
    for url in root.findall("s:url", SITEMAP_NS):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d",
                            url.find("s:lastmod", SITEMAP_NS).text)
    article = f"{SITEURL}/{seed_page(pub)}"
    entry = next(u for u in root.findall("s:url", SITEMAP_NS)
                 if u.find("s:loc", SITEMAP_NS).text == article)
    assert entry.find("s:lastmod", SITEMAP_NS).text == "2025-02-15T00:00:00+03:00"


def test_robots_txt_points_at_the_sitemap(pub):
    robots = (pub.output / "robots.txt").read_text("utf-8")
    assert robots.splitlines() == [
        "User-agent: *",
        "Disallow: /news/pagefind/",
        "",
        f"Sitemap: {SITEURL}/sitemap.xml",
    ]


def test_publish_takes_siteurl_from_the_environment(tmp_path):
    """``SITEURL=… make publish``: the address comes from the environment
    (a trailing slash dropped), relative URLs are off, feeds are on."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    output = tmp_path / "output"
    overrides = {
        "ARTICLE_PATHS": [str(seeds)], "DIGEST_REFERENCE_DATE": "2026-11-25",
        "CACHE_PATH": str(tmp_path / "cache"), "DIGEST_REPORT": str(tmp_path / "report.json"),
        "DIGEST_ENTITIES": False,
    }
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "publishconf.py"),
         "-o", str(output), "-e", *[f"{k}={json.dumps(v)}" for k, v in overrides.items()]],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SITEURL": "https://user.example.io/digest/"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    home = BeautifulSoup((output / "index.html").read_text("utf-8"), "html.parser")
    assert home.find("link", rel="canonical")["href"] == "https://user.example.io/digest/"
    assert home.find("link", rel="stylesheet")["href"] == (
        "https://user.example.io/digest/theme/css/style.css"
    )
    assert (output / "feeds" / "all.atom.xml").is_file()
    assert "Sitemap: https://user.example.io/digest/sitemap.xml" in (
        (output / "robots.txt").read_text("utf-8")
    )
    assert (output / "pagefind" / "pagefind.js").is_file()
    search = BeautifulSoup((output / "search.html").read_text("utf-8"), "html.parser")
    assert search.select_one("form.search")["data-bundle"] == (
        "https://user.example.io/digest/pagefind/"
    )
