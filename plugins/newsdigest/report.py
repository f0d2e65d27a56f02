"""What became of every input file: the build report and the roundup JSON.

Written once per build, after the articles are written
(``article_writer_finalized``):

* the build report, JSON, to ``DIGEST_REPORT`` (default
  ``build-report.json`` in the folder Pelican runs from), and a one-paragraph
  summary on the console;
* the merged roundup, JSON, next to the roundup page in ``output/``.

Both files are written one list item per line (each item compact JSON):
readable, line-by-line diffable, and written by the json module's C encoder
(an ``indent`` would switch to its much slower pure-Python encoder).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from .corpus import ARTICLE, MERGED, Corpus, plain_text

REPORT_VERSION = 1


def _article_ref(article, siteurl: str) -> dict | None:
    if article is None:
        return None
    url = f"{siteurl}/{article.url}" if siteurl else article.url
    return {"title": plain_text(article.title), "url": url, "file": article.digest_file}


def _article_refs(siteurl: str):
    """:func:`_article_ref`, once per article (many rows name the same one);
    each call returns a fresh dict."""
    refs: dict[int, tuple[object, dict | None]] = {}

    def ref(article) -> dict | None:
        entry = refs.get(id(article))
        if entry is None or entry[0] is not article:
            entry = refs[id(article)] = (article, _article_ref(article, siteurl))
        return dict(entry[1]) if entry[1] is not None else None

    return ref


def build_report(corpus: Corpus, siteurl: str = "") -> dict:
    """Every capture, in file order, with its fate."""
    article_ref = _article_refs(siteurl)
    files = []
    for capture in corpus.captures:
        entry = {
            "file": capture.file,
            "status": capture.status,
            "url": None,
            "merged_into": None,
            "reason": capture.reason or None,
            "source": capture.source,
            "date": capture.date.date().isoformat() if capture.date else None,
            "headlines": len(capture.headlines),
            "truncated": capture.truncated,
            "warnings": capture.warnings,
        }
        if capture.status == ARTICLE:
            article = article_ref(capture.article)
            entry.update(url=article["url"], title=article["title"],
                         captures=len(capture.article.captures))
        elif capture.status == MERGED:
            target = article_ref(capture.merged_into.article)
            entry.update(url=target["url"], merged_into=target["file"])
        files.append(entry)
    counts = {
        "dumps": len(corpus.captures),
        "articles": len(corpus.articles),
        "merged": len(corpus.merged),
        "headlines": len(corpus.headline_only),
        "rejected": len(corpus.rejected),
    }
    return {"version": REPORT_VERSION, "counts": counts, "summary": summary(corpus),
            "files": files}


def summary(corpus: Corpus) -> str:
    """``61 dumps: 12 articles, 7 merged captures, 40 headline-only, 2 rejected: …``"""
    text = (
        f"{len(corpus.captures)} dumps: {len(corpus.articles)} articles, "
        f"{len(corpus.merged)} merged captures, {len(corpus.headline_only)} headline-only, "
        f"{len(corpus.rejected)} rejected"
    )
    if corpus.rejected:
        text += ": " + "; ".join(f"{c.file} ({c.reason})" for c in corpus.rejected)
    return text + "."


def published_name(path: str) -> str:
    """A dump's file name as a published file shows it: without folders (a
    folder outside the project would be the user's own path, such as
    ``/home/name/…``), as the roundup page shows it."""
    return os.path.basename(path)


def roundup_json(corpus: Corpus, siteurl: str = "") -> dict:
    """The merged roundup, and each capture's list as it was. Published with
    the site: file names only (:func:`published_name`)."""
    article_ref = _article_refs(siteurl)
    # the same captures and entities recur in thousands of rows: each made once
    name = functools.cache(published_name)
    entities: dict[int, dict] = {}

    def entity(item) -> dict:
        known = entities.get(id(item))
        if known is None:
            known = entities[id(item)] = _entity(item)
        return known

    def published(ref: dict | None) -> dict | None:
        return None if ref is None else {**ref, "file": name(ref["file"])}

    rows = [
        {
            "text": row.text,
            "count": row.count,
            "best_position": row.best_position,
            "seen": [{"file": name(c.file), "position": p} for c, p in row.seen],
            "article": published(article_ref(row.article)),
            "score": round(row.score, 3) if row.article is not None else None,
            "entities": [entity(e) for e in row.entities],
        }
        for row in corpus.roundup()
    ]
    captures = [
        {"file": name(c.file), "status": c.status, "truncated": c.truncated,
         "headlines": c.headlines}
        for c in corpus.listed
    ]
    return {"version": REPORT_VERSION, "rows": rows, "captures": captures}


def _entity(entity) -> dict:
    return {key: getattr(entity, key, None) for key in ("name", "kind", "slug")}


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def to_json(data: dict) -> str:
    """``data`` as JSON text: one top-level key per line, a list under it one
    item per line, every item compact."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join("  " + _compact(item) for item in value)
            parts.append(f" {_compact(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_json(path: str | os.PathLike, data: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(to_json(data), "utf-8")
    temporary.replace(path)

