"""Russian (and Belarusian) typography for plain text, on top of ``typus``.

``typus`` (https://github.com/byashimov/typus) implements the rules of the
Russian typographers: «» quotes with „“ nested, a non-breaking space after
one- and two-letter words and inside ``15 февраля``, an en dash in number
ranges (``1990–1995``), ellipses. We run its quote and expression
processors on *plain text* (the caller escapes HTML afterwards), with three
changes:

* no HTML escaping processor: the input is plain text, never markup;
* the em dash between words gets a non-breaking space before it and a normal
  space after it (typus uses narrow and thin spaces);
* rules that change the words of a news text rather than its typography are
  left out: ``x`` → ``×``, ``руб``/``р`` → ``₽``, ``1/2`` → ``½``, primes.
"""

from __future__ import annotations

from functools import cache

from typus.chars import ANYSP, MDASH, NBSP, NDASH, WHSP
from typus.core import TypusCore
from typus.processors import EnRuExpressions, RuQuotes

_MDASH_PAIR = NBSP + MDASH + WHSP


class _NewsExpressions(EnRuExpressions):
    expressions = (
        "spaces apostrophe complex_symbols mdash digit_spaces pairs units "
        "ranges abbrs rep_positional_spaces del_positional_spaces"
    ).split()

    @staticmethod
    def expr_mdash():
        return (
            (rf"{WHSP}--{WHSP}", _MDASH_PAIR),
            # A dash with spaces around it separates words, except a minus
            # before a number (``-5``).
            (rf"{ANYSP}+[\-{NDASH}{MDASH}]{ANYSP}+(?!\d\b)", _MDASH_PAIR),
            # A dash at the start of a paragraph (direct speech).
            (rf"^[\-{NDASH}{MDASH}]{ANYSP}+", MDASH + WHSP),
        )


class _NewsTypus(TypusCore):
    processors = (RuQuotes, _NewsExpressions)


@cache
def _typus() -> _NewsTypus:
    return _NewsTypus()


def typeset(text: str) -> str:
    """Apply the typographic rules to one paragraph of plain text."""
    if not text.strip():
        return ""
    return _typus()(text)
