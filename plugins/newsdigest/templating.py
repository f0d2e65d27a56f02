"""Jinja filters for the theme: Russian dates, plurals, day groups and the like.

Registered on every generator's template environment by ``register()``.
Dates and plural forms use Babel's CLDR data, so no system locale is needed.
Nothing here is kept between builds: per-build state lives in closures made
by :func:`add_filters` for each generator's environment (Pelican makes new
generators, and so new environments, for every build).

Per build, on each environment (see :func:`build_filters`): formatted dates,
the URLs of articles, tags and sources (Pelican formats its URL settings at
every ``.url``), linked headlines and whole rendered fragments
(``rendered_once``: an article's entry on the home, day, month, tag and
source pages is rendered once) are computed once and reused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from itertools import groupby

from babel import Locale
from babel.dates import format_date
from markupsafe import Markup

#: The interface language (the dumps themselves may be ``be``).
UI_LOCALE = "ru"


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def ru_date(
    value: dt.date | dt.datetime, pattern: str = "d MMMM y", locale: str = UI_LOCALE
) -> str:
    """``15 февраля 2025``; any CLDR pattern (``d MMMM y, EEEE``)."""
    return format_date(_as_date(value), pattern, locale=locale)


def iso_date(value: dt.date | dt.datetime) -> str:
    """``2025-02-15``: a ``<time datetime>`` value (the dumps give days, not times)."""
    return _as_date(value).isoformat()


def period_title(period_num: tuple[int, ...], locale: str = UI_LOCALE) -> str:
    """The heading of a Pelican period archive from its ``period_num``:
    ``2025``, ``Февраль 2025``, ``15 февраля 2025, суббота``."""
    if len(period_num) == 1:
        return str(period_num[0])
    if len(period_num) == 2:
        text = format_date(dt.date(period_num[0], period_num[1], 1), "LLLL y", locale=locale)
        return text[:1].upper() + text[1:]
    return format_date(dt.date(*period_num[:3]), "d MMMM y, EEEE", locale=locale)


def period_date(period_num: tuple[int, ...]) -> str:
    """``2025``, ``2025-02`` or ``2025-02-15``: valid ``<time datetime>`` values."""
    return "-".join(f"{part:02d}" if i else str(part) for i, part in enumerate(period_num))


def plural(count: int, one: str, few: str, many: str, locale: str = UI_LOCALE) -> str:
    """``1 статья``, ``3 статьи``, ``5 статей``: CLDR plural rules."""
    form = Locale.parse(locale).plural_form(count)
    word = {"one": one, "few": few}.get(form, many)
    return f"{count} {word}"


def by_day(articles) -> list[tuple[dt.date, list]]:
    """Consecutive articles of the same day, in the given order."""
    return [(day, list(group)) for day, group in groupby(articles, key=lambda a: _as_date(a.date))]


def basename(path: str) -> str:
    """A dump's file name without its folders (no local paths in the site)."""
    return os.path.basename(str(path))


def capture_id(path: str) -> str:
    """The roundup's anchor for one capture: ``dump-000_80243a7568773db2``."""
    stem = os.path.splitext(basename(path))[0]
    return "dump-" + (re.sub(r"[^\w-]+", "-", stem).strip("-") or "file")


_FIRST_PARAGRAPH = re.compile(r"\A\s*<p>(.*?)</p>\s*", re.DOTALL)


def without_lead(content: str, summary: str) -> str:
    """The body without its first paragraph when that paragraph is the lead
    (the article page shows the lead on its own, above the body)."""
    match = _FIRST_PARAGRAPH.match(content or "")
    if match and summary and match.group(1).strip() == str(summary).strip():
        return content[match.end() :]
    return content


#: What a tag is, in the singular (tag pages) and as a group (the tags index).
KIND_NAMES = {
    "person": ("Человек", "Люди"),
    "place": ("Место", "Места"),
    "organisation": ("Организация", "Организации"),
    "topic": ("Тема", "Темы"),
}


def tag_kind(tag) -> str:
    """A tag's kind: ``person``, ``place``, ``organisation`` (entity tags) or
    ``topic`` (a ``Tags:`` header, or any tag without a kind)."""
    kind = getattr(tag, "kind", None)
    return kind if kind in KIND_NAMES else "topic"


def kind_name(kind: str, plural: bool = False) -> str:
    return KIND_NAMES.get(kind, KIND_NAMES["topic"])[1 if plural else 0]


def grouped_tags(tags) -> list[tuple[str, list]]:
    """An article's tags by kind, ``[(kind, [tag, ...]), ...]``: kinds in the
    tags index's order, each kind's tags in the article's order (salience)."""
    groups: dict[str, list] = {kind: [] for kind in KIND_NAMES}
    for tag in tags or ():
        groups[tag_kind(tag)].append(tag)
    return [(kind, items) for kind, items in groups.items() if items]


def tags_by_kind(tags, entities=None) -> list[tuple[str, list[tuple]]]:
    """The tags index: ``[(kind, [(tag, articles, headlines), ...]), ...]``,
    kinds in a fixed order, names alphabetical; ``headlines`` is the number of
    roundup headlines that name the tag's entity (from ``digest_entities``)."""
    pages = entities or {}
    groups: dict[str, list[tuple]] = {kind: [] for kind in KIND_NAMES}
    for tag, articles in tags:
        page = pages.get(tag.slug)
        named = len(page.headlines) if page is not None else 0
        groups[tag_kind(tag)].append((tag, len(articles), named))
    return [
        (kind, sorted(items, key=lambda item: str(item[0]).casefold().replace("ё", "е")))
        for kind, items in groups.items()
        if items
    ]


def link_entities(text: str, entities, base: str = "", tag_url: str = "tag/{slug}.html"):
    """A headline as escaped HTML, each named entity a link to its tag page."""
    if not entities:
        return Markup.escape(text)
    from .entities import linked_headline

    return linked_headline(text, entities, base, url=lambda slug: tag_url.format(slug=slug))


def _memo_ru_date():
    """:func:`ru_date`, each (day, pattern) formatted once per build."""
    cache: dict[tuple, str] = {}

    def memo_ru_date(value, pattern: str = "d MMMM y", locale: str = UI_LOCALE) -> str:
        key = (_as_date(value), pattern, locale)
        text = cache.get(key)
        if text is None:
            text = cache[key] = ru_date(key[0], pattern, locale)
        return text

    return memo_ru_date


def _memo_url():
    """``obj|url``: ``obj.url`` (an article, a tag, a source), computed once
    per build. Pelican formats the URL setting at every access; within the
    writing phase slugs, dates and categories no longer change."""
    cache: dict[int, tuple[object, str]] = {}

    def url(obj) -> str:
        entry = cache.get(id(obj))
        if entry is None or entry[0] is not obj:
            entry = cache[id(obj)] = (obj, obj.url)
        return entry[1]

    return url


def _memo_link_entities():
    """:func:`link_entities`, each headline linked once per (entities, base,
    URL pattern) and build: the roundup shows the same headline in many lists."""
    cache: dict[tuple, tuple[object, Markup]] = {}

    def memo_link_entities(text, entities, base="", tag_url="tag/{slug}.html"):
        if not entities:
            return Markup.escape(text)
        key = (text, id(entities), base, tag_url)
        entry = cache.get(key)
        if entry is None or entry[0] is not entities:
            entry = cache[key] = (entities, link_entities(text, entities, base, tag_url))
        return entry[1]

    return memo_link_entities


#: Arguments compared by value (immutable); anything else by identity.
_PLAIN = (str, int, float, bool, type(None), dt.date)


def _rendered_once():
    """``rendered_once(macro, *args)``: the macro's output for these
    arguments, rendered once per build and reused; ``rendered_each(macro,
    items, *args)``: ``rendered_once(macro, item, *args)`` for each item, one
    per line (a long list in one call: the roundup's capture lists).

    For macros whose output depends only on their arguments (pass every
    context value they use, e.g. ``SITEURL``, which differs by page with
    relative URLs). Objects are told apart by identity (the articles and tags
    of one build), plain values by type and value (``True`` is not ``1``);
    the macro by identity (a template imported without context makes its
    macros once per build, and two templates may both have an ``entry``).
    """
    #: key -> (the arguments compared by identity, the output)
    cache: dict[tuple, tuple[tuple, Markup]] = {}

    def _split(args: tuple) -> tuple[tuple, tuple]:
        key = tuple((type(a), a) if isinstance(a, _PLAIN) else ("id", id(a)) for a in args)
        return key, tuple(a for a in args if not isinstance(a, _PLAIN))

    def _lookup(macro, key: tuple, objects: tuple, args: tuple) -> Markup:
        entry = cache.get(key)
        if entry is None or any(x is not y for x, y in zip(entry[0], objects, strict=True)):
            entry = cache[key] = (objects, Markup(macro(*args)))
        return entry[1]

    def rendered_once(macro, *args):
        key, objects = _split(args)
        return _lookup(macro, (id(macro), *key), (macro, *objects), args)

    def rendered_each(macro, items, *args):
        fixed, objects = _split(args)
        out = []
        for item in items:
            if isinstance(item, _PLAIN):
                key = (id(macro), (type(item), item), *fixed)
                out.append(_lookup(macro, key, (macro, *objects), (item, *args)))
            else:
                out.append(rendered_once(macro, item, *args))
        return Markup("\n".join(out))

    return rendered_once, rendered_each


def _memo_plural():
    """:func:`plural` with each locale's plural rule looked up once per build."""
    forms: dict[str, object] = {}

    def memo_plural(count: int, one: str, few: str, many: str, locale: str = UI_LOCALE) -> str:
        rule = forms.get(locale)
        if rule is None:
            rule = forms[locale] = Locale.parse(locale).plural_form
        word = {"one": one, "few": few}.get(rule(count), many)
        return f"{count} {word}"

    return memo_plural


def _neighbours_filter():
    """``article|neighbours(articles)`` -> ``(older, newer)`` in the digest.

    The position index is built once per list (per build), not per page.
    """
    cache: dict[int, tuple[list, dict[int, int]]] = {}

    def neighbours(article, articles):
        articles = list(articles) if not isinstance(articles, list) else articles
        entry = cache.get(id(articles))
        if entry is None or entry[0] is not articles:
            cache.clear()
            entry = cache[id(articles)] = (
                articles,
                {id(item): index for index, item in enumerate(articles)},
            )
        index = entry[1].get(id(article))
        if index is None:
            return None, None
        older = articles[index + 1] if index + 1 < len(articles) else None
        newer = articles[index - 1] if index > 0 else None
        return older, newer

    return neighbours


FILTERS = {
    "ru_date": ru_date,
    "iso_date": iso_date,
    "period_title": period_title,
    "period_date": period_date,
    "plural": plural,
    "by_day": by_day,
    "basename": basename,
    "capture_id": capture_id,
    "without_lead": without_lead,
    "tag_kind": tag_kind,
    "kind_name": kind_name,
    "tags_by_kind": tags_by_kind,
    "grouped_tags": grouped_tags,
    "link_entities": link_entities,
}


def build_filters() -> tuple[dict, dict]:
    """Fresh per-build filters and globals (their caches die with them)."""
    filters = {
        "ru_date": _memo_ru_date(),
        "url": _memo_url(),
        "link_entities": _memo_link_entities(),
        "plural": _memo_plural(),
        "neighbours": _neighbours_filter(),
    }
    rendered_once, rendered_each = _rendered_once()
    return filters, {"rendered_once": rendered_once, "rendered_each": rendered_each}


def add_filters(generator) -> None:
    env = getattr(generator, "env", None)
    if env is not None:
        filters, template_globals = build_filters()
        env.filters.update(FILTERS)
        env.filters.update(filters)
        env.globals.update(template_globals)
