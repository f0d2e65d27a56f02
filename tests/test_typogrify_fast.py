"""The reader's typogrify (``newsdigest.typogrify_fast``) gives typogrify's
own result: on generated HTML, on the edge cases of each shortcut, and on
the HTML the reader makes of every fixture dump and the seed."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typogrify import filters

from conftest import FIXTURES, SEED
from newsdigest import dump, metadata, render
from newsdigest.settings import from_pelican
from newsdigest.typogrify_fast import WINDOW, typogrify, widont

FILTERS = ("amp", "smartypants", "caps", "initial_quotes", "widont")
LONG_WORD = "Очень" * (WINDOW // 4)  # longer than the window before a closing tag

PIECES = st.sampled_from([
    # blocks, inline tags, tags typogrify ignores, tags no filter knows
    "<p>", "</p>", "<h2>", "</h2>", "<li>", "</li>", "<dt>", "</dd>", "<p class=\"lead\">",
    "<a href=\"https://example.org/a?b=1&c=2\">", "</a>", "<em>", "</em>", "<span class=\"x\">",
    "</span>", "<b>", "</b>", "<i>", "</i>", "<strong>", "</strong>", "<pre>", "</pre>",
    "<code>", "</code>", "<kbd>", "</kbd>", "<figure class=\"photo\">", "</figure>",
    "<figcaption>", "</figcaption>", "<br>", "<div>", "</div>", "<", ">",
    "<b", "<a ", "</em",
    # words, capitals, quotes, ampersands, spaces
    "слово", "Минск", "сказал.", "KU", "D.O.T.", "HE34T", "RFID", "A. B.", "iPhone", "2025",
    "“", "«цитата»", "\"", "'", "&ldquo;", "&#8220;", "&lsquo;", "&#8216;", "&", "&amp;",
    "&#38;", "&nbsp;", "--", "...", " ", " ", " ", "  ", "\xa0", "\n", "\t", LONG_WORD,
])
HTML = st.lists(PIECES, max_size=40).map("".join)
OPTIONS = st.sets(st.sampled_from(FILTERS)).map(lambda off: dict.fromkeys(off, False))
IGNORED = st.sampled_from([None, [], ["p"], ["em", "span.x"], [".lead"], ["figcaption"]])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HTML, OPTIONS, IGNORED)
def test_typogrify_gives_typogrifys_result_on_generated_html(html, omit, ignore):
    assert typogrify(html, ignore, **omit) == filters.typogrify(html, ignore, **omit)


@settings(max_examples=400, deadline=None)
@given(HTML)
def test_widont_gives_typogrifys_result_on_generated_html(html):
    assert widont(html) == filters.widont(html)


@pytest.mark.parametrize("html", [
    # the last word longer than the window: the whole block is searched
    f"<p>Первое слово и {LONG_WORD}</p><p>второе {LONG_WORD}.</p>",
    # closing inline tags between the last word and the block's end
    "<p>Текст со <a href=\"#\">ссылкой в конце</a> </em> </p>",
    "<p><a href=\"#\">одно</a> слово</p>text after the last block",
    "<p>abc</p>\n",
    # an inline tag left open: its ``[^>]*`` holds a closing tag
    "<p>x<b</p> y</p>",
    # each filter's shortcut at its edge
    "<p>One &amp; two</p>", "<p>One&nbsp;&#38;&nbsp;two</p>", "<h2>D.O.T. and A. B. C.</h2>",
    "<li>HE34T</li>", "  \"quoted\" text", "<p> <em> &#8216;quoted</em></p>", "'x",
])
def test_typogrify_edge_cases(html):
    for off in itertools.chain.from_iterable(
        itertools.combinations(FILTERS, n) for n in range(len(FILTERS) + 1)
    ):
        omit = dict.fromkeys(off, False)
        assert typogrify(html, None, **omit) == filters.typogrify(html, None, **omit)
    assert widont(html) == filters.widont(html)


def test_typogrify_rejects_an_unknown_filter_as_typogrify_does():
    with pytest.raises(TypeError):
        typogrify("<p>a b</p>", None, smart=False)


def test_typogrify_gives_typogrifys_result_on_the_readers_html():
    options = from_pelican({"DIGEST_REFERENCE_DATE": "2026-11-25"})
    pages = 0
    for path in [SEED, *sorted(FIXTURES.glob("*.txt"))]:
        try:
            text, _ = dump.decode(path.read_bytes())
        except dump.NotText:
            continue
        data = metadata.infer(dump.parse(text), options, fallback_date=dt.date(2026, 11, 1))
        for html in [render.render_blocks(data.blocks), data.title or "", data.summary or ""]:
            expected = filters.typogrify(html, [], smartypants=False)
            assert typogrify(html, [], smartypants=False) == expected, path.name
            pages += bool(html) and expected != html  # typogrify changed something
    assert pages > 20
