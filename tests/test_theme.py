"""The theme, through real Pelican builds of the seed and the theme fixtures.

Two builds per session: the development settings (``pelicanconf.py``,
relative links, three articles per page so that the digest paginates) and
the publishing settings (``publishconf.py``: absolute links, Atom feeds).
Every assertion reads the written HTML (BeautifulSoup) or feed (feedparser).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, SEED, Build, fixture_dumps, run_build

THEME_FIXTURES = sorted(path.name for path in FIXTURES.glob("theme_*.txt"))
SITEURL = "https://digest.example.org"
CSS = "theme/css/style.css"

FAIR_PAGE = "2025/02/grodno-cheese-fair.html"
FAIR_TITLE = "В Гродно открылась вымышленная сырная ярмарка"
FAIR_LEAD = (
    "В пятницу, 14 февраля, в Гродно открылась вымышленная сырная ярмарка, "
    "на которую приехали фермеры из шести районов области."
)
BE_PAGE = "2025/02/vitsebsk-exhibition.html"
BE_TITLE = "У Віцебску адкрылі выдуманую выставу дзіцячых малюнкаў"
SCRIPT_PAGE = "2024/12/escaping-check.html"
SCRIPT_TITLE = "Проверка экранирования <script>alert(1)</script> в заголовке"
GENERIC_TITLE = "Вымышленная компания из Таллина показала складной электровелосипед"
SEED_CAPTURE = "dump-000_80243a7568773db2"

MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
RUSSIAN_DATE = re.compile(rf"\b\d{{1,2}}\s(?:{MONTHS.replace(' ', '|')})\s\d{{4}}\b")


def text(node) -> str:
    """Visible text with non-breaking and other spaces folded to one space."""
    return re.sub(r"\s+", " ", node.get_text() if hasattr(node, "get_text") else node).strip()


def seed_headlines() -> list[str]:
    """The seed's numbered list, read straight from the file."""
    items = re.findall(r"^\s*\d+\.\s+(.+?)\s*$", SEED.read_text("utf-8"), re.M)
    return [text(item) for item in items]


def dumps() -> dict[str, Path]:
    return {SEED.name: SEED, **fixture_dumps(*THEME_FIXTURES)}


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Build:
    build = run_build(tmp_path_factory.mktemp("theme-dev"), dumps(), {"DEFAULT_PAGINATION": 3})
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="module")
def pub(tmp_path_factory) -> Build:
    build = run_build(
        tmp_path_factory.mktemp("theme-pub"), dumps(), {"SITEURL": SITEURL}, conf="publishconf.py"
    )
    assert build.returncode == 0, build.log
    return build


def main(build: Build, page: str):
    return build.soup(page).find("main")


@pytest.fixture(scope="module")
def seed(dev) -> tuple[str, str]:
    """The seed article's page and title, as the reader made them (its title
    is inferred), found through the roundup's link from the seed's list."""
    link = dev.soup("headlines.html").find(id=SEED_CAPTURE).select_one(".meta a")
    page = link["href"].removeprefix("./")
    assert re.fullmatch(r"2025/02/[a-z0-9-]+\.html", page)
    assert text(link).startswith("Министр иностранных дел России Сергей Лавров")
    return page, text(link)


# --- the digest ------------------------------------------------------------------------


def test_home_groups_articles_under_russian_day_headings(dev, seed):
    _seed_page, seed_title = seed
    page1, page2 = main(dev, "index.html"), main(dev, "index2.html")
    headings = page1.select("h2.day-heading")
    assert [text(h) for h in headings] == ["15 февраля 2025, суббота", "14 февраля 2025, пятница"]
    assert [h.time["datetime"] for h in headings] == ["2025-02-15", "2025-02-14"]
    assert headings[0].a["href"] == "./2025/02/15/index.html"
    # Newest first; one day's articles under one heading, in file-name order.
    first_day = headings[0].find_parent("section")
    assert [text(a.h3) for a in first_day.select("article.entry")] == [seed_title, BE_TITLE]
    assert [text(h) for h in page2.select("h2.day-heading")] == [
        "20 января 2025, понедельник",
        "31 декабря 2024, вторник",
    ]
    assert not (dev.output / "index3.html").exists()


def test_digest_paginates(dev):
    nav1 = dev.soup("index.html").find("nav", attrs={"aria-label": "Страницы"})
    assert text(nav1) == "Страница 1 из 2 Раньше →"
    assert nav1.find("a", rel="next")["href"] == "./index2.html"
    nav2 = dev.soup("index2.html").find("nav", attrs={"aria-label": "Страницы"})
    assert text(nav2) == "← Новее Страница 2 из 2"
    assert dev.soup("index2.html").title.string == "Новости по дням, страница 2 — Дайджест новостей"


def test_entry_shows_title_source_lead_and_tags(dev):
    entry = next(
        e for e in main(dev, "index.html").select("article.entry") if text(e.h3) == FAIR_TITLE
    )
    assert entry.h3.a["href"] == f"./{FAIR_PAGE}"
    source = entry.select_one(".meta a")
    assert (text(source), source["href"]) == ("Зеркало", "./source/zerkalo.html")
    assert text(entry.select_one("p.lead")) == FAIR_LEAD
    # The dump's own tags first, then the named entities the plugin found.
    assert [(text(a), a["href"]) for a in entry.select(".tags a")][:3] == [
        ("Экономика", "./tag/ekonomika.html"),
        ("Гродно", "./tag/grodno.html"),
        ("Ярмарки", "./tag/iarmarki.html"),
    ]


# --- the article page ----------------------------------------------------------------


def test_article_page(dev, seed):
    seed_page, seed_title = seed
    soup = dev.soup(seed_page)
    story = soup.select_one("main article.story")
    assert text(story.h1) == seed_title
    assert soup.title.string.replace("\xa0", " ") == f"{seed_title} — Дайджест новостей"
    date = story.select_one("header .meta time")
    assert (date["datetime"], text(date)) == ("2025-02-15", "15 февраля 2025, суббота")
    assert date.parent["href"] == "../../2025/02/15/index.html"
    source = story.select_one("header .meta a[href$='zerkalo.html']")
    assert (text(source), source["href"]) == ("Зеркало", "../../source/zerkalo.html")
    assert "1 мин чтения" in text(story.select_one("header .meta"))
    lead = story.select_one("p.lead")
    assert text(lead).startswith("В субботу, 15 февраля, министр иностранных дел России")
    # The lead is shown once, above the body; the body keeps its other paragraphs.
    assert sum(text(p) == text(lead) for p in story.find_all("p")) == 1
    body = [p for p in story.find_all("p", recursive=False) if "lead" not in p.get("class", [])]
    assert len(body) == 5
    assert body[-2]["class"] == ["direct-speech"]
    assert text(body[-1]) == "Пресс-релиз американской стороны пока не опубликован."
    # The photo caption reads as a caption: once, after the lead, credit apart.
    figures = story.select("figure.photo-caption")
    assert len(figures) == 1
    assert figures[0].find_previous_sibling() is lead
    assert text(figures[0].select_one(".caption")) == "Марко Рубио, Сергей Лавров."
    assert text(figures[0].select_one(".credit")) == "Фото: wikipedia.org, коллаж: «Зеркало»."


def test_article_neighbours_and_roundup_link(dev, seed):
    seed_page, seed_title = seed
    # The digest's order: seed, Belarusian (both 15 February), fair (14th)...
    nav = main(dev, BE_PAGE).find("nav", attrs={"aria-label": "Соседние статьи"})
    older, newer = nav.find("a", rel="prev"), nav.find("a", rel="next")
    assert (text(older), older["href"]) == (FAIR_TITLE, f"../../{FAIR_PAGE}")
    assert (text(newer), newer["href"], newer.get("lang")) == (
        seed_title,
        f"../../{seed_page}",
        "ru",
    )
    older = main(dev, seed_page).find("a", rel="prev")
    assert (text(older), older["href"], older["lang"]) == (BE_TITLE, f"../../{BE_PAGE}", "be")
    roundup = main(dev, seed_page).select_one("p.roundup a")
    assert roundup["href"] == f"../../headlines.html#{SEED_CAPTURE}"
    assert dev.soup("headlines.html").find(id=SEED_CAPTURE) is not None
    # The newest article has no newer one, the oldest no older one.
    assert main(dev, seed_page).find("a", rel="next") is None
    assert main(dev, SCRIPT_PAGE).find("a", rel="prev") is None
    assert text(main(dev, SCRIPT_PAGE).find("a", rel="next")) == GENERIC_TITLE


def _tag_groups(page) -> list[tuple[str, list[str]]]:
    groups = page.select_one("article.story footer dl.tag-groups")
    return [(text(dt), [text(a) for a in dt.find_next_sibling("dd").select(".tags a")])
            for dt in groups.find_all("dt")]


def test_article_tags(dev):
    tags = main(dev, FAIR_PAGE).select("article.story footer .tags a")
    hrefs = {text(a): a["href"] for a in tags}
    assert hrefs["Экономика"] == "../../tag/ekonomika.html"
    assert hrefs["Ярмарки"] == "../../tag/iarmarki.html"
    assert hrefs["Гродно"] == "../../tag/grodno.html"
    # the dump's own tags are topics, unless the model names them too (Гродно)
    assert _tag_groups(main(dev, FAIR_PAGE)) == [
        ("Люди", ["Иван Петров"]), ("Места", ["Гродно"]), ("Темы", ["Экономика", "Ярмарки"]),
    ]


def test_article_tags_are_grouped_by_kind_in_salience_order(dev, seed):
    seed_page, _ = seed
    assert _tag_groups(main(dev, seed_page)) == [
        ("Люди", ["Сергей Лавров", "Марко Рубио", "Дональд Трамп", "Владимир Путин"]),
        ("Места", ["Россия", "США", "Украина"]),
        ("Организации", ["МИД России"]),
    ]


def test_html_lang_follows_the_article(dev, seed):
    seed_page, _seed_title = seed
    assert dev.soup(seed_page).html["lang"] == "ru"
    assert dev.soup("index.html").html["lang"] == "ru"
    be = dev.soup(BE_PAGE)
    assert be.html["lang"] == "be"
    assert text(be.h1) == BE_TITLE
    # The Russian interface around a Belarusian text says so.
    assert be.select_one("header.site")["lang"] == "ru"
    assert be.select_one("footer.site")["lang"] == "ru"
    assert be.select_one("article.story header .meta")["lang"] == "ru"
    # In lists, a Belarusian entry carries its own language.
    entry = next(
        e for e in main(dev, "index.html").select("article.entry") if text(e.h3) == BE_TITLE
    )
    assert entry["lang"] == "be"


# --- tags, sources, archives ---------------------------------------------------------------


def counts(soup) -> dict[str, tuple[str, str]]:
    return {
        text(li.a): (li.a["href"], text(li.select_one(".count")))
        for li in soup.select("ul.counts > li")
    }


COUNT = re.compile(r"\d+ стать(я|и|ей)( · \d+ заголов(ок|ка|ков))?|\d+ заголов(ок|ка|ков)")


def test_tags_index_by_kind_with_counts(dev):
    index = dev.soup("tags.html")
    kinds = {text(section.h2): counts(section) for section in index.select("main section")}
    order = ["Люди", "Места", "Организации", "Темы"]
    assert list(kinds) == [kind for kind in order if kind in kinds]
    # The dumps' own tags; Гродно is also a place the plugin found, so it is
    # listed with the places.
    assert {
        name: value for name, value in kinds["Темы"].items() if not value[1].endswith("заголовка")
    } == {
        "<b>Безопасность</b>": ("./tag/bezopasnost.html", "1 статья"),
        "Віцебск": ("./tag/vitsebsk.html", "1 статья"),
        "Культура": ("./tag/kultura.html", "1 статья"),
        "Технологии": ("./tag/tekhnologii.html", "1 статья"),
        "Экономика": ("./tag/ekonomika.html", "3 статьи"),
        "Ярмарки": ("./tag/iarmarki.html", "1 статья"),
    }
    everything = {name: value for group in kinds.values() for name, value in group.items()}
    assert everything["Гродно"][0] == "./tag/grodno.html"
    assert everything["Гродно"][1].startswith("1 статья")
    for name, (href, count) in everything.items():
        assert COUNT.fullmatch(count), (name, count)
        assert (dev.output / href).is_file(), href


def test_tag_page(dev):
    tag = dev.soup("tag/ekonomika.html")
    assert text(tag.h1) == "Экономика"
    assert text(tag.select_one("main .intro")).startswith("Тема · 3 статьи.")
    titles = [text(a.h3) for a in tag.select("main article.entry")]
    assert titles == [FAIR_TITLE, GENERIC_TITLE, SCRIPT_TITLE]
    assert tag.select_one("a[aria-current=page]")["href"] == "../tags.html"
    assert tag.find(id="named") is None  # no headline names a topic


def test_tag_pages_of_entities_only_in_headlines(dev):
    """An entity named only in headline lists has a page with those headlines."""
    index = counts(dev.soup("tags.html"))
    only = {name: href for name, (href, count) in index.items() if "стат" not in count}
    assert only, "no entity found in the seed's 16 headlines"
    for name, href in only.items():
        page = dev.soup(href)
        assert text(page.h1) == name
        assert page.select("main article.entry") == []
        items = page.select("#named ~ ul.named > li")
        assert len(items) == int(index[name][1].split()[0])
        slug = href.removeprefix("./tag/")
        for li in items:  # the entity is a link to this page
            assert f"../tag/{slug}" in [a["href"] for a in li.find_all("a")], li


def test_sources_index_and_source_pages(dev):
    assert counts(dev.soup("sources.html")) == {
        "Зеркало": ("./source/zerkalo.html", "4 статьи"),
        "Медуза": ("./source/meduza.html", "1 статья"),
    }
    source = dev.soup("source/meduza.html")
    assert text(source.h1) == "Источник: Медуза"
    assert [text(a.h3) for a in source.select("main article.entry")] == [GENERIC_TITLE]
    assert [text(h) for h in source.select("h2.day-heading")] == ["20 января 2025, понедельник"]
    # Three to a page: the source with four articles has two pages.
    assert (dev.output / "source/zerkalo2.html").exists()


def test_period_archives(dev, seed):
    _seed_page, seed_title = seed
    assert counts(dev.soup("archives.html")) == {
        "Февраль 2025": ("./2025/02/index.html", "3 статьи"),
        "Январь 2025": ("./2025/01/index.html", "1 статья"),
        "Декабрь 2024": ("./2024/12/index.html", "1 статья"),
    }
    years = dev.soup("archives.html").select("main section h2")
    assert [text(h) for h in years] == ["2025 4 статьи", "2024 1 статья"]
    year = dev.soup("2025/index.html")
    assert text(year.h1) == "2025"
    assert list(counts(year)) == ["Февраль 2025", "Январь 2025"]
    month = dev.soup("2025/02/index.html")
    assert (text(month.h1), month.h1.time["datetime"]) == ("Февраль 2025", "2025-02")
    assert [text(h) for h in month.select("h2.day-heading")] == [
        "15 февраля 2025, суббота",
        "14 февраля 2025, пятница",
    ]
    day = dev.soup("2025/02/15/index.html")
    assert (text(day.h1), day.h1.time["datetime"]) == ("15 февраля 2025, суббота", "2025-02-15")
    assert [text(a.h2) for a in day.select("main article.entry")] == [seed_title, BE_TITLE]


# --- the headline roundup ------------------------------------------------------------


def test_roundup_lists_every_capture_as_it_was(dev, seed):
    seed_page, _seed_title = seed
    soup = dev.soup("headlines.html")
    expected = seed_headlines()
    assert len(expected) == 16
    capture = soup.find(id=SEED_CAPTURE)
    items = [text(li) for li in capture.select("ol > li")]
    assert items == expected
    assert items[0].startswith("В Беларуси дорожает автомобильное топливо")
    assert items[15].startswith("Возобновление военной помощи")
    assert capture.select_one(".meta a")["href"] == f"./{seed_page}"
    # A headline-only dump: its list (the cut last item dropped), no article.
    only = soup.find(id="dump-theme_03_headlines_only")
    assert [text(li) for li in only.select("ol > li")] == [
        "Вымышленный заголовок: в Бресте запустили ночной трамвай",
        "Выдуманная новость: пекарни Гомеля перешли на ржаной хлеб",
        "Придуманное интервью с садовником о зимних яблонях",
    ]
    meta = text(only.select_one(".meta"))
    assert "только заголовки" in meta and "снимок обрезан" in meta
    assert only.select_one(".meta a") is None
    assert text(only.h3) == "Зеркало, 13 февраля 2025"


def test_roundup_merged_list(dev):
    soup = dev.soup("headlines.html")
    items = soup.select("#merged ~ ol.merged > li")
    rows = {text(li.select_one(".headline")): text(li.select_one(".meta")) for li in items}
    assert len(items) == len(rows) == 16 + 3 + 3 + 2 + 2
    for position, headline in enumerate(seed_headlines(), start=1):
        assert rows[headline] == f"1 снимок · лучшее место: {position}"
    assert (
        rows["Придуманное интервью с садовником о зимних яблонях"] == "1 снимок · лучшее место: 3"
    )
    # Most captures first, then the best position.
    best = [int(re.search(r"место: (\d+)", text(li)).group(1)) for li in items]
    assert best == sorted(best)
    # A headline that names an article links to it.
    fair = next(li for li in items if text(li).startswith("Выдуманный заголовок: в Гродно"))
    assert fair.select_one(".meta a")["href"] == f"./{FAIR_PAGE}"
    assert text(fair.select_one(".meta")) == "1 снимок · лучшее место: 1 · статья"
    assert text(soup.select_one("main .intro")).endswith("5 снимков, 26 заголовков без повторов.")


# --- feeds (publishing settings) ---------------------------------------------------------


def test_atom_feeds_are_valid(pub, seed):
    seed_page, _seed_title = seed
    feeds = pub.output / "feeds"
    whole = feedparser.parse((feeds / "all.atom.xml").read_bytes())
    assert not whole.bozo, whole.get("bozo_exception")
    assert whole.feed.title == "Дайджест новостей"
    # Newest first (the two articles of 15 February in either order).
    assert {e.link for e in whole.entries[:2]} == {f"{SITEURL}/{BE_PAGE}", f"{SITEURL}/{seed_page}"}
    assert len(whole.entries) == 5
    expected = {
        "source/zerkalo.atom.xml": 4,
        "source/meduza.atom.xml": 1,
        "tag/ekonomika.atom.xml": 3,
        "tag/bezopasnost.atom.xml": 1,
        "tag/vitsebsk.atom.xml": 1,
    }
    for name, entries in expected.items():
        feed = feedparser.parse((feeds / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert len(feed.entries) == entries, name
        assert all(e.link.startswith(SITEURL + "/") for e in feed.entries)
    script = feedparser.parse((feeds / "tag/bezopasnost.atom.xml").read_bytes()).entries[0]
    assert "<script>" in script.title  # a title in plain text, as written in the dump
    assert "<script>" not in script.content[0].value  # the HTML content, escaped


def test_pages_link_their_feeds(pub):
    def alternate(page):
        return [
            link["href"]
            for link in pub.soup(page).find_all("link", rel="alternate")
            if link.get("type") == "application/atom+xml"
        ]

    assert alternate("index.html") == [f"{SITEURL}/feeds/all.atom.xml"]
    assert alternate("tag/ekonomika.html")[1] == f"{SITEURL}/feeds/tag/ekonomika.atom.xml"
    assert alternate("source/meduza.html")[1] == f"{SITEURL}/feeds/source/meduza.atom.xml"
    assert pub.soup("tag/ekonomika.html").find("a", string="Лента Atom")["href"] == (
        f"{SITEURL}/feeds/tag/ekonomika.atom.xml"
    )


def test_no_feeds_without_siteurl(dev):
    assert not (dev.output / "feeds").exists()
    assert dev.soup("index.html").find("link", rel="alternate") is None


# --- links, dates, markup --------------------------------------------------------------


def targets(soup):
    """Every href and src, but the empty icon that stops a favicon request."""
    for tag in soup.find_all(href=True):
        if not (tag.name == "link" and tag["rel"] == ["icon"] and tag["href"] == "data:,"):
            yield tag["href"]
    for tag in soup.find_all(src=True):
        yield tag["src"]


def resolve(output: Path, page: Path, url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_development_links_are_relative_and_resolve(dev):
    """Every link works from a plain folder (file://): relative, to a file."""
    checked = 0
    for page in dev.html_files():
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for url in targets(soup):
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, (page, url)
            assert not url.startswith("/"), (page, url)
            target, fragment = resolve(dev.output, page, url)
            assert target.is_file() and target.name != "", (page, url)
            assert dev.output.resolve() in target.parents, (page, url)
            if fragment:
                linked = BeautifulSoup(target.read_text("utf-8"), "html.parser")
                assert linked.find(id=fragment) is not None, (page, url)
            checked += 1
    assert checked > 300


def test_published_links_stay_under_siteurl(pub):
    for page in pub.html_files():
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for url in targets(soup):
            if url.startswith("#"):
                continue
            assert url.startswith(SITEURL + "/"), (page, url)
            path = unquote(urlsplit(url).path).lstrip("/")
            target = pub.output / path
            if url.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), (page, url)


def test_every_date_is_a_time_element(dev, seed):
    seed_page, _seed_title = seed
    for page in dev.html_files():
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        times = soup.find_all("time")
        for time in times:
            assert re.fullmatch(r"\d{4}(-\d\d){0,2}", time["datetime"]), (page, time)
        in_times = sum(len(RUSSIAN_DATE.findall(text(t))) for t in times)
        assert len(RUSSIAN_DATE.findall(text(soup.body))) == in_times, page
    assert len(dev.soup(seed_page).find_all("time")) == 1


def test_landmarks_skip_link_and_one_h1(dev):
    for page in dev.html_files():
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        first = soup.body.find(True)
        assert first.name == "a" and first["href"] == "#main" and "skip" in first["class"], page
        assert soup.select_one("body > main#main") is not None, page
        assert soup.select_one("body > header.site nav[aria-label]") is not None, page
        assert soup.select_one("body > footer.site") is not None, page
        assert len(soup.find_all("h1")) == 1, page
        assert soup.find("meta", attrs={"name": "viewport"}) is not None, page
        # No script but data (an article's JSON-LD) and the search page's own file.
        scripts = [(s.get("type"), s.get("src")) for s in soup.find_all("script")]
        allowed = [("application/ld+json", None)] if page in dev.article_files() else []
        if page == dev.output / "search.html":
            allowed = [(None, "./theme/js/search.js")]
        assert scripts == allowed, page
        assert soup.find_all("img") == [], page
        assert text(soup.html) != "" and "Page" not in text(soup.find("nav"))


def test_one_small_stylesheet_and_light_pages(dev):
    static = sorted(
        p.relative_to(dev.output).as_posix()
        for p in (dev.output / "theme").rglob("*")
        if p.is_file()
    )
    assert static == [CSS, "theme/js/search.js"]
    css = (dev.output / CSS).read_text("utf-8")
    for page in dev.html_files():
        sheets = BeautifulSoup(page.read_text("utf-8"), "html.parser").find_all(
            "link", rel="stylesheet"
        )
        assert len(sheets) == 1 and sheets[0]["href"].endswith(CSS), page
    # Article pages: HTML plus CSS under 30 KB.
    articles = [
        p
        for p in dev.html_files()
        if re.fullmatch(r"\d{4}/\d\d/[^/]+\.html", p.relative_to(dev.output).as_posix())
        and p.name != "index.html"
    ]
    assert len(articles) == 5
    css_bytes = len(css.encode())
    heaviest = max(len(p.read_bytes()) for p in articles)
    assert heaviest + css_bytes < 30 * 1024, (heaviest, css_bytes)
    # Nothing from other hosts, system fonts, the required media queries.
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "system-ui" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert ":focus-visible" in css


def hex_colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_contrast_in_light_and_dark(dev):
    css = (dev.output / CSS).read_text("utf-8")
    light = hex_colours(css.split("@media (prefers-color-scheme: dark)")[0])
    dark = {
        **light,
        **hex_colours(css.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]),
    }
    assert light["bg"] != dark["bg"]
    for scheme in (light, dark):
        for fg in ("fg", "muted", "link", "visited", "accent"):
            for bg in ("bg", "tint"):
                assert contrast(scheme[fg], scheme[bg]) >= 4.5, (fg, bg, scheme)
        assert contrast(scheme["focus"], scheme["bg"]) >= 3  # a focus ring, not text


def test_dump_markup_comes_out_escaped(dev):
    raw = (dev.output / SCRIPT_PAGE).read_text("utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    scripts = soup.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]  # data, never run
    assert "<" not in scripts[0].string  # the JSON cannot close its element
    assert soup.find_all("i") == [] and soup.find_all("b") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>" not in raw and "<b>" not in raw
    assert text(soup.h1) == SCRIPT_TITLE
    assert text(soup.select_one("main p.lead")).startswith(
        "Проверка экранирования <script>alert(1)</script> в тексте"
    )
    assert "<i>курсив</i>" in text(soup.main)
    assert "<b>Безопасность</b>" in [text(a) for a in soup.select(".tags a")]
    for page in ("headlines.html", "index2.html", "tags.html", "tag/bezopasnost.html"):
        html = (dev.output / page).read_text("utf-8")
        assert "<script" not in html and "<b>" not in html, page
    roundup = dev.soup("headlines.html")
    assert "Заголовок со скриптом <script>alert(1)</script> внутри списка" in [
        text(li) for li in roundup.select(".capture li")
    ]


# --- per-build caches of the template filters -------------------------------------------


def test_rendered_once_reuses_a_fragment_within_a_build_only():
    from jinja2 import Environment

    from newsdigest.templating import build_filters

    class Item:
        def __init__(self, name):
            self.name = name

    def environment():
        env = Environment(autoescape=True)
        filters, template_globals = build_filters()
        env.filters.update(filters)
        env.globals.update(template_globals)
        return env

    renders = []
    source = (
        "{% macro _entry(item, SITEURL) %}{{ count(item) }}{{ SITEURL }}/{{ item.name }}{% endmacro %}"
        "{{ rendered_once(_entry, item, SITEURL) }}|{{ rendered_each(_entry, [item, item], SITEURL) }}"
    )
    env = environment()
    env.globals["count"] = lambda item: renders.append(item.name) or ""
    template = env.from_string(source)
    first, second = Item("a"), Item("b")
    assert template.render(item=first, SITEURL="..") == "../a|../a\n../a"
    assert renders == ["a"]  # rendered once, reused
    assert template.render(item=first, SITEURL="../..") == "../../a|../../a\n../../a"
    assert template.render(item=second, SITEURL="..") == "../b|../b\n../b"
    assert renders == ["a", "a", "b"]  # another SITEURL, another object: rendered again
    second.name = "changed"  # the next build has a new environment, so new caches
    env = environment()
    env.globals["count"] = lambda item: ""
    assert env.from_string(source).render(item=second, SITEURL="..") == (
        "../changed|../changed\n../changed")


def test_rendered_once_tells_macros_of_one_name_and_true_from_one_apart():
    from jinja2 import DictLoader, Environment

    from newsdigest.templating import build_filters

    env = Environment(loader=DictLoader({
        "a.html": "{% macro item(x) %}A:{{ x }}{% endmacro %}",
        "b.html": "{% macro item(x) %}B:{{ x }}{% endmacro %}",
        "page.html": '{% import "a.html" as a %}{% import "b.html" as b %}'
                     "{{ rendered_once(a.item, 1) }} {{ rendered_once(b.item, 1) }} "
                     "{{ rendered_once(a.item, True) }} {{ rendered_each(b.item, [True, 1]) }}",
    }))
    filters, template_globals = build_filters()
    env.filters.update(filters)
    env.globals.update(template_globals)
    assert env.get_template("page.html").render() == "A:1 B:1 A:True B:True\nB:1"


def test_memoized_filters_give_the_plain_results():
    import datetime as dt

    from newsdigest import templating

    filters, _ = templating.build_filters()
    day = dt.datetime(2025, 2, 15, 10, 30)
    for pattern in ("d MMMM y", "d MMMM y, EEEE"):
        assert filters["ru_date"](day, pattern) == templating.ru_date(day, pattern)
        assert filters["ru_date"](day.date(), pattern) == templating.ru_date(day, pattern)
    for count in (0, 1, 2, 5, 11, 21, 22, 25, 101):
        assert filters["plural"](count, "статья", "статьи", "статей") == templating.plural(
            count, "статья", "статьи", "статей")
