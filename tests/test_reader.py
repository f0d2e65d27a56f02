"""The reader through Pelican's real pipeline, and a real build.

``read`` goes through ``pelican.readers.Readers.read_file`` (the path every
article takes, typogrify included); ``site`` is a full ``pelican`` run.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from pelican.contents import Article
from pelican.readers import Readers
from pelican.settings import read_settings

import newsdigest
from conftest import FIXTURES, REFERENCE_DATE, ROOT, SEED, run_build

NB = "\u00a0"


@pytest.fixture(scope="module")
def readers():
    newsdigest.register()
    settings = read_settings(
        str(ROOT / "pelicanconf.py"), override={"DIGEST_REFERENCE_DATE": REFERENCE_DATE}
    )
    return Readers(settings)


def read(readers, path) -> Article:
    return readers.read_file(
        base_path=str(path.parent), path=path.name, content_class=Article, context={}
    )


def test_seed_through_pelican(readers):
    article = read(readers, SEED)
    assert article.title.startswith(
        f"Министр иностранных дел России Сергей Лавров поговорил по{NB}телефону"
    )
    assert article.date.date() == dt.date(2025, 2, 15)
    assert article.category.name == "Зеркало"
    assert article.source == "Зеркало"
    assert len(article.headlines) == 16
    assert article.headlines[15].startswith("Возобновление военной помощи")
    assert article.caption == "Марко Рубио, Сергей Лавров."
    assert article.credit == "Фото: wikipedia.org, коллаж: «Зеркало»."
    assert article.lang == "ru"
    assert article.status == "published"
    assert article.digest_kind == "article"
    assert article.summary.startswith(f"В{NB}субботу, 15{NB}февраля, министр")
    assert article.words == 215 and article.reading_time == 1
    assert article.slug == "ministr-inostrannykh-del-rossii-sergei-lavrov-pogovoril-po-telefonu-so-svoim"
    assert article.url == f"2025/02/{article.slug}.html"


def test_typogrify_runs_without_english_quotes(readers):
    article = read(readers, FIXTURES / "listed_full.txt")
    assert "«Зеркало»" in article.content
    assert "“" not in article.content and "&#8220;" not in article.content


def test_headline_only_dump_is_hidden_with_its_headlines(readers):
    article = read(readers, FIXTURES / "headlines_midword.txt")
    assert article.status == "hidden"
    assert article.digest_kind == "headlines"
    assert len(article.headlines) == 8


def test_tags_from_header(readers):
    article = read(readers, FIXTURES / "overrides.txt")
    assert [tag.name for tag in article.tags] == ["Гродно", "Транспорт"]
    assert article.category.name == "Вестник Полесья"


def test_markup_in_a_dump_is_escaped(readers, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(
        "Title: <img src=x onerror=alert(1)>\n\n"
        "  1. <script>alert('list')</script>\n/\n\n"
        "15 февраля 2025 года <script>alert(1)</script> & <b>жирный</b> текст новости.\n",
        "utf-8",
    )
    article = read(readers, path)
    assert "<script" not in article.content and "<b>" not in article.content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article.content
    assert "<img" not in article.title and "&lt;img" in article.title
    # Headlines stay plain text; the theme escapes them when it renders.
    assert article.headlines == ["<script>alert(«list»)</script>"]


# --- a real build --------------------------------------------------------------------


def page_of(site, slug_part: str):
    matches = [p for p in site.html_files() if slug_part in p.name]
    assert len(matches) == 1, matches
    return matches[0]


def test_build_exits_cleanly(site):
    assert site.returncode == 0
    assert "Could not process" not in site.log
    assert "Traceback" not in site.log


def test_seed_article_page(site):
    path = page_of(site, "ministr-inostrannykh-del-rossii-sergei-lavrov")
    assert path.relative_to(site.output).parts[:2] == ("2025", "02")
    html = path.read_text("utf-8")
    soup = site.soup(str(path.relative_to(site.output)))
    assert "Министр иностранных дел России Сергей Лавров" in soup.title.get_text()
    texts = [p.get_text() for p in soup.find_all("p")]
    assert "Пресс-релиз американской стороны пока не\xa0опубликован." in texts
    assert any(t.startswith("Согласно сообщению российского ведомства, Рубио и\xa0Лавров") for t in texts)
    assert sum("Марко Рубио, Сергей Лавров." in t for t in texts) == 0  # not a paragraph
    captions = soup.select("figure.photo-caption figcaption")
    assert len(captions) == 1
    assert captions[0].get_text(" ", strip=True) == (
        "Марко Рубио, Сергей Лавров. Фото: wikipedia.org, коллаж: «Зеркало»."
    )
    assert html.count("wikipedia.org, коллаж") == 1
    assert "\xa0" in soup.get_text()  # non-breaking spaces survive into the HTML
    assert soup.find("time")["datetime"].startswith("2025-02-15")


def test_no_page_for_headline_only_or_rejected_dumps(site):
    names = " ".join(p.name for p in site.html_files())
    for stem in ("headlines-midword", "headlines-bare-number", "empty", "whitespace-only"):
        assert f"dump-{stem}" not in names
    assert "Первый заголовок о погоде в Минске" not in "".join(
        p.read_text("utf-8") for p in site.output.glob("20*/**/*.html")
    )


def test_one_warning_line_per_bad_file(site):
    for name, reason in (
        ("empty.txt", "rejected: empty: no text"),
        ("whitespace_only.txt", "rejected: empty: no text"),
        ("no_date.txt", "no date in the text; using the file's modification date"),
    ):
        lines = [line for line in site.log_lines(name) if "WARNING" in line]
        assert len(lines) == 1, (name, lines)
        assert reason in lines[0]


def test_slugs_are_unique(site):
    a = page_of(site, "v-gomele-proshel-gorodskoi-zabeg.html")
    b = page_of(site, "v-gomele-proshel-gorodskoi-zabeg-2.html")
    assert "Больше тысячи" in a.read_text("utf-8") or "больше тысячи" in a.read_text("utf-8")
    assert "морозной" in b.read_text("utf-8")


def test_override_slug_stays_inside_output(site):
    path = page_of(site, "svoi-zagolovok.html")
    assert path.relative_to(site.output).as_posix() == "2024/12/svoi-zagolovok.html"
    assert not any("passwd" in p.name for p in site.output.rglob("*"))


def test_binary_file_is_rejected_and_the_rest_is_built(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    build = run_build(tmp_path, {"photo.txt": png, SEED.name: SEED})
    assert build.returncode == 0
    warnings = [line for line in build.log_lines("photo.txt") if "WARNING" in line]
    assert len(warnings) == 1 and "rejected: binary data, not text" in warnings[0]
    assert len(build.article_files()) == 1


def test_no_date_uses_file_time(tmp_path):
    seeds = tmp_path / "in"
    seeds.mkdir()
    dump_path = seeds / "no_date.txt"
    dump_path.write_bytes((FIXTURES / "no_date.txt").read_bytes())
    moment = dt.datetime(2023, 7, 9, 12, 0).timestamp()
    os.utime(dump_path, (moment, moment))
    build = run_build(tmp_path, {"no_date.txt": dump_path})
    assert build.returncode == 0
    assert "no_date.txt: no date in the text; using the file's modification date 2023-07-09" in build.log
    assert page_of(build, "zhiteli-poselka").relative_to(build.output).parts[:2] == ("2023", "07")
