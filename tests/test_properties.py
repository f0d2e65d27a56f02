"""Property-based tests: for any text the parser and the reader never fail,
and nothing from the input reaches the HTML unescaped.

``FUZZ_EXAMPLES`` sets the number of generated examples (10,000 by default;
``make fuzz`` runs many more).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from html import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REFERENCE_DATE, ROOT
from newsdigest import dump
from newsdigest.metadata import infer
from newsdigest.render import render_blocks
from newsdigest.settings import from_pelican

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
OPTIONS = from_pelican({"DIGEST_REFERENCE_DATE": REFERENCE_DATE})
FALLBACK = dt.date(2020, 1, 1)
RUN = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces of real dumps and of hostile ones, mixed with arbitrary text.
PIECES = [
    "/", "", " ", "\t", "\r", "\r\n", "\x00", "\ufeff", "\u00a0", "Чытаць па-беларуску",
    "Поддержать команду Зеркала", "Падтрымаць каманду Люстэрка", "Беларусы на войне",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "&amp;", "&lt;", "&", "<", ">", '"', "'", "«", "»", "—", " — ISW",
    "Title: <b>x</b>", "Slug: ../../x", "Save_as: /etc/x", "Date: 31.02.2025", "Tags: ,,,",
    'Марко Рубио. Фото: site, коллаж: "Зеркало".', "Фото:", "«Цитата», — говорится в заявлении.",
    "В субботу, 15 февраля, что-то случилось", "29 февраля", "Опубликовано 9999999999",
    "  1. ", "1.", "  11", "12:40 Новость", "DMCA", "ua en ru", " date 2025-02-15 ",
]
line = st.one_of(
    st.text(max_size=120),
    st.sampled_from(PIECES),
    st.builds(lambda n, t: f"  {n}. {t}", st.integers(0, 20), st.text(max_size=60)),
    st.builds(lambda t: t * 3, st.text(min_size=30, max_size=60)),
)
dumps_text = st.builds(
    lambda lines, end: "\n".join(lines) + end,
    st.lists(line, max_size=40),
    st.sampled_from(["", "\n"]),
)
OUR_TAGS = re.compile(r'</?(?:p|figure|figcaption|span)(?: class="[a-z-]+")?>')
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27);")


def assert_safe_html(html: str) -> None:
    ET.fromstring(f"<root>{html}</root>")  # well-formed
    text = OUR_TAGS.sub("", html)
    assert "<" not in text and ">" not in text
    assert "&" not in ENTITY.sub("", text)


@RUN
@given(dumps_text)
def test_parser_and_metadata_never_fail_and_html_is_escaped(text):
    parsed = dump.parse(text)
    data = infer(parsed, OPTIONS, FALLBACK)
    assert data.kind in ("article", "headlines", "rejected")
    assert_safe_html(render_blocks(data.blocks))
    assert_safe_html(escape(data.title))
    if data.kind == "article":
        assert data.title and data.slug and re.fullmatch(r"[a-z0-9-]+", data.slug)
        assert data.date is not None
        assert len(data.title) <= OPTIONS.title_max + 1 or data.title_source == "header"


@RUN
@given(st.text())
def test_any_unicode_text(text):
    data = infer(dump.parse(text), OPTIONS, FALLBACK)
    assert_safe_html(render_blocks(data.blocks))


@settings(max_examples=max(EXAMPLES // 5, 100), deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_decode_or_are_refused(data):
    try:
        text, encoding = dump.decode(data)
    except dump.NotText:
        return
    assert isinstance(text, str) and encoding
    dump.parse(text)


# --- the reader, through Pelican's pipeline -------------------------------------------


@settings(max_examples=max(EXAMPLES // 20, 50), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=dumps_text)
def test_pelican_reader_never_fails(tmp_path_factory, text):
    from pelican.contents import Article
    from pelican.readers import Readers
    from pelican.settings import read_settings

    import newsdigest

    newsdigest.register()
    folder = tmp_path_factory.mktemp("fuzz", numbered=True)
    # the reader cache too (in the example's folder, never the repository's cache/)
    readers = Readers(read_settings(str(ROOT / "pelicanconf.py"), override={
        "DIGEST_REFERENCE_DATE": REFERENCE_DATE, "DIGEST_CACHE_PATH": str(folder / "cache")}))
    (folder / "dump.txt").write_text(text, "utf-8", errors="surrogatepass")
    article = readers.read_file(base_path=str(folder), path="dump.txt",
                                content_class=Article, context={})
    assert article.digest_kind in ("article", "headlines", "rejected")
    again = readers.read_file(base_path=str(folder), path="dump.txt",
                              content_class=Article, context={})  # from the cache
    assert (again.content, again.title, again.metadata) == (
        article.content, article.title, article.metadata)
    assert "<script" not in (article.content or "").lower()
    assert "<script" not in article.title.lower()
