"""Find captures of the same story: near-duplicate bodies. Pure, no Pelican.

Two captures of one article differ in quote characters, non-breaking spaces,
a caption given once or twice, and a few paragraphs more or less at the end
(captures are cut). They share the lead. Two different stories may share a
long quotation, but not their leads. So:

1. **Candidates** come from MinHash LSH (``datasketch``) over the word
   shingles of each body's *lead* (first paragraph, or the first two when the
   first is short). LSH only proposes pairs; its miss rate for a pair with
   lead similarity *s* is ``(1 - s**r) ** b`` for the bands it chose (see
   :func:`candidate_probability`): about 0 for *s* ≥ 0.8.
2. **Verification** is exact: the leads' Jaccard similarity must be at least
   :data:`LEAD_JACCARD` and the shorter body's shingles must be contained in
   the longer body's to at least :data:`BODY_CONTAINMENT`. Containment (not
   Jaccard) is what tolerates a capture cut after a few paragraphs; the lead
   test is what keeps apart stories that share a long quotation.

Texts are compared after :func:`normalise`: quotes, dashes, non-breaking
spaces, punctuation and case folded, ``ё`` read as ``е``. Captions are not
part of the body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

#: Words per shingle.
SHINGLE = 4
#: MinHash permutations (precision of the similarity estimate).
NUM_PERM = 128
#: LSH proposes pairs whose estimated lead similarity is about this or more.
LSH_THRESHOLD = 0.5
#: Exact checks that make a candidate pair a merge.
LEAD_JACCARD = 0.6
BODY_CONTAINMENT = 0.8
#: A first paragraph shorter than this (in words) is joined by the second.
SHORT_LEAD = 12

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Body:
    """One capture's body: an id the caller knows it by, and its paragraphs."""

    key: str
    paragraphs: tuple[str, ...]


def normalise(text: str) -> list[str]:
    """Words of ``text``: case and ``ё`` folded, punctuation and quotes gone."""
    return _NON_WORD.sub(" ", text.casefold().replace("ё", "е")).split()


def shingles(words: Sequence[str], size: int = SHINGLE) -> set[str]:
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _lead_words(body: Body) -> list[str]:
    words = normalise(body.paragraphs[0]) if body.paragraphs else []
    if len(words) < SHORT_LEAD and len(body.paragraphs) > 1:
        words += normalise(body.paragraphs[1])
    return words


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def containment(a: set[str], b: set[str]) -> float:
    """How much of the smaller set lies in the larger one."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


@dataclass(frozen=True)
class _Shingled:
    lead: set[str]
    body: set[str]


def _shingle(body: Body) -> _Shingled:
    words = [w for p in body.paragraphs for w in normalise(p)]
    return _Shingled(shingles(_lead_words(body)), shingles(words))


def _same(a: _Shingled, b: _Shingled) -> bool:
    return (jaccard(a.lead, b.lead) >= LEAD_JACCARD
            and containment(a.body, b.body) >= BODY_CONTAINMENT)


def same_story(a: Body, b: Body) -> bool:
    """The exact test behind a merge."""
    return _same(_shingle(a), _shingle(b))


def group(bodies: Sequence[Body]) -> list[list[str]]:
    """Groups of keys whose bodies are captures of one story.

    Every key is in exactly one group; groups keep the order of ``bodies``,
    and so does each group's members.
    """
    order = {body.key: index for index, body in enumerate(bodies)}
    shingled = {body.key: _shingle(body) for body in bodies}  # once per body
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    parent = {body.key: body.key for body in bodies}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for body in bodies:
        lead = shingled[body.key].lead
        if not lead:
            continue
        signature = MinHash(num_perm=NUM_PERM)
        signature.update_batch([s.encode("utf-8") for s in lead])
        for other in lsh.query(signature):
            if find(other) != find(body.key) and _same(shingled[other], shingled[body.key]):
                first, second = sorted((find(other), find(body.key)), key=order.get)
                parent[second] = first
        lsh.insert(body.key, signature)

    groups: dict[str, list[str]] = {}
    for body in bodies:
        groups.setdefault(find(body.key), []).append(body.key)
    return sorted(groups.values(), key=lambda keys: order[keys[0]])


def candidate_probability(similarity: float) -> float:
    """Probability that LSH proposes a pair with this lead similarity."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    bands, rows = lsh.b, lsh.r
    return 1 - (1 - similarity**rows) ** bands
