"""Infer an article's metadata from a parsed :class:`~.dump.Dump`.

Pure: no Pelican import. Every field may be overridden by a ``Key: value``
header at the top of the dump; otherwise it is inferred from the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import filterfalse

from unidecode import unidecode

from . import dates
from .dump import Block, Dump
from .settings import OVERRIDE_KEYS, DigestSettings
from .typography import typeset

KIND_ARTICLE = "article"
KIND_HEADLINES = "headlines"  # a capture with a headline list and no body
KIND_REJECTED = "rejected"

#: Words a title must not end on (a dangling conjunction or preposition).
_DANGLING = frozenset(
    "и а но или что чтобы как когда где который которая которое которые "
    "в во на с со к ко о об от до по за из у для при без над под не ни же "
    "і ды але або што каб як калі дзе які якая якое якія ў з да ад пра"
    .split()
)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[^\s.]{2}[.!?…])[\s\u00a0]+(?=[«\"„(]?[А-ЯЁІЎA-Z0-9])")
_CLAUSE_BREAK = re.compile(r"(?:,|;|:|[\s\u00a0][—–][\s\u00a0])")
_ISO_DATE = re.compile(r"\bdate[\s\u00a0]+\d{4}-\d\d-\d\d\b|\b\d{4}-\d\d-\d\d\b", re.I)
_MARKUP_TAG = re.compile(r"<[^>]*>")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")


@dataclass(frozen=True)
class ArticleData:
    """Everything the reader and the corpus step need about one dump.

    Text fields are plain text with typography applied, not HTML.
    """

    kind: str
    reason: str = ""  # why a dump was rejected
    title: str = ""
    title_source: str = ""  # "header" | "preamble" | "lead"
    date: dt.date | None = None
    date_source: str = ""  # "header" | "text" | "fallback"
    date_precision: str = ""  # see dates.FoundDate.precision
    source: str = ""
    summary: str = ""
    headlines: tuple[str, ...] = ()
    truncated: bool = False
    caption: str = ""
    credit: str = ""
    blocks: tuple[Block, ...] = ()
    words: int = 0
    reading_time: int = 0
    lang: str = "ru"
    slug: str = ""
    tags: tuple[str, ...] = ()
    author: str = ""
    layout: str = "listed"
    #: one line each, for the user: what was guessed or ignored
    warnings: tuple[str, ...] = field(default_factory=tuple)


def infer(dump: Dump, options: DigestSettings, fallback_date: dt.date,
          typesetter: Callable[[str], str] = typeset,
          span: dates.ReferenceSpan | None = None) -> ArticleData:
    """Build :class:`ArticleData` from a dump.

    ``fallback_date`` is used (with a warning) when the text holds no date:
    the reader passes the file's modification time, the moment it was saved.
    ``typesetter`` applies the typography (the reader passes one that
    remembers the headlines it has seen: sidebars repeat across dumps).
    ``span``, if given, is narrowed to the reference dates
    (``options.reference_date``) that give the same result (the reader
    cache keeps a result for those).
    """
    warnings: list[str] = []
    headers = _accepted_headers(dump.headers, warnings)
    if dump.dropped_headlines:
        kept = len(dump.headlines)
        warnings.append(
            f"headline list has {kept + dump.dropped_headlines} items; kept the first {kept}"
        )
    tidy = typesetter if options.typography else str.strip
    headlines = tuple(tidy(h) for h in dump.headlines)
    source = headers.get("source") or headers.get("category") or _find_source(dump, options)
    lang = headers.get("lang", "")
    if lang and not _LANG_CODE.fullmatch(lang):
        warnings.append(f"header 'Lang: {lang}' is not a language code; ignored")
        lang = ""
    lang = lang or _language(dump)
    # A body needs words: a lone "." or "—" after the list is not an article.
    lead_index = next(
        (i for i, b in enumerate(dump.blocks) if b.kind != "caption" and _WORD.search(b.text)),
        None,
    )

    if lead_index is None:
        if headlines:
            return ArticleData(
                kind=KIND_HEADLINES,
                source=source,
                headlines=headlines,
                truncated=dump.truncated,
                lang=lang,
                layout=dump.layout,
                date=_header_date(headers, options, warnings, span),
                warnings=tuple(warnings),
            )
        reason = (
            "no headline list and no article text found"
            if any(line.strip() for line in dump.preamble + dump.chrome)
            else "empty: no text"
        )
        return ArticleData(kind=KIND_REJECTED, reason=reason, warnings=tuple(warnings))

    blocks = tuple(
        Block(b.kind, tidy(b.text), tidy(b.credit) if b.credit else "") for b in dump.blocks
    )
    lead = dump.blocks[lead_index].text
    paragraphs = [
        b.text for b in dump.blocks[lead_index:] if b.kind != "caption" and _WORD.search(b.text)
    ]

    title, title_source = headers.get("title", ""), "header"
    if not title:
        title = shorten(_title_from_preamble(dump.preamble), options.title_max)
        title_source = "preamble"
    if not title:
        title, title_source = title_from_lead(lead, options.title_max), "lead"
    title = tidy(title) or "Без заголовка"
    if title_source != "header" and len(title) > options.title_max:
        title = shorten(title, options.title_max)  # typography can add a character

    date, date_source, precision = _date(
        dump, headers, options, fallback_date, warnings, span
    )
    captions = [b for b in blocks if b.kind == "caption"]
    words = count_words(paragraphs)
    tags = []
    for tag in (t.strip() for t in headers.get("tags", "").split(",")):
        # Pelican makes a tag's slug from its text without markup: a tag that
        # is only markup would get an empty slug and the page ``tag/.html``.
        if tag and slugify(_MARKUP_TAG.sub("", tag)):
            tags.append(tag)
        elif tag:
            warnings.append(f"tag '{tag}' has no letters or digits outside markup; ignored")
    tags = tuple(tags)
    slug = slugify(headers.get("slug") or title, options.slug_max)
    if headers.get("slug") and slug != headers["slug"]:
        warnings.append(f"header 'Slug: {headers['slug']}' is not a plain slug; using '{slug}'")
    if not slug:
        slug = slugify(lead, options.slug_max) or "article"

    return ArticleData(
        kind=KIND_ARTICLE,
        title=title,
        title_source=title_source,
        date=date,
        date_source=date_source,
        date_precision=precision,
        source=source,
        # the lead's block is the lead typeset already
        summary=tidy(headers["summary"]) if headers.get("summary") else blocks[lead_index].text,
        headlines=headlines,
        truncated=dump.truncated,
        caption=headers.get("caption") or (captions[0].text if captions else ""),
        credit=headers.get("credit") or (captions[0].credit if captions else ""),
        blocks=blocks,
        words=words,
        reading_time=max(1, round(words / options.words_per_minute)),
        lang=lang,
        slug=slug,
        tags=tags,
        author=headers.get("author", ""),
        layout=dump.layout,
        warnings=tuple(warnings),
    )


# --- the fields ----------------------------------------------------------------------


def _accepted_headers(headers: dict[str, str], warnings: list[str]) -> dict[str, str]:
    accepted = {}
    for key, value in headers.items():
        if key in OVERRIDE_KEYS:
            accepted[key] = value.strip()
        else:
            warnings.append(f"header '{key}' is not one a dump may set; ignored")
    return accepted


def title_from_lead(lead: str, limit: int) -> str:
    """A readable headline from the lead paragraph.

    The date lead-in (``В субботу, 15 февраля,``) goes; the first sentence
    stays if it fits in ``limit`` characters, else as many whole clauses of
    it as fit; never a dangling comma or conjunction at the end.
    """
    sentences = _SENTENCE_END.split(dates.strip_date_lead_in(lead.strip()))
    # A short first sentence is a date line (``Опубликовано 14.02.2025.``).
    while len(sentences) > 1 and len(sentences[0].split()) < 4:
        sentences.pop(0)
    sentence = dates.strip_date_lead_in(sentences[0].strip())
    return shorten(sentence.rstrip(".").rstrip(), limit)


def shorten(sentence: str, limit: int) -> str:
    """``sentence`` if it fits in ``limit`` characters, else as many whole
    clauses as fit, else whole words and an ellipsis."""
    if len(sentence) <= limit:
        return _tidy_end(sentence)
    # Whole clauses: cut at the last clause break that leaves <= limit.
    best = ""
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.start() > limit:
            break
        candidate = _tidy_end(sentence[: match.start()])
        if len(candidate) >= 20:
            best = candidate
    if best:
        return best
    # One clause longer than the limit: whole words, then an ellipsis.
    cut = sentence[: limit - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return _tidy_end(cut) + "…"


def _tidy_end(text: str) -> str:
    """Drop trailing punctuation and dangling short words (non-breaking
    spaces inside the text are kept)."""
    words = re.split(r"[ \t\n]+", text.rstrip(" ,;:—–-\u00a0").strip())
    while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:—–-\u00a0")


def _title_from_preamble(preamble: tuple[str, ...]) -> str:
    """The generic layout's title: the longest preamble line of prose."""
    best = ""
    for line in preamble:
        line = _ISO_DATE.sub("", line).strip(" \u00a0|·-—")
        if len(line.split()) >= 3 and 20 <= len(line) <= 200 and len(line) > len(best):
            best = line
    return best


def _find_source(dump: Dump, options: DigestSettings) -> str:
    places = list(dump.chrome + dump.preamble + dump.trailer)
    places += [b.credit for b in dump.blocks if b.kind == "caption"]
    text = "\n".join(places)
    for name, patterns in options.sources:
        if any(p.search(text) for p in patterns):
            return name
    return options.default_source


def _language(dump: Dump) -> str:
    return text_lang(" ".join(dump.paragraphs) or " ".join(dump.headlines))


def text_lang(text: str) -> str:
    """``be`` when Belarusian-only letters (і, ў) outnumber Russian-only ones
    (и, щ, ъ), else ``ru``."""
    belarusian = text.count("і") + text.count("І") + text.count("ў") + text.count("Ў")
    if not belarusian:
        return "ru"
    russian = (text.count("и") + text.count("И") + text.count("щ") + text.count("Щ")
               + text.count("ъ") + text.count("Ъ"))
    return "be" if belarusian > russian else "ru"


def _header_date(headers, options, warnings, span=None) -> dt.date | None:
    if "date" not in headers:
        return None
    value = headers["date"]
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        found = dates.find_date(value, options.reference_date, span)
        if found:
            return found.date
    warnings.append(f"header 'Date: {value}' is not a date; ignored")
    return None


def _date(dump, headers, options, fallback, warnings, span=None) -> tuple[dt.date, str, str]:
    header = _header_date(headers, options, warnings, span)
    if header:
        return header, "header", "full"
    paragraphs = [b.text for b in dump.blocks if b.kind != "caption"]
    # Where the publication date stands: the preamble, then the lead.
    for text in ("\n".join(dump.preamble), *paragraphs[:2]):
        found = dates.find_date(text, options.reference_date, span)
        if found:
            if found.precision == "day-month":
                if span is not None:  # the message names the reference date
                    span.exact(options.reference_date)
                warnings.append(
                    f"date '{found.text}' has no year or weekday; "
                    f"assumed {found.date.isoformat()}, the latest not after "
                    f"{options.reference_date.isoformat()}"
                )
            return found.date, "text", found.precision
    found = dates.find_timestamp("\n".join(dump.preamble), options.reference_date, span)
    if found:
        return found.date, "text", found.precision
    warnings.append(
        f"no date in the text; using the file's modification date {fallback.isoformat()}"
    )
    return fallback, "fallback", ""


def count_words(paragraphs: list[str]) -> int:
    """How many words (``_WORD`` matches) the paragraphs hold.

    A word never spans a space, so the count is that of the space-separated
    tokens' words. A token of letters and digits only (``str.isalnum``, which
    is what ``[^\\W_]`` matches) is one word; only the other tokens (with
    punctuation, a hyphen, an underscore) go through the pattern. Gives
    ``sum(len(_WORD.findall(p)) for p in paragraphs)`` in 60 % of its time.
    """
    tokens = " ".join(paragraphs).split()
    rest = list(filterfalse(str.isalnum, tokens))
    return len(tokens) - len(rest) + len(_WORD.findall(" ".join(rest)))


class _Latin(dict):
    """A ``str.translate`` table: each character's transliteration by
    unidecode, looked up once. unidecode maps character by character, so
    ``text.translate(LATIN) == unidecode(text)``; its own loop calls Python
    code for every character (a tenth of the reader's time went to slugs).
    Holds at most one entry per character ever seen."""

    def __missing__(self, code: int) -> str:
        latin = self[code] = unidecode(chr(code))
        return latin


LATIN = _Latin()


def slugify(text: str, limit: int = 80) -> str:
    """Latin, lower case, hyphens: ``Сергей Лавров`` -> ``sergei-lavrov``."""
    latin = text.translate(LATIN).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug else slug[:limit]
    return slug.strip("-")

