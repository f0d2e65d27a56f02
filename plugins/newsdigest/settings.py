"""The plugin's settings: every ``DIGEST_*`` name, its default, in one place.

Users set these in ``pelicanconf.py``; :func:`from_pelican` merges them over
the defaults. Nothing here is kept between builds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

#: Known outlets: name -> patterns (regular expressions, case-insensitive)
#: looked for in a dump's chrome, preamble and photo credits. A user's
#: ``DIGEST_SOURCES`` is merged over this table (same name replaces).
DEFAULT_SOURCES: dict[str, list[str]] = {
    "Зеркало": [r"\bЗеркал[оау]\b", r"\bЛюстэрк[ауі]\b", r"\bzerkalo\b"],
    "Медуза": [r"\bМедуз[аыу]\b", r"\bmeduza\b"],
    "Новая газета Европа": [r"\bНовая газета Европа\b", r"\bnovayagazeta\.eu\b"],
    "Наша Ніва": [r"\bНаша Ніва\b", r"\bНашей Нивы\b", r"\bnashaniva\b"],
    "Белсат": [r"\bБелсат\b", r"\bБелсата\b", r"\bbelsat\b"],
    "Би-би-си": [r"\bBBC\b", r"\bБи-би-си\b"],
    "Радыё Свабода": [r"\bРадыё Свабода\b", r"\bРадио Свобода\b", r"\bsvaboda\b"],
}

#: Named entities: built-in fixes of known model mistakes. A user's
#: ``DIGEST_ENTITY_*`` settings are merged over them (``DIGEST_ENTITY_RULES =
#: False`` starts from nothing). Names are compared regardless of case and ё/е.
#: name as found (or as the model normalised it) -> the name to use
DEFAULT_ENTITY_ALIASES: dict[str, str] = {
    "Барак Обамы": "Барак Обама",
    "РФ": "Россия",
    "Российская Федерация": "Россия",
    "Белоруссия": "Беларусь",
    "Республика Беларусь": "Беларусь",
    "РБ": "Беларусь",
    "Соединенные Штаты": "США",
    "Соединенные Штаты Америки": "США",
    "Штаты": "США",
    "ЕС": "Евросоюз",
    "Европейский союз": "Евросоюз",
}
#: joined name -> the names of adjacent mentions (only spaces between), after aliases
DEFAULT_ENTITY_JOINS: dict[str, list[str]] = {
    "МИД России": ["МИД", "Россия"],
    "МИД Беларуси": ["МИД", "Беларусь"],
    "МИД Украины": ["МИД", "Украина"],
    "Минобороны России": ["Минобороны", "Россия"],
    "Минобороны Украины": ["Минобороны", "Украина"],
    "Генштаб ВСУ": ["Генштаб", "ВСУ"],
}
#: names that are never tags: common nouns the model takes for names
DEFAULT_ENTITY_STOPS: list[str] = [
    "СМИ", "Z-сообщество", "Фото", "Коллаж", "Видео", "Скриншот", "Telegram-канал",
]
#: name -> kind (person, place, organisation), where the model's kind misleads
DEFAULT_ENTITY_KINDS: dict[str, str] = {
    "Кремль": "organisation",
    "Белый дом": "organisation",
}

DEFAULTS: dict[str, object] = {
    # name -> list of regexes; merged over DEFAULT_SOURCES
    "DIGEST_SOURCES": {},
    # source (and category) of a dump no known source matches
    "DIGEST_DEFAULT_SOURCE": "Неизвестный источник",
    # the date "В субботу, 15 февраля" is resolved against; None = build date
    "DIGEST_REFERENCE_DATE": None,
    # longest inferred title, in characters
    "DIGEST_TITLE_MAX": 110,
    # reading speed for the reading time, words per minute
    "DIGEST_WORDS_PER_MINUTE": 180,
    # Russian typography (quotes, non-breaking spaces, dashes) on/off
    "DIGEST_TYPOGRAPHY": True,
    # longest slug, in characters
    "DIGEST_SLUG_MAX": 80,
    # larger files are rejected (no web page's text is this long)
    "DIGEST_MAX_BYTES": 5_000_000,
    # longer headline lists are cut to this many items
    "DIGEST_MAX_HEADLINES": 100,
    # the build report (JSON), relative to the folder Pelican runs from
    "DIGEST_REPORT": "build-report.json",
    # the merged roundup as JSON, relative to the output folder
    "DIGEST_ROUNDUP_JSON": "headlines.json",
    # --- named entities -> tags (entities.py) ---
    # tag articles and headlines with their named entities
    "DIGEST_ENTITIES": True,
    # most entity tags per article (header tags come on top)
    "DIGEST_ENTITY_LIMIT": 8,
    # {"name as found": "name to use"}; merged over DEFAULT_ENTITY_ALIASES
    "DIGEST_ENTITY_ALIASES": {},
    # {"joined name": ["first", "second"]}; merged over DEFAULT_ENTITY_JOINS
    "DIGEST_ENTITY_JOINS": {},
    # names that never become tags; added to DEFAULT_ENTITY_STOPS
    "DIGEST_ENTITY_STOPS": [],
    # {"name": "person" | "place" | "organisation"}; merged over DEFAULT_ENTITY_KINDS
    "DIGEST_ENTITY_KINDS": {},
    # False: ignore the built-in aliases, joins, stops and kinds
    "DIGEST_ENTITY_RULES": True,
    # a bare surname joins the one full name of the corpus that carries it
    "DIGEST_ENTITY_CORPUS_JOIN": True,
    # entities named only in headlines get a tag page too
    "DIGEST_ENTITY_HEADLINE_TAGS": True,
    # in headlines, a name the model found elsewhere in the corpus counts
    # even where the model missed it (short texts lack context)
    "DIGEST_ENTITY_KNOWN_NAMES": True,
    # languages of the texts the (Russian) model reads; "be" texts are skipped
    "DIGEST_ENTITY_LANGS": ["ru"],
    # processes for a cold extraction; None = every core, 1 = this process
    "DIGEST_ENTITY_WORKERS": None,
    # fewer characters than this to extract: one process (loading the model
    # in every worker costs more than it saves)
    "DIGEST_ENTITY_PARALLEL_MIN": 100_000,
    # folder of the on-disk caches (entities.sqlite3, reader.sqlite3, merge.sqlite3);
    # None = Pelican's CACHE_PATH
    # ("cache", at the repository root when you build from there)
    "DIGEST_CACHE_PATH": None,
    # False: no on-disk cache (every build runs the model)
    "DIGEST_ENTITY_CACHE": True,
    # --- reading (reader.py, readcache.py) ---
    # keep each dump's reading in the cache folder (reader.sqlite3), keyed by
    # the dump's bytes, the reader's code and the settings that change a reading
    "DIGEST_READER_CACHE": True,
    # the reader applies Pelican's typogrify itself, so that it is cached
    # (only while Pelican's TYPOGRIFY is off)
    "DIGEST_TYPOGRIFY": False,
    # --- merging captures (corpus.py, snapshots.py) ---
    # keep which captures were found the same story, with their leads'
    # signatures (merge.sqlite3 in the cache folder): a rebuild reads and
    # checks only the new or changed captures and their candidate pairs
    "DIGEST_MERGE_CACHE": True,
    # --- writing (writer.py) ---
    # processes that render and write the pages; None = every core, 1 = this process
    "DIGEST_WRITE_WORKERS": None,
    # --- search, sharing, live preview (search.py, sharing.py, preview.py) ---
    # build the Pagefind search index after every build (Pelican's finalized signal)
    "DIGEST_SEARCH": True,
    # one index for the whole site, stemmed as this language (Belarusian pages too)
    "DIGEST_SEARCH_LANGUAGE": "ru",
    # the index folder, relative to the output folder
    "DIGEST_SEARCH_BUNDLE": "pagefind",
    # the Pagefind binary; None = the one from the pagefind[bin] package, else PATH
    "DIGEST_PAGEFIND": None,
    # write robots.txt (with the sitemap's address when SITEURL is absolute)
    "DIGEST_ROBOTS": True,
    # pelican --autoreload also watches the dumps (ARTICLE_PATHS) and the plugin code
    "DIGEST_WATCH": True,
    # more folders or files for pelican --autoreload to watch
    "DIGEST_WATCH_PATHS": [],
}

#: Override headers a dump may carry at its top (``Key: value``), lower case.
OVERRIDE_KEYS = frozenset(
    "title date tags source category slug summary lang caption credit author".split()
)


ENTITY_KINDS = ("person", "place", "organisation")


def setting(settings: dict, key: str):
    """One ``DIGEST_*`` setting, or its default."""
    return settings.get(key, DEFAULTS[key])


def cache_folder(settings: dict) -> str:
    """The folder of the on-disk caches: ``DIGEST_CACHE_PATH``, else
    Pelican's ``CACHE_PATH``, else ``cache``."""
    return str(setting(settings, "DIGEST_CACHE_PATH") or settings.get("CACHE_PATH") or "cache")


def search_bundle(settings: dict) -> str:
    """The search index folder inside ``output/``, without slashes."""
    return str(setting(settings, "DIGEST_SEARCH_BUNDLE") or "").strip("/") or "pagefind"


def name_key(name: str) -> str:
    """Entity names compare regardless of case, ё/е and spacing."""
    return " ".join(str(name).casefold().replace("ё", "е").split())


@dataclass(frozen=True)
class EntitySettings:
    """The ``DIGEST_ENTITY_*`` settings, ready to use (names as :func:`name_key` keys)."""

    enabled: bool = True
    limit: int = 8
    aliases: dict[str, str] = field(default_factory=dict)  # key -> name
    joins: dict[tuple[str, ...], str] = field(default_factory=dict)  # keys -> name
    stops: frozenset[str] = frozenset()
    kinds: dict[str, str] = field(default_factory=dict)  # key -> kind
    #: every name the rules mention (always a name, even where the
    #: dictionary has a common word: ``Кремль``)
    names: frozenset[str] = frozenset()
    corpus_join: bool = True
    headline_tags: bool = True
    known_names: bool = True
    langs: tuple[str, ...] = ("ru",)
    workers: int | None = None
    parallel_min_chars: int = 100_000
    cache: bool = True


def entity_settings(value: dict) -> EntitySettings:
    """:class:`EntitySettings` from ``DIGEST_*`` values (defaults filled in)."""
    value = {**DEFAULTS, **value}
    builtin = bool(value["DIGEST_ENTITY_RULES"])

    def merged(default, name):
        return {**(default if builtin else {}), **(value[name] or {})}

    aliases = merged(DEFAULT_ENTITY_ALIASES, "DIGEST_ENTITY_ALIASES")
    joins = merged(DEFAULT_ENTITY_JOINS, "DIGEST_ENTITY_JOINS")
    stops = [*(DEFAULT_ENTITY_STOPS if builtin else []), *(value["DIGEST_ENTITY_STOPS"] or [])]
    kinds = merged(DEFAULT_ENTITY_KINDS, "DIGEST_ENTITY_KINDS")
    for name, kind in kinds.items():
        if kind not in ENTITY_KINDS:
            raise ValueError(
                f"DIGEST_ENTITY_KINDS: {name!r}: kind {kind!r} is not one of {ENTITY_KINDS}"
            )
    for name, parts in joins.items():
        if isinstance(parts, str) or len(parts) < 2:
            raise ValueError(f"DIGEST_ENTITY_JOINS: {name!r}: give a list of two or more names")
    workers = value["DIGEST_ENTITY_WORKERS"]
    named = [*aliases, *aliases.values(), *joins, *kinds]
    named += [part for parts in joins.values() if not isinstance(parts, str) for part in parts]
    return EntitySettings(
        enabled=bool(value["DIGEST_ENTITIES"]),
        limit=max(0, int(value["DIGEST_ENTITY_LIMIT"])),
        aliases={name_key(k): str(v) for k, v in aliases.items() if v},
        joins={tuple(name_key(p) for p in parts): str(name) for name, parts in joins.items()},
        stops=frozenset(name_key(s) for s in stops),
        kinds={name_key(k): v for k, v in kinds.items()},
        names=frozenset(name_key(n) for n in named if n),
        corpus_join=bool(value["DIGEST_ENTITY_CORPUS_JOIN"]),
        headline_tags=bool(value["DIGEST_ENTITY_HEADLINE_TAGS"]),
        known_names=bool(value["DIGEST_ENTITY_KNOWN_NAMES"]),
        langs=tuple(value["DIGEST_ENTITY_LANGS"] or ()),
        workers=None if workers is None else max(1, int(workers)),
        parallel_min_chars=int(value["DIGEST_ENTITY_PARALLEL_MIN"]),
        cache=bool(value["DIGEST_ENTITY_CACHE"]),
    )


@dataclass(frozen=True)
class DigestSettings:
    sources: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    default_source: str
    reference_date: dt.date
    title_max: int
    words_per_minute: int
    typography: bool
    slug_max: int
    max_bytes: int
    max_headlines: int
    report: str
    roundup_json: str
    #: named entities -> tags (entities.py)
    entities: EntitySettings = field(default_factory=lambda: entity_settings({}))


def from_pelican(settings: dict) -> DigestSettings:
    """Read the ``DIGEST_*`` settings over their defaults."""
    value = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    table = {**DEFAULT_SOURCES, **dict(value["DIGEST_SOURCES"] or {})}
    sources = tuple(
        (name, tuple(re.compile(p, re.IGNORECASE) for p in patterns))
        for name, patterns in table.items()
    )
    reference = value["DIGEST_REFERENCE_DATE"]
    if reference is None:
        reference = dt.date.today()
    elif isinstance(reference, str):
        reference = dt.date.fromisoformat(reference)
    elif isinstance(reference, dt.datetime):
        reference = reference.date()
    return DigestSettings(
        sources=sources,
        default_source=str(value["DIGEST_DEFAULT_SOURCE"]),
        reference_date=reference,
        title_max=int(value["DIGEST_TITLE_MAX"]),
        words_per_minute=int(value["DIGEST_WORDS_PER_MINUTE"]),
        typography=bool(value["DIGEST_TYPOGRAPHY"]),
        slug_max=int(value["DIGEST_SLUG_MAX"]),
        max_bytes=int(value["DIGEST_MAX_BYTES"]),
        max_headlines=int(value["DIGEST_MAX_HEADLINES"]),
        report=str(value["DIGEST_REPORT"]),
        roundup_json=str(value["DIGEST_ROUNDUP_JSON"]),
        entities=entity_settings(value),
    )
