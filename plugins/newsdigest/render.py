"""Body blocks -> HTML. Every character from a dump is escaped here."""

from __future__ import annotations

from html import escape

from .dump import Block


def render_blocks(blocks: tuple[Block, ...]) -> str:
    """The article body as HTML: paragraphs, direct quotes, captions."""
    return "\n".join(_render(block) for block in blocks)


def _render(block: Block) -> str:
    text = escape(block.text)
    if block.kind == "caption":
        credit = f' <span class="credit">{escape(block.credit)}</span>' if block.credit else ""
        return (
            f'<figure class="photo-caption"><figcaption>'
            f'<span class="caption">{text}</span>{credit}</figcaption></figure>'
        )
    if block.kind == "quote":
        return f'<p class="direct-speech">{text}</p>'
    return f"<p>{text}</p>"
