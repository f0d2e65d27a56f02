"""The reader through Pelican's real pipeline, and a real build.

``read`` goes through ``pelican.readers.Readers.read_file`` (the path every
article takes, typogrify included); ``site`` is a full ``pelican`` run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3

import pytest
from pelican.contents import Article
from pelican.readers import Readers
from pelican.settings import read_settings

import newsdigest
from conftest import FIXTURES, REFERENCE_DATE, ROOT, SEED, run_build

NB = "\u00a0"


@pytest.fixture(scope="module")
def readers(tmp_path_factory):
    newsdigest.register()
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "DIGEST_REFERENCE_DATE": REFERENCE_DATE,
        "DIGEST_CACHE_PATH": str(tmp_path_factory.mktemp("reader-cache")),
    })
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


# --- the reader cache (readcache.py) ---------------------------------------------------

WEEKDAY_STORY = (
    "Поддержать команду Зеркала\n  1. Заголовок из списка\n/\n\n"
    "В субботу, 15 февраля, в Бресте открыли новую библиотеку, в которой можно брать "
    "книги круглосуточно, сообщили в горисполкоме.\n\nКниги выдают автоматы у входа.\n"
)


def cached_reader(folder, **settings):
    """A DumpReader with its cache in ``folder``, as Pelican makes it."""
    from newsdigest.reader import DumpReader

    override = {"DIGEST_REFERENCE_DATE": REFERENCE_DATE, "DIGEST_CACHE_PATH": str(folder),
                "DIGEST_READER_CACHE": True, **settings}
    return DumpReader(read_settings(str(ROOT / "pelicanconf.py"), override=override))


@pytest.fixture
def parses(monkeypatch):
    """How many dumps were parsed (not found in the cache)."""
    from newsdigest import dump

    calls = []
    parse = dump.parse

    def counting(*args, **kwargs):
        calls.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(dump, "parse", counting)
    return calls


def comparable(result):
    """(content, metadata) with Pelican's objects as plain values."""
    content, meta = result
    plain = {}
    for key, value in meta.items():
        if isinstance(value, list):
            value = [getattr(v, "name", v) for v in value]
        plain[key] = getattr(value, "name", value)
    return content, plain


def test_cache_hit_gives_the_same_reading(tmp_path, parses):
    paths = [SEED, *sorted(FIXTURES.glob("*.txt"))]
    uncached = [comparable(cached_reader(tmp_path / "none", DIGEST_READER_CACHE=False)
                           .read(str(p))) for p in paths]
    assert len(parses) == len(paths)
    parses.clear()
    cold = cached_reader(tmp_path / "cache")
    assert [comparable(cold.read(str(p))) for p in paths] == uncached
    cold._open_cache().close()
    assert parses and not (tmp_path / "none").exists()
    parses.clear()
    warm = cached_reader(tmp_path / "cache")
    assert [comparable(warm.read(str(p))) for p in paths] == uncached
    assert parses == []  # every dump from the cache


def many_dumps(folder, count: int) -> list[str]:
    """``count`` dumps of different stories (invented), as a list of paths."""
    folder.mkdir(parents=True)
    paths = []
    for number in range(count):
        path = folder / f"story_{number:03d}.txt"
        path.write_text(
            f"Поддержать команду Зеркала\n  1. Заголовок из списка номер {number}\n"
            f"  2. Погода на выходные\n/\n\nВ субботу, 15 февраля, в Бресте открыли "
            f"библиотеку номер {number}, сообщили в горисполкоме.\n\nКниги выдают "
            f"{number + 2} автоматов у входа.\n", "utf-8")
        paths.append(str(path))
    return paths


def test_a_child_reads_ahead_what_the_cache_lacks_with_the_same_result(tmp_path, parses):
    paths = many_dumps(tmp_path / "dumps", 120)
    alone = [comparable(cached_reader(tmp_path / "a").read(p)) for p in paths]
    assert len(parses) == len(paths)
    parses.clear()

    reader = cached_reader(tmp_path / "b")
    reader.plan(paths)  # as the plugin does when the article generator starts
    ahead = [comparable(reader.read(p)) for p in paths]
    taken = reader._ahead.taken
    reader.flush_cache()  # the end of reading: the child stops
    assert ahead == alone
    assert reader._ahead.started and taken > 10
    assert len(parses) == len(paths) - taken  # this process parsed only the others
    assert reader.fresh == set(paths)
    reader._open_cache().close()

    # what the child read was stored like the rest: nothing to read again
    parses.clear()
    warm = cached_reader(tmp_path / "b")
    warm.plan(paths)
    assert [comparable(warm.read(p)) for p in paths] == alone
    assert parses == [] and not warm._ahead.started  # no miss, no child


def test_the_read_only_cache_finds_keys_in_any_folder(tmp_path):
    # What the read-ahead child opens: a path that needs escaping in a file:
    # URI, opened read only (the child never writes the build's cache).
    from newsdigest.readahead import _ReadOnlyCache as ReadOnlyCache

    folder = tmp_path / "архив ?#%20 dumps"
    reader = cached_reader(folder)
    reader.read(str(SEED))
    reader._open_cache().close()  # stored
    key = reader._open_cache().key(SEED.read_bytes())
    cache = ReadOnlyCache(str(folder / "reader.sqlite3"))
    assert cache.has(key)
    assert not cache.has("0" * 64)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        cache._db.execute("CREATE TABLE t (x)")


def test_no_child_reads_ahead_for_a_few_dumps(tmp_path):
    from newsdigest.readahead import MIN_DUMPS

    paths = many_dumps(tmp_path / "dumps", MIN_DUMPS)
    reader = cached_reader(tmp_path / "cache")
    reader.plan(paths)
    for path in paths:
        reader.read(path)
    assert not reader._ahead.started and reader.fresh == set(paths)


def test_changed_text_is_read_again(tmp_path, parses):
    path = tmp_path / "story.txt"
    path.write_text(WEEKDAY_STORY, "utf-8")
    first = cached_reader(tmp_path / "cache")
    assert "Бресте" in first.read(str(path))[0]
    first._open_cache().close()
    path.write_text(WEEKDAY_STORY.replace("Бресте", "Гродно"), "utf-8")
    parses.clear()
    content, _ = cached_reader(tmp_path / "cache").read(str(path))
    assert len(parses) == 1
    assert "Гродно" in content and "Бресте" not in content


def test_settings_and_code_are_in_the_key(tmp_path, parses):
    path = tmp_path / "story.txt"
    path.write_text(WEEKDAY_STORY, "utf-8")
    reader = cached_reader(tmp_path / "cache")
    reader.read(str(path))
    reader._open_cache().close()
    parses.clear()
    content, _ = cached_reader(tmp_path / "cache", DIGEST_TYPOGRAPHY=False).read(str(path))
    assert len(parses) == 1 and f"в{NB}Бресте" not in content
    from newsdigest import readcache

    assert readcache.code_version() != readcache.code_version(typogrify=True)


def test_warnings_are_replayed_from_the_cache(tmp_path, caplog, parses):
    # Pelican's log filter drops a message it has seen in this process: each
    # read is of another file name with the same text (the same cache entry).
    moment = dt.datetime(2023, 7, 9, 12, 0).timestamp()
    for number in range(2):
        path = tmp_path / f"no_date_{number}.txt"
        path.write_bytes((FIXTURES / "no_date.txt").read_bytes())
        os.utime(path, (moment, moment))
        reader = cached_reader(tmp_path / "cache")
        caplog.clear()
        reader.read(str(path))
        reader._open_cache().close()
        lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert lines == [f"{path}: no date in the text; using the file's modification date "
                         "2023-07-09"]
    assert len(parses) == 1  # the second file was a hit


def test_fallback_date_follows_the_file_time(tmp_path, parses):
    path = tmp_path / "no_date.txt"
    path.write_bytes((FIXTURES / "no_date.txt").read_bytes())
    for year in (2023, 2023, 2021):
        moment = dt.datetime(year, 7, 9, 12, 0).timestamp()
        os.utime(path, (moment, moment))
        reader = cached_reader(tmp_path / "cache")
        _, meta = reader.read(str(path))
        reader._open_cache().close()
        assert meta["date"].date() == dt.date(year, 7, 9)
    assert len(parses) == 2  # the second 2023 read was a hit


def test_reference_date_only_where_the_reading_used_it(tmp_path, parses):
    weekday = tmp_path / "weekday.txt"
    weekday.write_text(WEEKDAY_STORY, "utf-8")
    full = tmp_path / "full.txt"
    full.write_text(WEEKDAY_STORY.replace("В субботу, 15 февраля,", "15 февраля 2025 года"),
                    "utf-8")

    def read(path, reference):
        reader = cached_reader(tmp_path / "cache", DIGEST_REFERENCE_DATE=reference)
        _, meta = reader.read(str(path))
        reader._open_cache().close()
        return meta["date"].date()

    assert read(weekday, "2026-11-25") == dt.date(2025, 2, 15)
    assert read(full, "2026-11-25") == dt.date(2025, 2, 15)
    parses.clear()
    # The next Saturday 15 February is in 2031: until then, the same reading.
    assert read(weekday, "2026-11-26") == dt.date(2025, 2, 15)
    assert read(weekday, "2031-02-14") == dt.date(2025, 2, 15)
    assert read(full, "2040-01-01") == dt.date(2025, 2, 15)
    assert parses == []
    assert read(weekday, "2031-02-15") == dt.date(2031, 2, 15)
    assert read(weekday, "2025-02-14") == dt.date(2020, 2, 15)
    assert len(parses) == 2


def test_damaged_cache_file_one_warning_and_a_normal_reading(tmp_path, caplog):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "reader.sqlite3").write_bytes(b"not a database\0" * 100)
    expected = comparable(cached_reader(tmp_path / "x", DIGEST_READER_CACHE=False).read(str(SEED)))
    caplog.clear()
    reader = cached_reader(folder)
    assert comparable(reader.read(str(SEED))) == expected
    assert comparable(reader.read(str(SEED))) == expected
    lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(lines) == 1 and "reader cache" in lines[0] and "starting a new cache" in lines[0]
    assert (folder / "reader.sqlite3.damaged").exists()


def test_damaged_entry_one_warning_and_a_normal_reading(tmp_path, caplog):
    import sqlite3

    reader = cached_reader(tmp_path / "cache")
    expected = comparable(reader.read(str(SEED)))
    reader._open_cache().close()
    with sqlite3.connect(tmp_path / "cache" / "reader.sqlite3") as db:
        db.execute("UPDATE entries SET value = '{\"data\": 1'")
    db.close()
    caplog.clear()
    assert comparable(cached_reader(tmp_path / "cache").read(str(SEED))) == expected
    lines = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(lines) == 1 and "reader cache" in lines[0]


def test_typogrify_in_the_reader_equals_pelicans(tmp_path):
    """DIGEST_TYPOGRIFY with TYPOGRIFY off: the same article as Pelican's own
    typogrify step gives (content, title, summary)."""
    newsdigest.register()
    paths = [SEED, *sorted(FIXTURES.glob("*.txt"))]
    base = {"DIGEST_REFERENCE_DATE": REFERENCE_DATE, "DIGEST_CACHE_PATH": str(tmp_path)}

    def articles(**settings):
        readers = Readers(read_settings(str(ROOT / "pelicanconf.py"),
                                        override={**base, **settings}))
        return [
            (a.content, a.title, getattr(a, "summary", None), a.slug)
            for a in (read(readers, p) for p in paths)
        ]

    pelican = articles(DIGEST_READER_CACHE=False)
    assert articles(DIGEST_TYPOGRIFY=True, TYPOGRIFY=False) == pelican  # cold
    assert articles(DIGEST_TYPOGRIFY=True, TYPOGRIFY=False) == pelican  # warm
    # both on: typogrify runs once (Pelican's), not twice
    assert articles(DIGEST_TYPOGRIFY=True, DIGEST_READER_CACHE=False) == pelican


def build_files(tmp_path, name, **settings):
    """A build of the seed and the fixtures (no entities: the reader is the
    point): its files and warning lines, with the seeds folder's path (each
    build has its own) and the log's times and padding taken out."""
    dumps = {SEED.name: SEED, **{p.name: p for p in sorted(FIXTURES.glob("*.txt"))}}
    base = {"DIGEST_ENTITIES": False, "DIGEST_SEARCH": False,
            "DIGEST_CACHE_PATH": str(tmp_path / "cache")}
    build = run_build(tmp_path / name, dumps, {**base, **settings})
    assert build.returncode == 0, build.log
    seeds = str(build.seeds)
    warnings = sorted(
        re.sub(r"^\[[\d:]+\] ", "", " ".join(line.replace(seeds, "SEEDS").split()))
        for line in build.log.splitlines() if "WARNING" in line
    )
    files = {p.relative_to(build.output).as_posix(): p.read_bytes().replace(seeds.encode(), b"S")
             for p in build.output.rglob("*") if p.is_file()}
    assert len(files) > 20
    return files, warnings


def assert_same_build(expected, other):
    assert other[0].keys() == expected[0].keys()
    assert [k for k in expected[0] if expected[0][k] != other[0][k]] == []
    assert other[1] == expected[1]  # the same warnings, replayed from the cache


def test_cached_build_pages_are_byte_identical(tmp_path):
    uncached = build_files(tmp_path, "uncached", DIGEST_READER_CACHE=False)
    assert not (tmp_path / "cache" / "reader.sqlite3").exists()
    assert_same_build(uncached, build_files(tmp_path, "cold"))
    assert (tmp_path / "cache" / "reader.sqlite3").exists()
    assert_same_build(uncached, build_files(tmp_path, "warm"))


def test_typogrify_in_the_reader_build_is_byte_identical(tmp_path):
    # Pelican's own typogrify step, no cache: the reference
    uncached = build_files(tmp_path, "uncached", DIGEST_READER_CACHE=False,
                           TYPOGRIFY=True, DIGEST_TYPOGRIFY=False)
    settings = {"DIGEST_TYPOGRIFY": True, "TYPOGRIFY": False}
    assert_same_build(uncached, build_files(tmp_path, "cold", **settings))
    assert_same_build(uncached, build_files(tmp_path, "warm", **settings))


def test_entries_unused_for_long_are_dropped(tmp_path):
    import sqlite3

    from newsdigest import readcache

    paths = [FIXTURES / "listed_full.txt", FIXTURES / "overrides.txt"]
    reader = cached_reader(tmp_path / "cache")
    for path in paths:
        reader.read(str(path))
    reader._open_cache().close()
    today = dt.date.today().toordinal()
    with sqlite3.connect(tmp_path / "cache" / "reader.sqlite3") as db:
        db.execute("UPDATE entries SET used = ?", (today - readcache.KEEP_DAYS - 1,))
    db.close()
    reader = cached_reader(tmp_path / "cache")
    reader.read(str(paths[0]))  # used again today: kept
    reader._open_cache().close()
    with sqlite3.connect(tmp_path / "cache" / "reader.sqlite3") as db:
        assert [row[0] for row in db.execute("SELECT used FROM entries")] == [today]
    db.close()
