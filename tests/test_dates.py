"""Dates in Russian and Belarusian text, resolved against a reference day."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.dates import ReferenceSpan, find_date, find_timestamp, strip_date_lead_in

REF = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        # The seed: 15 February is a Saturday in 2025, not in 2026.
        ("В\xa0субботу, 15\xa0февраля, министр", dt.date(2025, 2, 15), "weekday"),
        ("В субботу, 15 февраля, министр", dt.date(2025, 2, 15), "weekday"),
        ("Во вторник, 3 июня, стало известно", dt.date(2025, 6, 3), "weekday"),
        ("В воскресенье, 15 февраля", dt.date(2026, 2, 15), "weekday"),
        ("У пятніцу, 14 лютага, у Мінску", dt.date(2025, 2, 14), "weekday"),
        ("У нядзелю, 16 лютага", dt.date(2025, 2, 16), "weekday"),
        ("15 февраля 2025 года в Витебске", dt.date(2025, 2, 15), "full"),
        ("15 лютага 2024 г.", dt.date(2024, 2, 15), "full"),
        ("Опубликовано 14.02.2025.", dt.date(2025, 2, 14), "full"),
        ("бюджет date 2025-02-15 ", dt.date(2025, 2, 15), "full"),
        ("3 мая", dt.date(2026, 5, 3), "day-month"),
        ("30 декабря", dt.date(2025, 12, 30), "day-month"),
    ],
)
def test_find_date(text, expected, precision):
    found = find_date(text, REF)
    assert found is not None
    assert (found.date, found.precision) == (expected, precision)


def test_weekday_year_is_not_after_the_reference():
    # Saturday 15 February: 2025; seen from a day in 2024 it is 2020.
    assert find_date("В субботу, 15 февраля", dt.date(2024, 6, 1)).date == dt.date(2020, 2, 15)


def test_the_first_date_in_the_text_wins():
    found = find_date("Вчера, 12 февраля, после встречи 15.02.2025 решили", REF)
    assert found.date == dt.date(2026, 2, 12)


@pytest.mark.parametrize(
    "text",
    [
        "Никаких дат здесь нет", "в 2016 году", "31.02.2025", "15 мартышек", "мая 15",
        # A bare day and month deep in a sentence is a deadline, not the date.
        "Правительство объявило, что пенсии проиндексируют с 1 июля",
    ],
)
def test_no_date(text):
    assert find_date(text, REF) is None


def test_timestamp():
    assert find_timestamp("Опубликовано 1739620800", REF).date == dt.date(2025, 2, 15)
    assert find_timestamp("артикул 1999999999", REF) is None  # after the reference


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("В\xa0субботу, 15\xa0февраля, министр сказал", "Министр сказал"),
        ("15 февраля 2025 года в Витебске прошел фестиваль", "В Витебске прошел фестиваль"),
        ("У пятніцу, 14 лютага, у Мінску адкрылася", "У Мінску адкрылася"),
        ("Министр сказал 15 февраля", "Министр сказал 15 февраля"),
    ],
)
def test_strip_date_lead_in(sentence, expected):
    assert strip_date_lead_in(sentence) == expected


# --- the span of reference dates a result holds for (the reader cache) ---------------


@pytest.mark.parametrize(
    "text",
    [
        "В субботу, 15 февраля, министр",
        "У пятніцу, 14 лютага, у Мінску",
        "15 февраля, министр",
        "В понедельник, 29 февраля, в Минске",
        "В субботу, 31 апреля",  # no such day: no date, whatever the reference
        "15 февраля 2025 года",
        "Опубликовано 14.02.2025",
        "без даты",
    ],
)
def test_reference_span_holds_what_it_claims(text):
    reference = dt.date(2026, 11, 25)
    span = ReferenceSpan()
    found = find_date(text, reference, span)
    assert span.holds(reference)
    day = dt.timedelta(days=1)
    probes = [reference + k * day for k in range(-4000, 4000, 7)]
    if span.first > dt.date.min:
        probes += [span.first, span.first - day]
    if span.last < dt.date.max:
        probes += [span.last, span.last + day]
    for other in probes:
        if dt.date(1990, 1, 1) <= other <= dt.date(2090, 1, 1) and span.holds(other):
            assert find_date(text, other) == found, other
    if span.first > dt.date.min:  # the span is as wide as it may be
        assert find_date(text, span.first - day) != found
    if span.last < dt.date.max and found is not None:
        assert find_date(text, span.last + day) != found or span.last.year >= found.date.year + 39


def test_reference_span_untouched_without_a_yearless_date():
    span = ReferenceSpan()
    find_date("15 февраля 2025 года, 14.02.2025", REF, span)
    assert (span.first, span.last) == (dt.date.min, dt.date.max)


def test_reference_span_of_timestamps():
    span = ReferenceSpan()
    # 1999999999 is in 2033: skipped before then; 1739620800 is 2025-02-15
    found = find_timestamp("1999999999 и 1739620800", dt.date(2026, 1, 1), span)
    assert found.date == dt.date(2025, 2, 15)
    assert span.first == dt.date(2025, 2, 15) and span.last == dt.date(2033, 5, 17)
