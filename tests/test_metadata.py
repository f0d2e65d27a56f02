"""Metadata inferred from parsed dumps (no Pelican)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode

from conftest import FIXTURES, REFERENCE_DATE, SEED
from newsdigest.dump import parse
from newsdigest.metadata import _WORD, LATIN, count_words, infer, slugify, title_from_lead
from newsdigest.settings import from_pelican

NB = "\u00a0"
FALLBACK = dt.date(2020, 1, 1)
OPTIONS = from_pelican({"DIGEST_REFERENCE_DATE": REFERENCE_DATE})


def data_of(path, options=OPTIONS):
    return infer(parse(path.read_text("utf-8")), options, FALLBACK)


@pytest.fixture(scope="module")
def seed():
    return data_of(SEED)


def test_seed_title(seed):
    assert seed.title == (
        f"Министр иностранных дел России Сергей Лавров поговорил по{NB}телефону "
        f"со{NB}своим американским коллегой"
    )
    assert seed.title_source == "lead"


def test_seed_fields(seed):
    assert seed.kind == "article"
    assert (seed.date, seed.date_precision, seed.date_source) == (
        dt.date(2025, 2, 15), "weekday", "text",
    )
    assert seed.source == "Зеркало"
    assert seed.lang == "ru"
    assert len(seed.headlines) == 16
    assert seed.headlines[0] == f"В{NB}Беларуси дорожает автомобильное топливо. На{NB}этот раз не{NB}на{NB}копейку"
    assert seed.caption == "Марко Рубио, Сергей Лавров."
    assert seed.credit == "Фото: wikipedia.org, коллаж: «Зеркало»."
    assert seed.summary.startswith(f"В{NB}субботу, 15{NB}февраля, министр иностранных дел России")
    assert seed.slug == "ministr-inostrannykh-del-rossii-sergei-lavrov-pogovoril-po-telefonu-so-svoim"
    assert seed.words == 215
    assert seed.reading_time == 1
    assert seed.warnings == ()


def test_title_keeps_whole_clauses_within_the_limit():
    title = data_of(FIXTURES / "long_lead.txt").title
    assert title == (
        "Представители трех министерств, двух областных исполкомов и"
        f"{NB}нескольких крупных частных компаний"
    )
    assert len(title) <= 110


@pytest.mark.parametrize(
    "lead, limit, expected",
    [
        ("В субботу, 15 февраля, дождь шел весь день. Потом выглянуло солнце.", 110,
         "Дождь шел весь день"),
        ("Опубликовано 14.02.2025. Ботаники нашли орхидею в заказнике.", 110,
         "Ботаники нашли орхидею в заказнике"),
        ("Министры встретились и договорились, что будут встречаться чаще", 40,
         "Министры встретились и договорились"),
        ("Оченьдлинноеслово " * 12, 50, "Оченьдлинноеслово Оченьдлинноеслово…"),
    ],
)
def test_title_from_lead(lead, limit, expected):
    title = title_from_lead(lead, limit)
    assert title == expected
    assert len(title) <= limit
    assert not title.endswith((",", " и", " а"))


def test_headline_only_capture():
    data = data_of(FIXTURES / "headlines_midword.txt")
    assert data.kind == "headlines"
    assert data.truncated is True
    assert len(data.headlines) == 8
    assert data.source == "Зеркало"


@pytest.mark.parametrize("name", ["empty.txt", "whitespace_only.txt"])
def test_empty_input_is_rejected(name):
    data = data_of(FIXTURES / name)
    assert (data.kind, data.reason) == ("rejected", "empty: no text")


def test_belarusian_body_and_date():
    data = data_of(FIXTURES / "belarusian_body.txt")
    assert data.lang == "be"
    assert data.date == dt.date(2025, 2, 14)
    assert data.source == "Зеркало"


def test_belarusian_chrome_russian_body():
    data = data_of(FIXTURES / "belarusian_chrome.txt")
    assert (data.lang, data.source, data.date) == ("ru", "Зеркало", dt.date(2025, 2, 15))
    assert data.title == (
        f"В{NB}Витебске прошел фестиваль уличной еды, на{NB}который пришли около "
        f"пяти тысяч человек, сообщают организаторы"
    )


def test_generic_outlet_title_date_and_source_from_the_settings():
    options = from_pelican(
        {"DIGEST_REFERENCE_DATE": REFERENCE_DATE,
         "DIGEST_SOURCES": {"Вестник Полесья": [r"Вестник\s+Полесья"]}}
    )
    data = data_of(FIXTURES / "generic_outlet.txt", options)
    assert data.title == f"Депутаты утвердили бюджет Полесского района на{NB}следующий год"
    assert (data.title_source, data.date, data.source) == (
        "preamble", dt.date(2025, 2, 15), "Вестник Полесья",
    )
    # Without the setting the outlet is unknown.
    assert data_of(FIXTURES / "generic_outlet.txt").source == "Неизвестный источник"


def test_generic_outlet_with_unix_timestamp():
    data = data_of(FIXTURES / "generic_timestamp.txt")
    assert (data.title, data.date, data.date_precision) == (
        f"В{NB}Полесье открылся музей старинных часов", dt.date(2025, 2, 15), "timestamp",
    )


def test_overrides_win_and_unknown_headers_are_reported():
    data = data_of(FIXTURES / "overrides.txt")
    assert data.title == f"Свой заголовок с{NB}«кавычками»"
    assert (data.date, data.date_source) == (dt.date(2024, 12, 31), "header")
    assert data.tags == ("Гродно", "Транспорт")
    assert data.source == "Вестник Полесья"
    assert data.slug == "svoi-zagolovok"  # no path tricks survive
    assert data.summary == "Краткое описание, заданное вручную."
    assert data.warnings == (
        "header 'save_as' is not one a dump may set; ignored",
        "header 'Slug: ../../svoi-zagolovok' is not a plain slug; using 'svoi-zagolovok'",
    )


def test_no_date_falls_back_with_a_warning():
    data = data_of(FIXTURES / "no_date.txt")
    assert (data.date, data.date_source) == (FALLBACK, "fallback")
    assert data.warnings == (
        "no date in the text; using the file's modification date 2020-01-01",
    )


def test_day_month_without_year_warns():
    text = "1. А\n/\n\n3 мая в Пинске прошла ярмарка ремесел, на которую приехали мастера из пяти районов."
    data = infer(parse(text), OPTIONS, FALLBACK)
    assert data.date == dt.date(2026, 5, 3)
    assert data.warnings == (
        "date '3 мая' has no year or weekday; assumed 2026-05-03, "
        "the latest not after 2026-11-25",
    )


def test_typography_can_be_switched_off():
    options = from_pelican({"DIGEST_REFERENCE_DATE": REFERENCE_DATE, "DIGEST_TYPOGRAPHY": False})
    data = data_of(FIXTURES / "listed_full.txt", options)
    assert data.credit == 'Фото: grodno.example, коллаж: «Зеркало».'
    assert data.title == "Городской совет Гродно утвердил план ремонта набережной, сообщила пресс-служба исполкома"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Сергей Лавров", "sergei-lavrov"),
        ("Зеркало", "zerkalo"),
        ("У Мінску ўсё", "u-minsku-usio"),
        ("../../etc/passwd", "etc-passwd"),
        ("", ""),
    ],
)
def test_slugify(text, expected):
    assert slugify(text) == expected


def test_slug_is_cut_at_a_word_boundary():
    slug = slugify("очень длинный заголовок " * 10, limit=40)
    assert len(slug) <= 40
    assert slug == "ochen-dlinnyi-zagolovok-ochen-dlinnyi"


def test_a_tag_that_is_only_markup_is_dropped():
    text = ("Tags: <img src=x onerror=alert(4)>, Гродно, <b>Жирный</b>\nDate: 2025-02-15\n\n"
            "  1. А\n/\n\nТекст новости про Гродно и его жителей.\n")
    data = infer(parse(text), OPTIONS, FALLBACK)
    # Pelican slugs a tag's text without markup: the first would be "tag/.html".
    assert data.tags == ("Гродно", "<b>Жирный</b>")
    assert data.warnings == (
        "tag '<img src=x onerror=alert(4)>' has no letters or digits outside markup; ignored",
    )


WORD_PIECES = ["слово", "Минск", "2025", "_", "-", "'", "’", "—", " ", "\u00a0", "\n", ",", ".",
               "x", "ß", "٣", "²", "Ⅻ", "a_b", "т.е.", "из-за", "«", "»", "!"]


@given(st.lists(st.lists(st.sampled_from(WORD_PIECES), max_size=12).map("".join), max_size=4))
@settings(max_examples=3000, deadline=None)
def test_count_words_is_the_word_patterns_count(paragraphs):
    assert count_words(paragraphs) == sum(len(_WORD.findall(p)) for p in paragraphs)


def test_count_words():
    assert count_words(["Из-за дождя матч 15\u00a0февраля перенесли.", "Т.е. в_2025 —"]) == 10


@given(st.text(max_size=40))
@settings(max_examples=3000, deadline=None)
def test_slugs_transliterate_as_unidecode(text):
    assert text.translate(LATIN) == unidecode(text)
