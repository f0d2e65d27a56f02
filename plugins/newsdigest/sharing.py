"""Sharing and indexing: JSON-LD for article pages, robots.txt.

The theme writes the canonical link, the description and the OpenGraph tags
itself (theme/templates/base.html, article.html); this module gives it the
``news_article_ld`` filter (a ``NewsArticle`` as JSON, safe inside
``<script type="application/ld+json">``) and writes ``robots.txt`` after the
build. The sitemap comes from the ``pelican-sitemap`` plugin (publishconf.py).
"""

from __future__ import annotations

import json
import logging
import os
from urllib.parse import urlsplit

from markupsafe import Markup

from .settings import search_bundle, setting

logger = logging.getLogger(__name__)


def is_absolute(siteurl: str | None) -> bool:
    """True for ``https://host/path``: a site address crawlers can use."""
    parts = urlsplit(siteurl or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def plain(html) -> str:
    """Text of a title or summary (HTML in Pelican): tags out, entities decoded,
    spaces (non-breaking ones included) folded."""
    text = Markup(str(html or "")).striptags()
    return " ".join(text.split())


def to_json(data) -> Markup:
    """JSON that cannot end its ``<script>`` element early: ``<``, ``>`` and
    ``&`` become ``\\u003c``-style escapes, which JSON readers decode back."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)


def news_article(article, siteurl: str = "", sitename: str = "", lang: str = "ru") -> dict:
    """A schema.org ``NewsArticle`` for one article: the source is the publisher."""
    source = str(getattr(article, "category", "") or "")
    organisation = {"@type": "Organization", "name": source}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": plain(article.title),
        "datePublished": article.date.isoformat(),
        "inLanguage": getattr(article, "lang", None) or lang,
        "publisher": organisation,
        "author": organisation,
        "keywords": [str(tag) for tag in getattr(article, "tags", None) or []],
    }
    modified = getattr(article, "modified", None)
    if modified:
        data["dateModified"] = modified.isoformat()
    summary = plain(getattr(article, "summary", ""))
    if summary:
        data["description"] = summary
    words = getattr(article, "words", None)
    if isinstance(words, int) and words > 0:
        data["wordCount"] = words
    if is_absolute(siteurl):
        url = f"{siteurl}/{article.url}"
        data["url"] = url
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
    if sitename:
        data["isPartOf"] = {"@type": "WebSite", "name": sitename}
    return data


def news_article_ld(article, siteurl: str = "", sitename: str = "", lang: str = "ru") -> Markup:
    return to_json(news_article(article, siteurl, sitename, lang))


def add_filters(generator) -> None:
    """``generator_init`` receiver: the theme's sharing filters."""
    generator.env.filters["news_article_ld"] = news_article_ld
    generator.env.tests["absolute_url"] = is_absolute


def robots_txt(siteurl: str, bundle: str | None, sitemap: bool = True) -> str:
    """Everything may be crawled but the search index; the sitemap's address
    (it must be absolute) when there is one."""
    root = urlsplit(siteurl).path.rstrip("/") if is_absolute(siteurl) else ""
    lines = ["User-agent: *", f"Disallow: {root}/{bundle}/" if bundle else "Disallow:"]
    if sitemap and is_absolute(siteurl):
        lines += ["", f"Sitemap: {siteurl}/sitemap.xml"]
    else:
        lines += ["", "# No sitemap here: `make publish` (absolute SITEURL) writes one."]
    return "\n".join(lines) + "\n"


def sitemap_enabled(settings: dict) -> bool:
    return any(str(p).rpartition(".")[2] == "sitemap" for p in settings.get("PLUGINS") or [])


def write_robots(pelican) -> None:
    """``finalized`` receiver: ``robots.txt`` at the top of the output folder."""
    settings = pelican.settings
    if not setting(settings, "DIGEST_ROBOTS"):
        return
    text = robots_txt(
        str(settings.get("SITEURL") or ""),
        search_bundle(settings) if setting(settings, "DIGEST_SEARCH") else None,
        sitemap=sitemap_enabled(settings),
    )
    path = os.path.join(pelican.output_path, "robots.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
