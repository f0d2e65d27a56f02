"""Jinja filters for the theme: Russian dates and the like.

Registered on every generator's template environment by ``register()``.
Dates use Babel's CLDR data, so no system locale is needed.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date


def ru_date(value: dt.date | dt.datetime, pattern: str = "d MMMM y", locale: str = "ru") -> str:
    """``15 февраля 2025``; any CLDR pattern (``d MMMM y, EEEE``)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, pattern, locale=locale)


FILTERS = {
    "ru_date": ru_date,
}


def add_filters(generator) -> None:
    env = getattr(generator, "env", None)
    if env is not None:
        env.filters.update(FILTERS)
