"""typogrify's ``typogrify`` filter, run only where it can change the HTML.

typogrify 2.1 (the pinned version) runs five filters over the whole HTML
of an article: ``amp``, ``smartypants``, ``caps``, ``initial_quotes`` and
``widont``. On a Russian news text most of them find nothing to change, yet
cost a scan with a Python callback per tag or per piece of text; ``widont``
tries its pattern at every word, reading the next word each time to see
whether a closing ``</p>`` follows. Together about 0.7 ms per article,
more than the rest of the reader.

:func:`typogrify` gives typogrify's own result (a test compares the two on
generated HTML) with typogrify's own functions:

* ``amp``, ``caps`` and ``initial_quotes`` are skipped when the text holds
  nothing any of their matches must contain: ``amp``'s pattern itself (an
  ``&`` between spaces), two Latin capitals (``caps``), a quote after the
  start or a ``>`` (``initial_quotes``). Otherwise typogrify's filter runs.
* ``widont`` (a non-breaking space before the last word of a block) has at
  most one match per block, ending at the block's closing tag
  (``</p>``, ``</h1>``…, ``</li>``, ``</dt>``, ``</dd>``): its pattern
  cannot hold such a tag anywhere else, unless an inline tag in it is left
  open (``<b</p>``: then typogrify's own ``widont`` runs). So its pattern is searched for only
  in the last :data:`WINDOW` characters before each closing tag (the whole
  block when that finds nothing), and over the text after the last one.
  Two matches of one block replace the same spaces (those before its last
  word), so the output does not depend on which one is found.
* ``smartypants`` (off in ``pelicanconf.py``) and the ignored tags
  (``process_ignores``) are typogrify's.
"""

from __future__ import annotations

import re

from typogrify import filters

# Each: text that every match of the filter's pattern (typogrify 2.1) contains.
#: ``amp``'s own pattern: an ampersand between spaces.
_AMP = re.compile(r"(\s|&nbsp;)(&|&amp;|&\#38;)(\s|&nbsp;)")
#: ``caps``: two capitals, with digits or a dot (and a space) between them.
_CAPS = re.compile(r"[A-Z]\d*[A-Z]|[A-Z]\.\s?[A-Z]")
#: ``initial_quotes``: a quote after a tag and spaces, or at the start.
_QUOTE_AFTER_TAG = re.compile(r">\s*(?:\"|'|&ldquo;|&\#8220;|&lsquo;|&\#8216;)")
_QUOTE_FIRST = re.compile(r"\s*(?:\"|'|&ldquo;|&\#8220;|&lsquo;|&\#8216;)")

#: typogrify's ``widont`` pattern (``widont_finder``, without its comments):
#: a word or inline tag, the spaces to replace, the last word, closing inline
#: tags, then a closing block tag or the end of the text.
_WIDONT = re.compile(
    r"((?:</?(?:a|em|span|strong|i|b)[^>]*>)|[^<>\s])\s+"
    r"([^<>\s]+\s*(</(a|em|span|strong|i|b)>\s*)*((</(p|h[1-6]|li|dt|dd)>)|$))"
)
_WIDONT_SPACE = r"\1&nbsp;\2"
#: An inline tag of ``_WIDONT`` holding a ``<``: it may hold a closing tag too.
_OPEN_INLINE = re.compile(r"</?(?:a|em|span|strong|i|b)[^>]*<")
#: The closing tags a ``widont`` match ends with (else the end of the text).
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|dt|dd)>")
#: Characters before a closing tag searched first (the last word, the space
#: and the character before it: a longer word, or closing inline tags, and
#: the whole block is searched).
WINDOW = 48


def widont(text: str) -> str:
    """typogrify's ``widont(text)``."""
    if _OPEN_INLINE.search(text):
        return filters.widont(text)
    out, done = [], 0  # done: the end of the last block seen
    for end in _BLOCK_END.finditer(text):
        stop = end.end()
        start = end.start() - WINDOW
        found = _WIDONT.search(text, max(done, start), stop)
        if found is None and start > done:
            found = _WIDONT.search(text, done, stop)
        if found is not None:
            out.append(text[done : found.start()])
            out.append(found.group(1) + "&nbsp;" + found.group(2))  # as _WIDONT_SPACE
        else:
            out.append(text[done:stop])
        done = stop
    out.append(_WIDONT.sub(_WIDONT_SPACE, text[done:]))  # the end of the text: ``$``
    return "".join(out)


def applyfilters(text: str, **kwargs) -> str:
    """typogrify's ``applyfilters``: the same filters, in the same order."""
    if kwargs.pop("amp", True) and "&" in text and _AMP.search(text):
        text = filters.amp(text)
    if kwargs.pop("smartypants", True):
        text = filters.smartypants(text)
    if kwargs.pop("caps", True) and _CAPS.search(text):
        text = filters.caps(text)
    if kwargs.pop("initial_quotes", True) and (
        _QUOTE_AFTER_TAG.search(text) or _QUOTE_FIRST.match(text)
    ):
        text = filters.initial_quotes(text)
    if kwargs.pop("widont", True):
        text = widont(text)
    if kwargs:
        raise TypeError(f"Unexpected keyword argument(s): {list(kwargs.keys())}")
    return text


def typogrify(text: str, ignore_tags=None, **kwargs) -> str:
    """typogrify's ``typogrify(text, ignore_tags, **kwargs)``."""
    return "".join(
        applyfilters(section, **kwargs) if process else section
        for section, process in filters.process_ignores(text, ignore_tags)
    )
