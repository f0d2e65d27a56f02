"""Find captures of the same story: near-duplicate bodies. Pure, no Pelican.

Two captures of one article differ in quote characters, non-breaking spaces,
a caption given once or twice, and a few paragraphs more or less at the end
(captures are cut). They share the lead. Two different stories may share a
long quotation, but not their leads. So:

1. **Candidates** come from MinHash LSH (the signatures ``datasketch``
   2.0's ``MinHash`` gives and the bands its ``MinHashLSH`` chooses,
   computed here with numpy; ``datasketch`` imports scipy, 0.4 s of every
   build, so it is only the tests' reference) over the word
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

import hashlib
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

import numpy as np

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
    """Word ``size``-grams as strings: the plain rule, which the tests hold
    :func:`_shingle_set` to."""
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


class _Shingled:
    """A body's lead shingles, and its whole-body shingles when first needed
    (only for pairs whose leads already agree). :func:`group` numbers the
    lead shingles once it has what a signature needs of them."""

    __slots__ = ("_body", "_paragraphs", "lead")

    def __init__(self, body: Body):
        self._paragraphs = body.paragraphs
        self._body: frozenset[tuple[str, ...]] | None = None
        lead = normalise(body.paragraphs[0]) if body.paragraphs else []
        if len(lead) < SHORT_LEAD and len(body.paragraphs) > 1:
            lead += normalise(body.paragraphs[1])
        self.lead = _shingle_set(lead)

    @property
    def body(self) -> frozenset[tuple[str, ...]]:
        if self._body is None:
            self._body = _shingle_set([w for p in self._paragraphs for w in normalise(p)])
        return self._body


def _same(a: _Shingled, b: _Shingled) -> bool:
    # Jaccard >= t needs the smaller lead to be at least t of the larger one.
    small, large = sorted((len(a.lead), len(b.lead)))
    if small < LEAD_JACCARD * large:
        return False
    return (jaccard(a.lead, b.lead) >= LEAD_JACCARD
            and containment(a.body, b.body) >= BODY_CONTAINMENT)


def same_story(a: Body, b: Body) -> bool:
    """The exact test behind a merge."""
    return _same(_Shingled(a), _Shingled(b))


#: The LSH bands and rows per band ``datasketch``'s ``MinHashLSH`` chooses
#: for :data:`LSH_THRESHOLD` and :data:`NUM_PERM` (its optimisation of false
#: positives and negatives; a test checks they are still its choice).
BANDS, ROWS = 25, 5


def _permutations(count: int) -> tuple[np.ndarray, np.ndarray]:
    """``datasketch``'s ``MinHash`` permutations, scheme ``affine32``, seed 1:
    ``h -> a * h + b mod 2**32`` with ``a`` odd."""
    generator = np.random.RandomState(1)
    a = generator.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (``datasketch`` mixes every input with it)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signatures(items: Sequence[Sequence[bytes]], count: int = NUM_PERM) -> np.ndarray:
    """One MinHash signature (a row of ``count`` values) per non-empty list of
    items: what ``datasketch.MinHash.bulk(items, num_perm=count)`` gives
    (SHA-1's first four bytes, mixed, permuted, the least of each column)."""
    a, b = _permutations(count)
    rows = np.empty((len(items), count), dtype=np.uint32)
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps, as intended
        for number, values in enumerate(items):
            hashed = np.fromiter(
                (int.from_bytes(hashlib.sha1(v).digest()[:4], "little") for v in values),
                dtype=np.uint32, count=len(values),
            )
            rows[number] = (_fmix32(hashed)[:, None] * a + b).min(axis=0)
    return rows


def _band_keys(signatures: np.ndarray) -> list[list[bytes]]:
    """Per band, each row's values in that band as bytes: rows with equal
    keys in a band fall into one LSH bucket."""
    keys = []
    for band in range(BANDS):
        block = np.ascontiguousarray(signatures[:, band * ROWS : (band + 1) * ROWS])
        keys.append(block.view(np.dtype((np.void, ROWS * block.itemsize))).ravel().tolist())
    return keys


def _candidates(signatures: np.ndarray, asked: Sequence[int]) -> dict[int, set[int]]:
    """The pairs ``datasketch``'s ``MinHashLSH`` proposes (two rows that agree
    on all the values of at least one band), with the bands kept as plain
    dictionaries: for each row of ``asked`` (increasing), the rows it pairs
    with among those not asked and the earlier asked ones, so that each pair
    with an asked row is given once."""
    keys = _band_keys(signatures)
    others = set(range(signatures.shape[0])).difference(asked)
    buckets: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]
    for band, bucket in enumerate(buckets):
        for number in others:
            bucket.setdefault(keys[band][number], []).append(number)
    found: dict[int, set[int]] = {}
    for number in asked:
        mates: set[int] = set()
        for band, bucket in enumerate(buckets):
            members = bucket.setdefault(keys[band][number], [])
            mates.update(members)
            members.append(number)
        found[number] = mates
    return found


def body_digest(body: Body) -> str:
    """What a body's verdicts are kept under (:class:`Verdicts`): a hash of
    its paragraphs (``\0`` apart: no paragraph holds one)."""
    return hashlib.sha1("\0".join(body.paragraphs).encode("utf-8")).hexdigest()


class Verdicts:
    """The verdicts of an earlier grouping, for the next (a daily build adds
    a few bodies to thousands): ``leads`` maps the digest
    (:func:`body_digest`) of each distinct body it grouped, every candidate
    pair of which it decided, to the MinHash signature of its lead
    (``NUM_PERM`` little-endian uint32 as bytes; None: no lead); ``same``
    holds the pairs of digests (sorted) it found the same story.

    A candidate pair of two bodies grouped last time is the same story
    exactly when it is in ``same`` (the candidates and the checks depend on
    the two bodies only), so the next grouping neither verifies nor even
    lists those pairs, and takes their signatures from ``leads``.
    :func:`group` leaves in this object the verdicts and signatures of the
    bodies it grouped, for the next one."""

    def __init__(self, leads: dict[str, bytes | None] | None = None,
                 same: Iterable[tuple[str, str]] = ()):
        self.leads = dict(leads or {})
        self.same = {tuple(sorted(pair)) for pair in same}
        self.verified = 0  # pairs verified by the last grouping (not answered)


def group(bodies: Sequence[Body], verdicts: Verdicts | None = None) -> list[list[str]]:
    """Groups of keys whose bodies are captures of one story.

    Every key is in exactly one group; groups keep the order of ``bodies``,
    and so does each group's members. (A group is a connected component of
    the verified candidate pairs, so the order pairs are checked in does not
    matter.) Identical bodies are one body here: with a lead, they are
    always the same story (:func:`same_story` of a body and itself); without
    one, no body's candidate. With ``verdicts``, the pairs of two bodies it
    knows are neither verified nor listed again, and it is left with this
    grouping's verdicts (every candidate pair's, even of two bodies already
    joined through a third) and lead signatures.
    """
    verdicts = verdicts if verdicts is not None else Verdicts()
    digests = [body_digest(body) for body in bodies]
    first: dict[str, Body] = {}  # digest -> its first body, in order
    for body, digest in zip(bodies, digests, strict=True):
        first.setdefault(digest, body)
    parent = {digest: digest for digest in first}

    def find(digest: str) -> str:
        while parent[digest] != digest:
            parent[digest] = parent[parent[digest]]
            digest = parent[digest]
        return digest

    def join(a: str, b: str) -> None:
        parent[find(b)] = find(a)

    shingled: dict[str, _Shingled] = {}  # made when first needed, once per body
    encoded: dict[str, list[bytes]] = {}  # the lead shingles a signature is made of
    numbers: dict[tuple[str, ...], int] = {}  # lead shingle -> its number

    def shingles(digest: str) -> _Shingled:
        item = shingled.get(digest)
        if item is None:
            item = shingled[digest] = _Shingled(first[digest])
            encoded[digest] = [" ".join(s).encode("utf-8") for s in item.lead]
            # Leads as sets of numbers (one per distinct shingle): the same
            # Jaccard similarities, computed faster than over tuples of words.
            item.lead = frozenset(numbers.setdefault(s, len(numbers)) for s in item.lead)
        return item

    # the bodies grouped last time: their pairs known, their signatures kept
    leads = {d: verdicts.leads[d] for d in first if d in verdicts.leads}
    known = set(leads)
    fresh = [d for d in first if d not in known and shingles(d).lead]
    if fresh:
        for digest, row in zip(fresh, signatures([encoded[d] for d in fresh]), strict=True):
            leads[digest] = row.astype("<u4").tobytes()
    for digest in first:
        leads.setdefault(digest, None)  # no lead: no candidate
    with_lead = [d for d in first if leads[d] is not None]
    same = {pair for pair in verdicts.same if pair[0] in known and pair[1] in known}
    for a, b in same:
        join(a, b)
    verified = 0
    if with_lead:
        matrix = np.vstack([np.frombuffer(leads[d], dtype="<u4") for d in with_lead])
        asked = [row for row, digest in enumerate(with_lead) if digest not in known]
        for row, mates in _candidates(matrix, asked).items():
            digest = with_lead[row]
            for other in sorted(mates):
                other = with_lead[other]
                verified += 1
                if _same(shingles(other), shingles(digest)):
                    same.add(tuple(sorted((digest, other))))
                    join(other, digest)
    verdicts.leads, verdicts.same, verdicts.verified = leads, same, verified

    # a group's root digest (a body without a lead: its place) -> its keys,
    # in the order of their first body
    groups: dict[str | int, list[str]] = {}
    for number, (body, digest) in enumerate(zip(bodies, digests, strict=True)):
        root = find(digest) if leads[digest] is not None else number
        groups.setdefault(root, []).append(body.key)
    return list(groups.values())


def candidate_probability(similarity: float) -> float:
    """Probability that LSH proposes a pair with this lead similarity."""
    return 1 - (1 - similarity**ROWS) ** BANDS
