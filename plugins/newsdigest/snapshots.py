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
from collections.abc import Sequence, Set
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

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Body:
    """One capture's body: an id the caller knows it by, and its paragraphs."""

    key: str
    paragraphs: tuple[str, ...]


def normalise(text: str) -> list[str]:
    """Words of ``text``: case and ``ё`` folded, punctuation and quotes gone."""
    return _WORD.findall(text.casefold().replace("ё", "е"))


def shingles(words: Sequence[str], size: int = SHINGLE) -> set[str]:
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _shingle_set(words: Sequence[str]) -> frozenset[tuple[str, ...]]:
    """:func:`shingles` as tuples of words (no joined strings to build: the
    same sets, compared the same, several times faster)."""
    if len(words) < SHINGLE:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(zip(*(words[i:] for i in range(SHINGLE)), strict=False))


def jaccard(a: Set, b: Set) -> float:
    if not a and not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def containment(a: Set, b: Set) -> float:
    """How much of the smaller set lies in the larger one."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


@dataclass(frozen=True)
class _Shingled:
    lead: frozenset[tuple[str, ...]]
    body: frozenset[tuple[str, ...]]


def _shingle(body: Body) -> _Shingled:
    """Each paragraph is read once: the lead's words are the first
    paragraph's (and the second's, when the first is short)."""
    paragraphs = [normalise(p) for p in body.paragraphs]
    lead = list(paragraphs[0]) if paragraphs else []
    if len(lead) < SHORT_LEAD and len(paragraphs) > 1:
        lead += paragraphs[1]
    words = [w for p in paragraphs for w in p]
    return _Shingled(_shingle_set(lead), _shingle_set(words))


def _same(a: _Shingled, b: _Shingled) -> bool:
    # Jaccard >= t needs the smaller lead to be at least t of the larger one.
    small, large = sorted((len(a.lead), len(b.lead)))
    if small < LEAD_JACCARD * large:
        return False
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

    with_lead = [body.key for body in bodies if shingled[body.key].lead]
    signatures = MinHash.bulk(
        ([" ".join(s).encode("utf-8") for s in shingled[key].lead] for key in with_lead),
        num_perm=NUM_PERM,
    )  # one set of permutations for every signature
    for key, signature in zip(with_lead, signatures, strict=True):
        for other in lsh.query(signature):
            if find(other) != find(key) and _same(shingled[other], shingled[key]):
                first, second = sorted((find(other), find(key)), key=order.get)
                parent[second] = first
        lsh.insert(key, signature)

    groups: dict[str, list[str]] = {}
    for body in bodies:
        groups.setdefault(find(body.key), []).append(body.key)
    return sorted(groups.values(), key=lambda keys: order[keys[0]])


def candidate_probability(similarity: float) -> float:
    """Probability that LSH proposes a pair with this lead similarity."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    bands, rows = lsh.b, lsh.r
    return 1 - (1 - similarity**rows) ** bands
