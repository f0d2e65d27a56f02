"""Hostile and broken input: nothing crashes, nothing is lost, nothing executes.

One real build of a corpus of bad inputs next to good dumps. For every bad
input: the build exits 0, one warning line names the file and the reason,
the build report has an entry for it, and every good dump's page is intact.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import FIXTURES, SEED, run_build
from newsdigest import dump

NB = "\u00a0"
STORY = (
    "Поддержать команду Зеркала\n  1. Заголовок из списка\n/\n\n"
    "15 февраля 2025 года в Бресте открыли новую библиотеку, в которой можно брать книги "
    "круглосуточно, сообщили в горисполкоме.\n\nКниги выдают автоматы у входа.\n"
)


def story(town: str) -> str:
    """The same text about another town: another story, never merged."""
    return STORY.replace("Бресте", town)


def mojibake(text: str) -> str:
    """UTF-8 read as Windows-1251, as a browser does it (0x98 -> U+0098)."""
    return "".join(
        "\x98" if byte == 0x98 else bytes([byte]).decode("cp1251") for byte in text.encode()
    )


MOJIBAKE = mojibake(STORY)
HOSTILE_BODY = (
    "Title: <img src=x onerror=alert('title')>\n\n"
    "Поддержать команду Зеркала\n  1. <script>alert('list')</script>\n"
    "  2. <a href=\"javascript:alert(2)\">ссылка</a>\n/\n\n"
    "15 февраля 2025 года <script>alert(1)</script> в тексте <img src=x onerror=alert(3)> "
    "и ссылка javascript:alert(4) и <iframe src=//evil.example></iframe> конец.\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16

#: name -> (bytes, the reason in its one warning line, its status in the report)
BAD: dict[str, tuple[bytes, str, str]] = {
    "empty.txt": (b"", "rejected: empty: no text", "rejected"),
    "whitespace.txt": (b" \n\t\n  \n", "rejected: empty: no text", "rejected"),
    "image.txt": (PNG, "rejected: binary data, not text", "rejected"),
    "nul.txt": (story("Минске").replace("Книги", "Кни\x00ги").encode(), "1 NUL bytes removed",
                "article"),
    "windows-1251.txt": (STORY.encode("cp1251"), "decoded as Windows-1251", "article"),
    "utf16-bom.txt": (story("Гомеле").encode("utf-16"), "decoded as UTF-16", "article"),
    "utf8-bom.txt": (("\ufeff" + story("Пинске")).encode(), None, "article"),
    "mojibake.txt": (mojibake(story("Витебске")).encode(), "mojibake); repaired", "article"),
    "hostile.txt": (HOSTILE_BODY.encode(), "shown as text, never run", "article"),
    "slug-escape.txt": (("Slug: ../../x\n\n" + story("Гродно")).encode(),
                        "is not a plain slug; using 'x'", "article"),
    "save-as.txt": (("Save_as: /etc/x\n\n" + story("Лиде")).encode(),
                    "header 'save_as' is not one a dump may set; ignored", "article"),
}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    dumps: dict = {name: data for name, (data, _, _) in BAD.items()}
    # Line ends: CRLF and CR give the same article as LF.
    dumps["crlf.txt"] = story("Орше").replace("\n", "\r\n").encode()
    dumps["cr.txt"] = story("Вилейке").replace("\n", "\r").encode()
    # A list of 100,000 items and nothing else.
    dumps["long-list.txt"] = "".join(f"  {n}. Пункт номер {n}\n" for n in range(1, 100_001))
    # Cyrillic and spaces in the file name.
    dumps["Новая статья о библиотеке.txt"] = story("Полоцке")
    # Two dumps that infer the same title (and are different stories).
    dumps["same-1.txt"] = story("Бобруйске").replace(
        "Книги выдают автоматы у входа.", "Первые книги выдали ветеранам войны и труда.")
    dumps["same-2.txt"] = story("Бобруйске").replace(
        "Книги выдают автоматы у входа.", "Вторые книги купили на деньги спонсоров из Минска.")
    dumps[SEED.name] = SEED
    dumps["listed_full.txt"] = FIXTURES / "listed_full.txt"
    seeds = tmp / "seeds"
    seeds.mkdir()
    # A 50 MB file, written in place (not kept in memory twice).
    with open(seeds / "huge.txt", "wb") as handle:
        line = ("Очень длинный текст. " * 40 + "\n").encode()
        for _ in range(50_000_000 // len(line) + 1):
            handle.write(line)
    # A symbolic-link loop inside the dumps folder.
    (seeds / "sub").mkdir()
    os.symlink("..", seeds / "sub" / "loop")
    result = run_build(tmp, dumps)
    assert result.returncode == 0, result.log
    result.report = json.loads((tmp / "build-report.json").read_text("utf-8"))
    return result


def entry(build, name):
    found = [e for e in build.report["files"] if e["file"].endswith("/" + name)]
    assert len(found) == 1, (name, found)
    return found[0]


def warnings_for(build, name):
    return [line for line in build.log.splitlines()
            if "WARNING" in line and f"/{name}:" in line]


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_input_one_warning_and_a_report_entry(build, name):
    _, reason, status = BAD[name]
    lines = warnings_for(build, name)
    if reason is None:
        assert lines == []  # a UTF-8 BOM is ordinary: nothing to say
    else:
        assert len(lines) == 1, lines
        assert reason in lines[0]
    assert entry(build, name)["status"] == status


def test_huge_file_is_refused_with_the_limit(build):
    lines = warnings_for(build, "huge.txt")
    assert len(lines) == 1
    assert "rejected: too large: 50.0 MB, over the 5 MB limit (DIGEST_MAX_BYTES)" in lines[0]
    assert entry(build, "huge.txt")["status"] == "rejected"


def test_long_list_is_cut_with_a_warning(build):
    lines = warnings_for(build, "long-list.txt")
    assert len(lines) == 1 and "headline list has 100000 items; kept the first 100" in lines[0]
    assert entry(build, "long-list.txt")["status"] == "headlines"
    assert entry(build, "long-list.txt")["headlines"] == 100


def test_symlink_loop_is_not_followed(build):
    lines = [line for line in build.log.splitlines() if "sub/loop" in line]
    assert len(lines) == 1 and "WARNING" in lines[0] and "not followed" in lines[0]
    assert not any("loop/" in e["file"] for e in build.report["files"])


def test_encodings_and_line_ends_give_the_same_article(build):
    towns = {"windows-1251.txt": "Бресте", "utf16-bom.txt": "Гомеле", "utf8-bom.txt": "Пинске",
             "mojibake.txt": "Витебске", "nul.txt": "Минске", "crlf.txt": "Орше",
             "cr.txt": "Вилейке"}
    pages = {}
    for name, town in towns.items():
        soup = build.soup(entry(build, name)["url"])
        pages[name] = [p.get_text().replace(town, "Бресте") for p in soup.select("main article p")]
    reference = pages.pop("windows-1251.txt")
    assert any("библиотеку" in t for t in reference)
    for name, paragraphs in pages.items():
        assert paragraphs == reference, name


def assert_no_active_content(soup) -> None:
    for script in soup.find_all("script"):
        body = script.string or ""
        if script.get("type") == "application/ld+json":
            # data, never run: it must stay JSON and never close its element
            json.loads(body)
            assert "<" not in body
        else:
            assert "alert" not in body
            assert "//" not in script.get("src", "").split(":", 1)[-1][:2]
    for tag in soup.find_all(True):
        assert not any(name.lower().startswith("on") for name in tag.attrs), tag
        for attribute in ("href", "src", "action", "formaction"):
            assert not str(tag.get(attribute, "")).strip().lower().startswith("javascript"), tag
    assert not soup.find(["iframe", "object", "embed"])


def test_markup_from_a_dump_never_becomes_markup(build):
    url = entry(build, "hostile.txt")["url"]
    html = (build.output / url).read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;iframe" in html
    # every page of the site: the article, the digest, the roundup, archives
    for page in build.html_files():
        assert_no_active_content(build.soup(str(page.relative_to(build.output))))


def test_names_with_spaces_and_cyrillic(build):
    found = entry(build, "Новая статья о библиотеке.txt")
    assert found["status"] == "article"
    assert "Полоцке" in (build.output / found["url"]).read_text("utf-8")


def test_same_title_two_pages(build):
    first, second = entry(build, "same-1.txt"), entry(build, "same-2.txt")
    assert first["url"] != second["url"]
    assert "Первые книги" in (build.output / first["url"]).read_text("utf-8")
    assert "Вторые книги" in (build.output / second["url"]).read_text("utf-8")


def test_good_dumps_are_intact(build):
    seed = entry(build, SEED.name)
    assert seed["status"] == "article" and len(seed["title"]) > 40
    page = (build.output / seed["url"]).read_text("utf-8")
    assert "Пресс-релиз американской стороны пока не" in page
    assert entry(build, "listed_full.txt")["status"] == "article"
    counts = build.report["counts"]
    assert counts["rejected"] == 4  # empty, whitespace, image, huge
    assert counts["dumps"] == len(build.report["files"])


def test_decode_paths_agree():
    # the unit behind the encodings test
    for data in (STORY.encode("cp1251"), STORY.encode("utf-16"), MOJIBAKE.encode(),
                 STORY.encode("utf-16-le"), STORY.encode("utf-8-sig")):
        assert dump.decode(data)[0] == STORY
