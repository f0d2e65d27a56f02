"""Parse the text of one news-page dump into its parts.

Pure: text in, a :class:`Dump` out. No Pelican import, no file system, no
settings beyond what the caller passes. Parts are recognised by their
pattern, never by their line number:

* optional ``Key: value`` override lines at the very top;
* chrome: up to a few short lines before the numbered headline list
  (donate banners, rubric links, in Russian or Belarusian);
* the numbered headline list (the site's sidebar at capture time);
* the end of the list: a ``/`` line, a language-switch line, or blank lines;
* the body: one paragraph per line, blank lines between; a photo caption
  with its credit, often given twice with different quote characters.

Dumps from other outlets have no numbered list; :func:`parse` then falls
back to a generic split into leading short lines (the preamble) and body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- line patterns -----------------------------------------------------------------

#: ``  1. Text``; the indent of the first item is sometimes missing. The text
#: is ``group(2).rstrip()`` (``(\S.*?)\s*$`` costs more: the lazy ``.*?``
#: tries ``\s*$`` at every character).
_ITEM = re.compile(r"[ \t\u00a0]*(\d{1,6})\.[ \t\u00a0]+(\S.*)")
#: A bare item number at the very end of a cut capture: ``  11`` or ``  11.``
_BARE_NUMBER = re.compile(r"^[ \t\u00a0]*\d{1,6}\.?[ \t\u00a0]*$")
#: Pelican-style override header at the top of a dump.
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,30})[ \t]*:[ \t]*(.*?)\s*$")
#: Language-switch links that close the headline list on some captures.
_LANG_SWITCH = re.compile(
    r"^\s*(Чытаць па-беларуску|Читать по-белорусски|Читать по-русски|"
    r"Чытаць па-руску|Читать на русском|Чытаць на беларускай)\s*$",
    re.IGNORECASE,
)
#: A photo credit inside a caption line: ``… Фото: site, коллаж: "Outlet".``
_CREDIT = re.compile(
    r"(?:^|(?<=[\s.,;]))((?:Фото|Фота|Фотография|Иллюстрация|Ілюстрацыя|Скриншот|"
    r"Скрыншот|Коллаж|Калаж|Photo|Image|Видео|Відэа)\s*:.*)$",
    re.IGNORECASE,
)
#: Short lines a caption can be: long prose mentioning «Фото:» is not a caption.
_CAPTION_MAX = 400
#: The most chrome lines we accept before the list (real captures have 0-3).
_MAX_CHROME = 6
#: Quote characters folded together when comparing two lines.
_QUOTE_CHARS = "\"'«»„“”‘’‚"
_QUOTES = re.compile(f"[{_QUOTE_CHARS}]")

LIST_END_SLASH = "slash"
LIST_END_LANG = "language-switch"
LIST_END_BLANK = "blank"
LIST_END_EOF = "end-of-file"


@dataclass(frozen=True)
class Block:
    """One block of the body: a paragraph, a direct quote or a caption."""

    kind: str  # "paragraph" | "quote" | "caption"
    text: str
    credit: str = ""  # captions only


@dataclass(frozen=True)
class Dump:
    """What one dump holds, as found in the text."""

    headers: dict[str, str] = field(default_factory=dict)
    chrome: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()
    truncated: bool = False
    list_end: str | None = None  # one of LIST_END_*, None without a list
    blocks: tuple[Block, ...] = ()
    #: "listed" (numbered headline list found) or "generic" (fallback)
    layout: str = "listed"
    #: generic layout: the leading short lines (sections, title, date line)
    preamble: tuple[str, ...] = ()
    #: lines dropped as site chrome after the body (generic layout)
    trailer: tuple[str, ...] = ()
    #: list items beyond ``max_headlines``, not kept
    dropped_headlines: int = 0

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Text paragraphs and quotes, captions excluded."""
        return tuple(b.text for b in self.blocks if b.kind != "caption")

    @property
    def captions(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "caption")


def fold(text: str) -> str:
    """A comparison key: quotes unified, spaces collapsed, case folded."""
    # str.split() splits at exactly the characters ``[\s\u00a0\u202f\u2009]``
    # matches (str.isspace), and drops the ends as strip() did.
    return " ".join(_QUOTES.sub('"', text).split()).casefold()


#: Characters that are never text: C0/C1 controls (but tab and line ends),
#: lone surrogates, non-characters. HTML and XML refuse them.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def normalise_newlines(text: str) -> str:
    """CRLF and CR line ends become LF; vertical tab and form feed become
    spaces; control characters and other non-characters are removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_TEXT.sub("", text.replace("\x0b", " ").replace("\x0c", " "))


#: No real sidebar has more; a longer list is kept up to this many items.
MAX_HEADLINES = 100


def parse(text: str, max_headlines: int = MAX_HEADLINES) -> Dump:
    """Split the text of one dump into its parts."""
    text = normalise_newlines(text)
    ends_with_newline = text.endswith("\n")
    lines = text.split("\n")
    if ends_with_newline:
        lines.pop()  # the empty string after the final line end

    headers, pos = _read_headers(lines)
    start = _find_list_start(lines, pos)
    if start is None:
        return _parse_generic(lines[pos:], headers)

    chrome = tuple(line.strip() for line in lines[pos:start] if line.strip())
    headlines, pos, list_end = _read_list(lines, start)
    truncated = False
    if list_end == LIST_END_EOF:
        # The capture stops inside the list. An item with no line end after
        # it, or a bare number, is cut: drop it.
        truncated = True
        last = lines[-1] if lines else ""
        if _BARE_NUMBER.match(last):
            pass  # a bare number never became an item
        elif not ends_with_newline and headlines and _ITEM.match(last):
            headlines = headlines[:-1]
    blocks = _read_body(lines[pos:])
    return Dump(
        headers=headers,
        chrome=chrome,
        headlines=tuple(headlines[:max_headlines]),
        dropped_headlines=max(0, len(headlines) - max_headlines),
        truncated=truncated,
        list_end=list_end,
        blocks=blocks,
        layout="listed",
    )


# --- the parts ---------------------------------------------------------------------


def _read_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """``Key: value`` lines at the very top, up to the first other line.

    A blank line right after them is skipped. Keys are lower-cased; the
    caller decides which keys it honours.
    """
    headers: dict[str, str] = {}
    pos = 0
    while pos < len(lines):
        match = _HEADER.match(lines[pos])
        if not match:
            break
        headers[match.group(1).lower()] = match.group(2)
        pos += 1
    if headers and pos < len(lines) and not lines[pos].strip():
        pos += 1
    return headers, pos


def _find_list_start(lines: list[str], pos: int) -> int | None:
    """Index of the list's first item, if a numbered list opens the dump.

    The list must start at item 1 (or 2 when a cut capture lost the first
    line's number, which we do not guess at) after at most a few short
    chrome lines, and be followed by item 2 unless the capture ends there.
    """
    seen_chrome = 0
    for index in range(pos, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        match = _ITEM.match(line)
        if match and match.group(1) == "1":
            return index
        seen_chrome += 1
        if seen_chrome > _MAX_CHROME or len(line.strip()) > 200:
            return None
    return None


def _read_list(lines: list[str], start: int) -> tuple[list[str], int, str]:
    """Read consecutive items from ``start``; return items, next index, end kind."""
    items: list[str] = []
    expected = 1
    index = start
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        match = _ITEM.match(line)
        if match and int(match.group(1)) == expected:
            items.append(match.group(2).strip())
            expected += 1
            index += 1
            continue
        if not stripped:
            index += 1
            continue
        if stripped == "/":
            return items, index + 1, LIST_END_SLASH
        if _LANG_SWITCH.match(stripped):
            return items, index + 1, LIST_END_LANG
        if _BARE_NUMBER.match(line) and index == len(lines) - 1:
            return items, index + 1, LIST_END_EOF
        # Any other line starts the body: the list ended at blank lines.
        return items, index, LIST_END_BLANK
    return items, index, LIST_END_EOF


def _read_body(lines: list[str]) -> tuple[Block, ...]:
    """One block per non-blank line; a repeated caption is kept once."""
    blocks: list[Block] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line == "/" and not blocks:
            continue
        caption = _caption(line)
        if caption is not None:
            previous = blocks[-1] if blocks else None
            if previous and previous.kind == "caption" and _same(previous, caption):
                # The same caption again: keep the one with «» quotes.
                if "«" in caption.text + caption.credit:
                    blocks[-1] = caption
                continue
            blocks.append(caption)
            continue
        if blocks and _same_text(blocks[-1].text, line):
            continue  # the same paragraph twice in a row
        kind = "quote" if _is_direct_quote(line) else "paragraph"
        blocks.append(Block(kind, line))
    return tuple(blocks)


def _caption(line: str) -> Block | None:
    if len(line) > _CAPTION_MAX or ":" not in line:  # a credit has its colon
        return None
    match = _CREDIT.search(line)
    if not match:
        return None
    text = line[: match.start(1)].strip()
    return Block("caption", text, match.group(1).strip())


def _same_text(a: str, b: str) -> bool:
    """``fold(a) == fold(b)`` for stripped ``a`` and ``b``, ``b`` not empty.
    A folded text begins with its first character folded (the first is no
    space), so most pairs differ there and are never folded whole."""
    if _folded_head(a[:1]) != _folded_head(b[:1]):
        return False
    return fold(a) == fold(b)


def _folded_head(char: str) -> str:
    """``fold(char)[:1]`` for one character that is no space (or none)."""
    return '"' if char in _QUOTE_CHARS and char else char.casefold()[:1]


def _same(a: Block, b: Block) -> bool:
    return fold(a.text) == fold(b.text) and fold(a.credit) == fold(b.credit)


def _is_direct_quote(line: str) -> bool:
    """A paragraph that opens with a quotation: «…», — said X."""
    return line[:1] in "«„\"" and bool(re.search(r"[»“\"][,.]?\s*[—–-]\s", line))


# --- the generic fallback (no numbered list) ---------------------------------------

#: A body paragraph is a long line of prose; the preamble lines are short.
_BODY_MIN = 140
_TIME_LINE = re.compile(r"^\d{1,2}:\d{2}\b")
_TRAILER_WORDS = re.compile(
    r"\b(cookie|cookies|куки|DMCA|Все права защищены|All rights reserved|©)",
    re.IGNORECASE,
)


def _parse_generic(lines: list[str], headers: dict[str, str]) -> Dump:
    stripped = [line.strip() for line in lines]
    nonblank = [line for line in stripped if line]
    first_body = next(
        (i for i, line in enumerate(nonblank) if _looks_like_prose(line)), None
    )
    if first_body is None:
        return Dump(headers=headers, layout="generic", preamble=tuple(nonblank))
    preamble = tuple(nonblank[:first_body])
    body = nonblank[first_body:]
    # Trailing site chrome: short lines after the last paragraph of prose,
    # news-feed lines with times, cookie notices, DMCA.
    end = len(body)
    while end > 1 and _is_trailer(body[end - 1]):
        end -= 1
    trailer = tuple(body[end:])
    blocks = _read_body(body[:end])
    return Dump(
        headers=headers,
        layout="generic",
        preamble=preamble,
        blocks=blocks,
        trailer=trailer,
    )


def _looks_like_prose(line: str) -> bool:
    return len(line) >= _BODY_MIN and " " in line and not _TRAILER_WORDS.search(line)


def _is_trailer(line: str) -> bool:
    if _TIME_LINE.match(line) or _TRAILER_WORDS.search(line):
        return True
    return len(line) < 60 and not line.endswith((".", "!", "?", "»", "…"))


# --- bytes to text -----------------------------------------------------------------


class NotText(ValueError):
    """The file holds binary data, not the text of a web page."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Control bytes that never occur in text (tab, line ends and form feed do).
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)


def decode(data: bytes) -> tuple[str, str]:
    """Decode a dump's bytes; return the text and the encoding used.

    UTF-8 (with or without BOM), UTF-16 with a BOM or, without one, when
    every other byte is NUL; else Windows-1251 (old Russian and Belarusian
    pages). UTF-8 text that was once decoded as Windows-1251 (``Р—РµСЂ…``,
    mojibake) is repaired. Raises :class:`NotText` for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise NotText(f"not valid {encoding}: {error.reason}") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise NotText("binary data, not text")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"
    repaired = repair_mojibake(text)
    if repaired is not text:
        return repaired, "utf-8 (mojibake repaired)"
    return text, encoding


_ENCODING_NOTES = {
    "cp1251": "decoded as Windows-1251 (not UTF-8)",
    "utf-16": "decoded as UTF-16",
    "utf-16-le": "decoded as UTF-16 (little-endian, no BOM)",
    "utf-16-be": "decoded as UTF-16 (big-endian, no BOM)",
    "utf-8 (mojibake repaired)": (
        "UTF-8 text that had been read as Windows-1251 (mojibake); repaired"
    ),
}
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|javascript\s*:", re.IGNORECASE)


def input_notes(text: str, encoding: str) -> list[str]:
    """What the user may want to know about a dump's text before parsing:
    an unusual encoding, NUL bytes, markup (which is shown, never run)."""
    notes = []
    if encoding in _ENCODING_NOTES:
        notes.append(_ENCODING_NOTES[encoding])
    if "\x00" in text:
        notes.append(f"{text.count(chr(0))} NUL bytes removed")
    if _MARKUP.search(text):
        notes.append("HTML markup or a javascript: link in the text; shown as text, never run")
    return notes


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 100


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for BOM-less UTF-16 of Latin or Cyrillic text:
    the high byte of nearly every character is 0x00 (Latin, digits, spaces)
    or 0x04 (Cyrillic)."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    for high, encoding in ((sample[1::2], "utf-16-le"), (sample[0::2], "utf-16-be")):
        if high.count(0) and high.count(0) + high.count(4) > len(high) * 0.9:
            return encoding
    return None




def _cyrillic_letters(text: str) -> int:
    """How many characters of ``text`` are in U+0400-U+04FF: in UTF-8 those
    and only those start with the bytes D0-D3 (never a continuation byte)."""
    data = text.encode("utf-8", "surrogatepass")
    return data.count(b"\xd0") + data.count(b"\xd1") + data.count(b"\xd2") + data.count(b"\xd3")

_MOJIBAKE = re.compile(r"[РС][\u0400-\u045f‚„…†‡€‰‹›‘’“”•–—™\u00a0-\u00bf]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1251; ``text`` itself when it is not that.

    In such text nearly every Cyrillic letter became ``Р`` or ``С`` followed
    by another character; real Russian text never looks like that.
    """
    sample = text[:20000]
    # Each pair starts with Р or С: their count bounds the pairs from above,
    # and is cheap; most text is decided by it without looking for pairs.
    most = sample.count("Р") + sample.count("С")
    if most < 8:
        return text
    # A lower bound of the Cyrillic letters, cheaper than counting them: the
    # commonest lower-case ones decide most real text.
    common = sample.count("о") + sample.count("е") + sample.count("а") + sample.count("и")
    if most * 2 < common * 0.6:
        return text
    letters = _cyrillic_letters(sample)
    if most * 2 < letters * 0.6:
        return text
    pairs = len(_MOJIBAKE.findall(sample))
    if pairs < 8:
        return text
    if pairs * 2 < letters * 0.6:
        return text
    try:
        # U+0098 is what browsers make of the byte 0x98, which Python's
        # cp1251 leaves undefined.
        raw = b"\x98".join(part.encode("cp1251") for part in text.split("\x98"))
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
