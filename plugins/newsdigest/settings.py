"""The plugin's settings: every ``DIGEST_*`` name, its default, in one place.

Users set these in ``pelicanconf.py``; :func:`from_pelican` merges them over
the defaults. Nothing here is kept between builds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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
    # the build report (JSON), relative to the folder Pelican runs from
    "DIGEST_REPORT": "build-report.json",
    # the merged roundup as JSON, relative to the output folder
    "DIGEST_ROUNDUP_JSON": "headlines.json",
}

#: Override headers a dump may carry at its top (``Key: value``), lower case.
OVERRIDE_KEYS = frozenset(
    "title date tags source category slug summary lang caption credit author".split()
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
    report: str
    roundup_json: str


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
        report=str(value["DIGEST_REPORT"]),
        roundup_json=str(value["DIGEST_ROUNDUP_JSON"]),
    )
