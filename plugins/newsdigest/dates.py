"""Find the publication date in Russian or Belarusian news text.

Month and weekday names come from the CLDR data shipped with Babel (genitive
months are CLDR's "format" context), so no system locale is needed.

Recognised, in order of preference inside one piece of text:

* ``15.02.2025``, ``2025-02-15``;
* ``15 февраля 2025`` (Russian or Belarusian genitive month, optional ``г.``/``года``);
* ``В субботу, 15 февраля``: the latest year, not after the reference date,
  in which 15 February is a Saturday;
* ``15 февраля`` alone, near the start of the text: the latest such date
  not after the reference date (reported as ``precision="day-month"`` so the
  caller can warn);
* a raw Unix timestamp (10 digits) next to a date word, for outlets that
  print one.

The reference date is an input that is not in the text: a caller that keeps
results (the reader cache) passes a :class:`ReferenceSpan`, which each use of
the reference narrows to the reference dates that give the same result.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from babel.dates import get_day_names, get_month_names

LOCALES = ("ru", "be")
#: A day and month without year or weekday is a date only this close to the
#: start of a text (``15 февраля, министр…``, ``Опубликовано 15 февраля``).
LEAD_IN_CHARS = 40


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    #: "full" (year in the text), "weekday" (year from the weekday),
    #: "day-month" (year assumed), "timestamp"
    precision: str
    text: str  # the matched text


@dataclass
class ReferenceSpan:
    """The reference dates (``first`` to ``last``, both included) for which
    every result found so far would be the same. Untouched: any reference."""

    first: dt.date = dt.date.min
    last: dt.date = dt.date.max

    def narrow(self, first: dt.date, last: dt.date) -> None:
        self.first = max(self.first, first)
        self.last = min(self.last, last)

    def exact(self, reference: dt.date) -> None:
        """The result depends on the very day (it is in a message)."""
        self.narrow(reference, reference)

    def holds(self, reference: dt.date) -> bool:
        return self.first <= reference <= self.last


@cache
def _names() -> tuple[dict[str, int], dict[str, int]]:
    """Month names (genitive, lower case) -> month; weekday stems -> ISO weekday."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, "format", locale).items():
                name = name.lower().rstrip(".")
                if len(name) >= 3:
                    months.setdefault(name, number)
        for number, name in get_day_names("wide", "format", locale).items():
            name = name.lower()
            # Accusative after в/у: суббота -> субботу, нядзеля -> нядзелю.
            stem = name[:-1] if name[-1] in "аяеую" else name
            weekdays[stem] = number  # Babel: 0 = Monday
    return months, weekdays


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    months, weekdays = _names()
    month_alt = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    weekday_alt = "|".join(sorted(map(re.escape, weekdays), key=len, reverse=True))
    sp = r"[\s\u00a0]+"
    worded = re.compile(
        rf"(?:\b(?P<weekday>{weekday_alt})[а-яёіў]*,?{sp})?"
        rf"\b(?P<day>\d{{1,2}}){sp}(?P<month>{month_alt})\.?(?![а-яёіў])"
        rf"(?:,?{sp}(?P<year>(?:19|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    numeric = re.compile(
        r"(?<![\d.])(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)"
        r"|(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d))(?![\d])"
    )
    return worded, numeric


_TIMESTAMP = re.compile(r"(?<!\d)(1[0-9]{9})(?!\d)")


def find_date(
    text: str, reference: dt.date, span: ReferenceSpan | None = None
) -> FoundDate | None:
    """The first date in ``text``, resolved against ``reference``
    (``span``, if given, narrowed to the references giving the same result)."""
    worded, numeric = _patterns()
    candidates: list[tuple[int, FoundDate]] = []
    for match in numeric.finditer(text):
        if match.group("y"):
            parts = match.group("y", "m", "d")
        else:
            parts = match.group("iy", "im", "id")
        found = _make(int(parts[0]), int(parts[1]), int(parts[2]), "full", match)
        if found:
            candidates.append((match.start(), found))
            break
    for match in worded.finditer(text):
        found = _resolve_worded(match, reference, span)
        if found and found.precision == "day-month" and match.start() > LEAD_IN_CHARS:
            # "с 1 июля" deep in a sentence is a deadline, not the date of
            # the news: a bare day and month counts only in the lead-in.
            continue
        if found:
            candidates.append((match.start(), found))
            break
    if candidates:
        return min(candidates, key=lambda item: item[0])[1]
    return None


def find_timestamp(
    text: str, reference: dt.date, span: ReferenceSpan | None = None
) -> FoundDate | None:
    """A raw Unix timestamp (seconds), if it falls between 2001 and ``reference``."""
    for match in _TIMESTAMP.finditer(text):
        moment = dt.datetime.fromtimestamp(int(match.group(1)), tz=dt.UTC)
        if moment.date() <= reference:
            if span is not None:
                span.narrow(moment.date(), dt.date.max)
            return FoundDate(moment.date(), "timestamp", match.group(0))
        if span is not None:  # skipped: after the reference
            span.narrow(dt.date.min, moment.date() - dt.timedelta(days=1))
    return None


def _make(year: int, month: int, day: int, precision: str, match) -> FoundDate | None:
    try:
        return FoundDate(dt.date(year, month, day), precision, match.group(0))
    except ValueError:
        return None


def _resolve_worded(
    match: re.Match[str], reference: dt.date, span: ReferenceSpan | None = None
) -> FoundDate | None:
    months, weekdays = _names()
    month = months[match.group("month").lower()]
    day = int(match.group("day"))
    if match.group("year"):
        return _make(int(match.group("year")), month, day, "full", match)
    weekday = None
    if match.group("weekday"):
        weekday = weekdays[match.group("weekday").lower()]
    if not _fitting(2000, month, day, None):  # no such day (31 April), in any year
        return None
    # The latest year not after the reference date that fits (and has the
    # weekday, when one is given). Weekdays repeat within 28 years at most.
    for year in range(reference.year, reference.year - _YEARS, -1):
        found = _fitting(year, month, day, weekday)
        if found and found <= reference:
            if span is not None:
                span.narrow(found, _same_until(found, month, day, weekday))
            return FoundDate(found, "day-month" if weekday is None else "weekday",
                             match.group(0))
    if span is not None:
        span.exact(reference)
    return None


#: How many years back from the reference a day and month are looked for.
_YEARS = 40


def _fitting(year: int, month: int, day: int, weekday: int | None) -> dt.date | None:
    """The day and month in ``year``, if it exists (and is ``weekday``)."""
    try:
        candidate = dt.date(year, month, day)
    except ValueError:  # 29 February
        return None
    if weekday is not None and candidate.weekday() != weekday:
        return None
    return candidate


def _same_until(found: dt.date, month: int, day: int, weekday: int | None) -> dt.date:
    """The last reference date that still resolves to ``found``: the day before
    the next date that fits, and never so late that ``found`` falls out of
    the years looked at."""
    last = dt.date(found.year + _YEARS - 1, 12, 31)
    for year in range(found.year + 1, found.year + _YEARS):
        following = _fitting(year, month, day, weekday)
        if following:
            return min(last, following - dt.timedelta(days=1))
    return last


def strip_date_lead_in(sentence: str) -> str:
    """Drop a leading ``В субботу, 15 февраля,`` (or ``15 февраля 2025 года,``)."""
    worded, numeric = _patterns()
    lead = re.match(
        r"^(?:(?:В|Во|У|Ва)[\s\u00a0]+)?", sentence, flags=re.IGNORECASE
    )
    rest = sentence[lead.end() :]
    match = worded.match(rest) or numeric.match(rest)
    if not match:
        return sentence
    tail = rest[match.end() :]
    tail = re.sub(r"^[\s\u00a0]*(?:г\.|года|году)?[\s\u00a0]*,?[\s\u00a0]*", "", tail)
    if not tail:
        return sentence
    return tail[0].upper() + tail[1:]
