"""Russian (and Belarusian) typography for plain text.

The rules are those of ``typus`` (https://github.com/byashimov/typus), the
Russian typographers' rules, with our rule set; :func:`typeset_reference` runs
typus itself with that rule set:

* quotes: ``"``, ``'`` and typographic quotes are paired again into «», with
  „“ for nested quotes; an apostrophe inside a word becomes ``’``;
* spaces: runs of spaces collapse into one (a lone non-breaking space is
  kept); no space before ``, . : ? ! …``;
* a non-breaking space after one- and two-letter words (``в``, ``на``), after
  a number of up to three digits before a word or a number (``15 февраля``),
  between a number and its unit (``5 км``, ``2020 г.``), after ``№ § © % $``
  and the like, after a one-letter abbreviation (``А. Лукашенко``); a narrow
  one inside ``т. е.``;
* the em dash between words gets a non-breaking space before it and a normal
  space after it (typus uses narrow and thin spaces); ``--`` and a spaced
  hyphen or en dash become that em dash, except a minus before a number; a dash
  opening the paragraph (direct speech) becomes ``— ``;
* an en dash in number ranges whose left side is smaller (``1990–1995``; the
  score ``5-3`` keeps its hyphen);
* ``...`` → ``…``, ``(c)`` → ``©``, ``(r)`` → ``®``, ``(tm)`` → ``™``,
  ``->`` → ``→``, ``<=`` → ``≤`` and the rest of typus's symbol table;
* no HTML escaping: the input is plain text, never markup (render escapes);
* rules that change the words of a news text rather than its typography are
  left out: ``x`` → ``×``, ``руб``/``р`` → ``₽``, ``1/2`` → ``½``, primes, minus.

typus's quirks are kept with its rules: an unpaired quote becomes a straight
``'`` (``«цитата`` → ``'цитата``), a non-breaking space next to another space
is lost when the run collapses.

Why not typus at run time: it runs some twenty regular expressions over
every paragraph, many starting with ``\\b`` or a look-behind (so ``re`` tries
each position of the text), several with ``\\1`` templates (expanded in
Python for each match), and a quote pass whose lazy ``.+?`` steps through the
text one character at a time: 40 µs per paragraph on average, 69 µs on the
seed dump's long ones, 1.95 of the reader's 2.7 ms per dump.

:func:`typeset` applies the same rules in the same order with patterns that
match the same text but cost less: each starts with a literal or a character
class (``" (?<=…)"`` rather than ``"\\b…"``) so ``re`` skips ahead, replaces
with a plain string where typus used a template, pairs quotes greedily; and
one scan collects the characters the rules need (quotes, dashes, digits,
symbols), so a rule is skipped when they are absent and no earlier rule
wrote them, or when an ``in`` test shows it cannot match. Measured (medians,
2-core machine): the seed dump's 26 texts take 0.21–0.25 ms instead of
1.75–1.85 ms (7–8×); the fixtures' lines 6.9 µs instead of 40 µs each (5.8×);
bench/reader_time.py, reader per dump: 2.69 → 1.02 ms with typography,
0.73 ms without (typography 1.95 → 0.29 ms).

tests/test_typography.py checks :func:`typeset` against typus on the seed and
fixture lines, variants of them, and generated text. One deliberate
difference: a symbol spelt with a rare case-folding twin (``(ᲃ)``, Cyrillic
small wide es, matches ``(с)`` case-insensitively) makes typus raise
``KeyError``; :func:`typeset` leaves it as it is.
"""

from __future__ import annotations

import re
from functools import cache

NBSP = "\u00a0"
NDASH = "\u2013"
MDASH = "\u2014"
_MDASH_PAIR = NBSP + MDASH + " "

# typus's building blocks and flags (``re_compile``: I | M | S | U).
_F = re.I | re.M | re.S
_SP = "[ \u00a0\u202f\u2009]"  # any space typus knows
_L = r"[^\W\d_]"  # a letter of any script
_MATH = r"[\-−\*xх×\+\=±≤≥≠÷\/]"

# --- quotes (typus.processors.RuQuotes) --------------------------------------------
_QUOTE_CHARS = re.compile("[\"'‘’“”„«»]")
_NORMALIZE = re.compile("[‘’“”„«»]")
#: typus: ``(?<!\w)(["'])(?!\s)((?!\1).+?)(?!\s)\1(?!\w)``. The content runs to
#: the first same quote not followed by a letter: written greedily, per quote.
_PAIR = re.compile(
    r'"(?<!\w.)(?=[^\s"])([^"]*(?:"(?=\w)[^"]*)*)"(?!\w)'
    r"|'(?<!\w.)(?=[^\s'])([^']*(?:'(?=\w)[^']*)*)'(?!\w)",
    _F,
)
_NESTED = re.compile("[«»]")

# --- expressions, in typus's order (_NewsExpressions) -------------------------------
_MULTI_SP = re.compile(_SP + "{2,}")
_LINE_SP = re.compile(rf"(?:^{_SP}+|{_SP}+$)", _F)
_APOSTROPHE = re.compile(rf"'(?<=(?:{_L}|[0-9])')(?={_L})", _F)
_SYMBOLS = {
    "...": "…", "<-": "←", "->": "→", "+-": "±", "+−": "±", "<=": "≤", ">=": "≥",
    "/=": "≠", "==": "≡", "(r)": "®", "(c)": "©", "(p)": "℗", "(tm)": "™", "(sm)": "℠",
    "ma*h": "mA•h", "(с)": "©", "(р)": "℗", "(тм)": "™", "ма*ч": "мА•ч",
}  # keys lower-case, in typus's order (it matters in the alternation)
_SYMBOL = re.compile("(" + "|".join(map(re.escape, _SYMBOLS)) + ")", _F)
_PAREN_SYMBOL = re.compile(r"\((?:r|c|p|tm|sm|с|р|тм)\)", _F)
_DASH = re.compile(rf"{_SP}+[\-{NDASH}{MDASH}]{_SP}+(?!\d\b)", _F)
_DASH_START = re.compile(rf"^[\-{NDASH}{MDASH}]{_SP}+", _F)
_DIGIT = re.compile(r"\d")
#: typus: ``\b(\d{1,3}) (?=…)`` → ``\1`` + nbsp.
_DIGIT_SPACE = re.compile(
    r" (?<=\d )(?:(?<=(?<!\w)\d )|(?<=(?<!\w)\d\d )|(?<=(?<!\w)\d\d\d ))"
    rf"(?=[0-9]+\b|{_L}|{_MATH})",
    _F,
)
#: typus: ``\b([^\W\d_]{1,2}) +`` → ``\1`` + nbsp.
_PAIR_SPACE = re.compile(rf" (?:(?<=(?<!\w){_L} )|(?<=(?<!\w){_L}{_L} )) *", _F)
#: typus: ``([-…’][^\W\d_]{1,2})\xa0`` → ``\1`` + space.
_PAIR_UNDO = re.compile(rf"\xa0(?:(?<=[-…’]{_L}\xa0)|(?<=[-…’]{_L}{_L}\xa0))", _F)
_UNITS = "mm|cm|dm|m|km|mg|kg|ml|dpi|mA•h|мм|см|дм|м|км|мг|г|кг|т|мл|л|мА•ч"
_UNIT = re.compile(rf"\b(\d+) *({_UNITS})\b", re.M | re.S)  # case-sensitive
_UNIT_HINT = re.compile(rf"\d *(?:{_UNITS})\b", re.M | re.S)
#: the same, for a text whose digits are all 0-9 (twice as fast as ``\d``)
_UNIT_HINT_ASCII = re.compile(rf"[0-9] *(?:{_UNITS})\b", re.M | re.S)
_RANGE = re.compile(
    r"(-?(?:[0-9]+[\.,][0-9]+|[0-9]+))(-)([0-9]+[\.,][0-9]+|[0-9]+)"
    rf"(?!{_SP}*{_MATH}|{_L})",
    _F,
)
_RANGE_HINT = re.compile("[0-9]-[0-9]")
#: typus: ``\b([^\W\d_]\.){SP}*([^\W\d_]\.)`` → ``\1`` + narrow nbsp + ``\2``.
_ABBR_PAIR = re.compile(rf"\.(?<=(?<!\w){_L}\.){_SP}*({_L}\.)", _F)
#: typus: ``\b([^\W\d_]\.) *(?=[^\W\d_])`` → ``\1`` + nbsp.
_ABBR = re.compile(rf"\.(?<=(?<!\w){_L}\.) *(?={_L})", _F)
_ABBR_HINT = re.compile(rf"\.(?<=(?<!\w){_L}\.)", _F)
_NB_BEFORE = re.compile(" +(?=[₽→—&≡≤≥≠])", _F)
#: typus: ``(?<=[…]) +`` → nbsp.
_NB_AFTER = re.compile(" (?<=[←$€£%±−×©§¶№&≡≤≥≠] ) *", _F)
_NB_AFTER_HINT = re.compile("[←$€£%±−×©§¶№&≡≤≥≠] ")
_NO_SP_BEFORE = re.compile(rf"{_SP}+(?=[®℗™℠:,.?!…])", _F)
_NO_SP_HINT = re.compile(rf"[®℗™℠:,.?!…](?<={_SP}.)", re.S)


#: The characters some rule needs: a rule is skipped when its characters are
#: neither in the text nor written by an earlier rule.
_SPECIAL_CHARS = "\"'‘’“”„«»\u202f\u2009\n<>+=*(₽→←&≡≤≥≠$€£%±−×©§¶№…-–—"
#: Where a digit (``\d``) other than 0-9 can be: from U+0660 (Arabic-Indic) on,
#: but not among punctuation, currency, letter-like symbols and arrows
#: (U+2000-U+21FF, common in news). Cheaper to look for than ``\d``.
_OTHER_DIGITS = "\u0660-\u1fff\u2200-\U0010ffff"
_SPECIAL = re.compile("[0-9" + re.escape(_SPECIAL_CHARS) + _OTHER_DIGITS + "]")
_NOT_DIGITS = frozenset(_SPECIAL_CHARS)  # anything else found may be a digit
_ASCII_DIGITS = _NOT_DIGITS | frozenset("0123456789")  # found only these: digits are 0-9
_NBSP_NEXT_TO_SPACE = re.compile("\xa0(?:(?<=[ \xa0]\xa0)|[ \xa0])", re.S)
#: The characters each rule looks for, as sets (``isdisjoint`` of two sets
#: costs less than of a set and a string, which it turns into a set first).
_QUOTE_SET = frozenset("\"'‘’“”„«»")
_SYMBOL_SET = frozenset("<>+=*")
_SYMBOLS_WRITTEN = frozenset("…←→±≤≥≠≡®©℗™℠")
_PAIR_UNDO_SET = frozenset("-…’")
_NB_BEFORE_SET = frozenset("₽→&≡≤≥≠")
_NB_AFTER_SET = frozenset("←$€£%±−×©§¶№&≡≤≥≠")


def _symbol(match: re.Match) -> str:
    found = match.group()
    return _SYMBOLS.get(found.lower(), found)


def _range(match: re.Match) -> str:
    left, dash, right = match.groups()
    if float(left.replace(",", ".")) < float(right.replace(",", ".")):
        dash = NDASH
    return left + dash + right


def _pair(match: re.Match) -> str:
    return "«" + (match.group(1) or match.group(2)) + "»"


def _quotes(text: str) -> str:
    """typus's quotes: every quote becomes ``'``, pairs become «», innermost
    first, one level per pass; with two levels or more the «» found are
    switched in turn (« „ “ »)."""
    text = _NORMALIZE.sub("'", text)
    levels = 0
    while '"' in text or "'" in text:
        text, paired = _PAIR.subn(_pair, text)
        if not paired:
            break
        levels += 1
    if levels < 2:
        return text
    count = 0

    def switch(match: re.Match) -> str:
        nonlocal count
        count += 1
        left = match.group() == "«"
        if count % 2:
            return "«" if left else "“"
        return "„" if left else "»"

    return _NESTED.sub(switch, text)


def typeset(text: str) -> str:
    """Apply the typographic rules to one paragraph of plain text."""
    text = text.strip()
    if not text:
        return ""
    # Rules run in typus's order; each is skipped when it cannot match: its
    # characters are neither in ``found`` (updated with what rules write) nor
    # found by an ``in`` test or a cheap pattern.
    found = set(_SPECIAL.findall(text))
    digits = not found.issubset(_NOT_DIGITS)
    ascii_digits = found.issubset(_ASCII_DIGITS)  # no rule writes a digit
    if not found.isdisjoint(_QUOTE_SET):
        text = _quotes(text)
    rare = "\u202f" in found or "\u2009" in found
    if rare or "  " in text or ("\xa0" in text and _NBSP_NEXT_TO_SPACE.search(text)):
        text = _MULTI_SP.sub(" ", text)
    # From here no two spaces are adjacent.
    newline = "\n" in found
    if newline:
        text = _LINE_SP.sub("", text)
    if "'" in text:
        text = _APOSTROPHE.sub("’", text)
        found.add("’")
    if (not found.isdisjoint(_SYMBOL_SET) or ("(" in found and _PAREN_SYMBOL.search(text))
            or "..." in text):
        text = _SYMBOL.sub(_symbol, text)
        found |= _SYMBOLS_WRITTEN
    # Dashes between spaces; "\xa0— " is already what the rule writes.
    if (rare or ("-" in found and ("- " in text or "-\xa0" in text))
            or ("–" in found and ("– " in text or "–\xa0" in text))
            or ("—" in found and (" —" in text or "—\xa0" in text))):
        text = text.replace(" -- ", _MDASH_PAIR)
        text = _DASH.sub(_MDASH_PAIR, text)
        found.add("—")
    if newline or text[0] in "-–—":
        text = _DASH_START.sub(MDASH + " ", text)
        found.add("—")
    if digits:
        text = _DIGIT_SPACE.sub(NBSP, text)
    text = _PAIR_SPACE.sub(NBSP, text)
    if not found.isdisjoint(_PAIR_UNDO_SET):
        text = _PAIR_UNDO.sub(" ", text)
    if digits:
        hint = _UNIT_HINT_ASCII if ascii_digits else _UNIT_HINT
        if hint.search(text):
            text = _UNIT.sub("\\1\xa0\\2", text)
        if "-" in found and _RANGE_HINT.search(text):
            text = _RANGE.sub(_range, text)
    if "." in text and _ABBR_HINT.search(text):
        text = _ABBR_PAIR.sub(".\u202f\\1", text)
        text = _ABBR.sub(".\xa0", text)
    if not found.isdisjoint(_NB_BEFORE_SET) or ("—" in found and " —" in text):
        text = _NB_BEFORE.sub(NBSP, text)
    if not found.isdisjoint(_NB_AFTER_SET) and _NB_AFTER_HINT.search(text):
        text = _NB_AFTER.sub(NBSP, text)
    if _NO_SP_HINT.search(text):
        text = _NO_SP_BEFORE.sub("", text)
    return text


# --- the reference: typus itself ----------------------------------------------------


@cache
def _reference_typus():
    from typus.chars import ANYSP, WHSP
    from typus.core import TypusCore
    from typus.processors import EnRuExpressions, RuQuotes

    class NewsExpressions(EnRuExpressions):
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

    class NewsTypus(TypusCore):
        processors = (RuQuotes, NewsExpressions)

    return NewsTypus()


def typeset_reference(text: str) -> str:
    """:func:`typeset` done by typus itself (slow): for the tests and the bench."""
    if not text.strip():
        return ""
    return _reference_typus()(text)
