"""The parser alone: text in, parts out (no Pelican)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SEED
from newsdigest import dump
from newsdigest.dump import Block, parse

SEED_HEADLINES = [
    "В Беларуси дорожает автомобильное топливо. На\xa0этот раз не\xa0на\xa0копейку",
    "Кремль молчит, а\xa0СМИ не\xa0знают, как освещать\xa0— как в\xa0России Z-сообщество и\xa0пропаганда отреагировали на\xa0итоги встречи Украины и\xa0США",
    "Столица России подверглась самой масштабной атаке беспилотников с\xa0начала войны",
    "На рынке недвижимости, по\xa0всей видимости, грядет новая реальность. С\xa0чем это связано и\xa0каков прогноз у\xa0экспертов",
    "Зеленский высказался по\xa0ситуации в\xa0Курской области",
    "Карпенков объяснил, почему дроны «иногда падают на\xa0территории Беларуси»,\xa0— понятней не\xa0стало",
    "«У\xa0нас другого пути не\xa0было». Поговорили с\xa0экс-силовиком, который пересекался с\xa0генпрокурором Шведом и\xa0был ранен на\xa0протестах 2020-го",
    "Политика Трампа может напоминать хаос, но\xa0это не\xa0так: его тактику еще десять лет назад изучил американский журналист. Вот что он\xa0писал",
    "Стало известно, кто совершил масштабную кибератаку на X. Маск утверждал, что следы ведут в\xa0Украину",
    "КГК пожаловался Лукашенко на\xa0торговые сети, которые создают свои пекарни и\xa0конкурируют с\xa0хлебозаводами",
    "Военные аналитики: Украина начала вывод своих войск из\xa0Курской области",
    "Кредиты на\xa0автомобили Geely снова подорожали. Под какие проценты сейчас выдают эти займы и\xa0сколько придется переплатить банку за\xa010 лет?",
    "Этот аналитик пять лет назад предсказал, что Турчина назначат премьером. Спросили, станет\xa0ли он\xa0преемником Лукашенко",
    "Лукашенко принял верительные грамоты от\xa0послов девяти стран. Кто в\xa0списке",
    "Большинство людей в\xa0мире дышат грязным воздухом. Нормам ВОЗ соответствуют только семь стран",
    "Возобновление военной помощи, немедленное прекращение огня: о\xa0чем договорились США и\xa0Украина на\xa0первой встрече по\xa0миру",
]


def read(name: str) -> dump.Dump:
    return parse((FIXTURES / name).read_text("utf-8"))


@pytest.fixture(scope="module")
def seed() -> dump.Dump:
    return parse(SEED.read_text("utf-8"))


def test_seed_parts(seed):
    assert seed.layout == "listed"
    assert seed.chrome == ("Поддержать команду Зеркала", "Беларусы на войне")
    assert list(seed.headlines) == SEED_HEADLINES
    assert seed.list_end == dump.LIST_END_SLASH
    assert seed.truncated is False


def test_seed_caption_once_with_credit(seed):
    assert seed.captions == (
        Block("caption", "Марко Рубио, Сергей Лавров.", "Фото: wikipedia.org, коллаж: «Зеркало»."),
    )
    assert [b.kind for b in seed.blocks] == [
        "paragraph", "caption", "paragraph", "paragraph", "paragraph", "quote", "paragraph",
    ]


def test_seed_paragraphs(seed):
    paragraphs = seed.paragraphs
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("В\xa0субботу, 15\xa0февраля, министр иностранных дел России")
    assert paragraphs[0].endswith("прошедшей 12\xa0февраля.")
    assert paragraphs[4].startswith("«Лавров и\xa0Рубио подтвердили готовность")
    assert paragraphs[5] == "Пресс-релиз американской стороны пока не\xa0опубликован."
    assert not any("Фото:" in p for p in paragraphs)


def test_cut_mid_word_drops_the_last_item():
    parsed = read("headlines_midword.txt")
    assert parsed.truncated is True
    assert parsed.list_end == dump.LIST_END_EOF
    assert len(parsed.headlines) == 8
    assert parsed.headlines[-1] == "Восьмой заголовок о курсе рубля"
    assert parsed.chrome == ("Поддержать команду Зеркала", "Реклама на сайте", "Белорусы на войне")
    assert parsed.blocks == ()


def test_cut_on_bare_number_and_missing_first_indent():
    parsed = read("headlines_bare_number.txt")
    assert parsed.truncated is True
    assert parsed.headlines == (
        "Первый заголовок о погоде в Минске",
        "Десятый заголовок о новом законе",
        "Третий заголовок — ISW",
    )


def test_complete_last_line_is_kept_when_it_ends_with_a_newline():
    parsed = parse("Поддержать команду Зеркала\n  1. Один\n  2. Два\n")
    assert parsed.headlines == ("Один", "Два")
    assert parsed.truncated is True  # no end marker and no body: cut capture


def test_list_ends_at_language_switch_line():
    parsed = read("belarusian_chrome.txt")
    assert parsed.list_end == dump.LIST_END_LANG
    assert parsed.chrome == ("Падтрымаць каманду Люстэрка", "Беларусы на вайне")
    assert len(parsed.headlines) == 3
    assert parsed.paragraphs[0].startswith("15 февраля 2025 года в Витебске")


def test_list_ends_at_blank_lines_without_chrome():
    parsed = read("no_chrome_blank_end.txt")
    assert parsed.chrome == ()
    assert parsed.list_end == dump.LIST_END_BLANK
    assert parsed.headlines[0] == "Зимняя сессия в вузах начнется позже обычного"
    assert len(parsed.paragraphs) == 2


def test_generic_layout_without_list():
    parsed = read("generic_outlet.txt")
    assert parsed.layout == "generic"
    assert parsed.headlines == ()
    assert parsed.preamble == (
        "Главная Новости Регионы",
        "ua en ru",
        "Политика Экономика Полесье",
        "Депутаты утвердили бюджет Полесского района на следующий год date 2025-02-15",
        "Вестник Полесья",
    )
    assert len(parsed.paragraphs) == 2
    assert parsed.paragraphs[1].startswith("Больше всего денег получат школы")
    assert parsed.trailer == (
        "12:40 В районе ожидается снегопад",
        "13:05 Открыта запись в летние лагеря",
        "Мы используем cookie, чтобы сайт работал лучше",
        "DMCA",
    )


def test_override_headers_are_read_and_not_body():
    parsed = read("overrides.txt")
    assert parsed.headers["title"] == 'Свой заголовок с "кавычками"'
    assert parsed.headers["save_as"] == "/etc/passwd"
    assert parsed.chrome == ("Поддержать команду Зеркала",)
    assert parsed.headlines == ("Заголовок из списка",)


def test_numbered_points_deep_in_a_body_are_not_a_headline_list():
    text = (
        "Раздел\n\n" + "Очень длинный первый абзац текста новости. " * 6 + "\n\n"
        "1. Первый пункт плана\n2. Второй пункт плана\n"
    )
    parsed = parse(text)
    assert parsed.layout == "generic"
    assert parsed.headlines == ()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ()),
        ("   \n\n\t", ()),
        ("\r\n".join(["Поддержать команду Зеркала", "  1. Раз", "  2. Два", "/", "", "Текст."]),
         ("Раз", "Два")),
        ("\r".join(["Поддержать команду Зеркала", "  1. Раз", "/", "", "Текст."]), ("Раз",)),
    ],
)
def test_line_ends_and_empty_input(text, expected):
    assert parse(text).headlines == expected


def test_repeated_paragraph_is_kept_once():
    parsed = parse("1. А\n/\n\nОдин и тот же абзац.\nОдин и тот же абзац.\n\nДругой.")
    assert parsed.paragraphs == ("Один и тот же абзац.", "Другой.")


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        ("Текст".encode(), "Текст", "utf-8"),
        ("\ufeffТекст".encode("utf-8"), "Текст", "utf-8-sig"),
        ("Текст".encode("utf-16"), "Текст", "utf-16"),
        ("Текст".encode("cp1251"), "Текст", "cp1251"),
    ],
)
def test_decode(data, text, encoding):
    assert dump.decode(data) == (text, encoding)


def test_decode_rejects_binary():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(dump.NotText, match="binary"):
        dump.decode(png)


def test_repeated_paragraph_differing_only_in_quotes_case_and_spaces_is_kept_once():
    parsed = parse("1. А\n/\n\n«Один»  и тот же абзац.\n\"один\" и тот\u00a0же абзац.\n"
                   "ß\nSS\nss\n")
    # fold() casefolds: ß and SS and ss are the same line
    assert parsed.paragraphs == ("«Один»  и тот же абзац.", "ß")


LINE_PIECES = ["ß", "SS", "ss", "s", "«", "»", '"', "'", "„", " ", "\u00a0", "\t", "а", "А",
               "İ", "i̇", "ﬁ", "fi", "Ё", "ё", "x"]


@given(st.lists(st.sampled_from(LINE_PIECES), max_size=8).map("".join),
       st.lists(st.sampled_from(LINE_PIECES), min_size=1, max_size=8).map("".join))
@settings(max_examples=3000, deadline=None)
def test_same_text_is_fold_equality(a, b):
    # the body's duplicate check looks at the first folded character first
    a, b = a.strip(), b.strip()
    assume(b)
    assert dump._same_text(a, b) == (dump.fold(a) == dump.fold(b))
