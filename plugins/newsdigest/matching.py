"""Does a headline name a story in the digest? Pure, no Pelican.

A headline from some capture's list matches an article when the words of
the headline are found in the article's title and lead (Snowball stems, so
``договорились`` meets ``договориться``) and, when entities are known, when
the headline's entities are the article's. The best article must score at
least :data:`THRESHOLD` and beat the second best by :data:`MARGIN`:
a headline that fits two stories equally links to neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import snowballstemmer

from .snapshots import normalise

THRESHOLD = 0.6
#: At most this many articles (those sharing the most words) are scored.
CANDIDATES = 50
#: A first sentence needs this many content words to be scored on its own.
MIN_SENTENCE_STEMS = 3
_FIRST_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
MARGIN = 0.15
#: Weight of entity overlap when both sides have entities.
ENTITY_WEIGHT = 0.3

#: Words too common to say what a headline is about.
_STOP = frozenset(
    "и а но или что чтобы как когда где кто который которая которые это этот эта "
    "в во на с со к ко о об от до по за из у для при без над под не ни же ли бы "
    "его ее их он она они мы вы я был была были будет есть уже еще также "
    "через после перед около более менее очень так там тут все свой свои "
    "і ды але або што як калі дзе хто які гэта ў з да ад па за без пра"
    .split()
)


@cache
def _stemmer():
    return snowballstemmer.stemmer("russian")


def stems(text: str, memo: dict[str, str] | None = None) -> frozenset[str]:
    """Content-word stems of ``text``; ``memo`` remembers stems of words seen."""
    words = [w for w in normalise(text) if len(w) > 1 and w not in _STOP and not w.isdigit()]
    if memo is None:
        return frozenset(_stemmer().stemWords(words))
    found = []
    for word in words:
        stem = memo.get(word)
        if stem is None:
            stem = memo[word] = _stemmer().stemWord(word)
        found.append(stem)
    return frozenset(found)


@dataclass(frozen=True)
class Candidate:
    """An article as the matcher sees it."""

    key: str
    stems: frozenset[str]
    entities: frozenset[str] = frozenset()


def candidate(key: str, title: str, lead: str, entities: Iterable[str] = (),
              memo: dict[str, str] | None = None) -> Candidate:
    return Candidate(key, stems(f"{title} {lead}", memo), frozenset(entities))


def score(headline_stems: Sequence[frozenset[str]], headline_entities: frozenset[str],
          article: Candidate) -> float:
    """Overlap of the headline's words (whole, or its first sentence: the
    teaser after it, ``Кто в списке``, is rarely in the lead) and entities."""
    words = max(
        (len(s & article.stems) / len(s) for s in headline_stems if s), default=0.0
    )
    if headline_entities and article.entities:
        found = len(headline_entities & article.entities) / len(headline_entities)
        return (1 - ENTITY_WEIGHT) * words + ENTITY_WEIGHT * found
    return words


class Matcher:
    """Headlines against a fixed set of articles. Only articles that share a
    stem or an entity with a headline are scored (an inverted index), so a
    corpus of thousands of headlines and articles stays fast.

    The index is a numpy array of article numbers per stem (and per entity):
    a headline's shared words with every article are one ``bincount``, and its
    scores one vector operation, whatever the number of articles sharing a
    common word.
    """

    def __init__(self, articles: Sequence[Candidate], memo: dict[str, str] | None = None):
        self.articles = list(articles)
        self.memo: dict[str, str] = {} if memo is None else memo
        postings: dict[str, list[int]] = {}
        for number, article in enumerate(self.articles):
            for key in (*article.stems, *("\0" + e for e in article.entities)):
                postings.setdefault(key, []).append(number)
        self.index: dict[str, np.ndarray] = {
            key: np.array(numbers, dtype=np.intp) for key, numbers in postings.items()
        }
        self.has_entities = np.array([bool(a.entities) for a in self.articles], dtype=bool)

    def _shared(self, keys: Iterable[str]) -> np.ndarray | None:
        """How many of ``keys`` each article has (None: no article has any)."""
        found = [self.index[key] for key in keys if key in self.index]
        if not found:
            return None
        return np.bincount(np.concatenate(found), minlength=len(self.articles))

    def best(self, headline: str, entities: Iterable[str] = ()) -> tuple[str, float] | None:
        """The key of the article the headline names, with its score, or None."""
        headline_stems = [stems(headline, self.memo)]
        first = _FIRST_SENTENCE.split(headline, maxsplit=1)[0]
        if first != headline:
            first_stems = stems(first, self.memo)
            if len(first_stems) >= MIN_SENTENCE_STEMS:
                headline_stems.append(first_stems)
        headline_entities = frozenset(entities)
        shared = self._shared(headline_stems[0]) if headline_stems[0] else None
        if shared is None:
            return None
        # Fewer shared words than this cannot come within the margin of the
        # threshold, even with every entity found: no need to score them.
        smallest = min(len(s) for s in headline_stems) or 1
        needed = smallest * (THRESHOLD - MARGIN - ENTITY_WEIGHT) / (1 - ENTITY_WEIGHT)
        # The articles sharing the most words (ties: the earlier article); the
        # score is mostly that share.
        sharing = np.flatnonzero((shared >= needed) & (shared > 0))
        if len(sharing) > CANDIDATES:
            sharing = sharing[np.argsort(-shared[sharing], kind="stable")[:CANDIDATES]]
        if not len(sharing):
            return None
        scores = self._scores(sharing, shared, headline_stems, headline_entities)
        top = int(np.argmax(scores))
        best = float(scores[top])
        if best < THRESHOLD:
            return None
        if len(scores) > 1 and best - float(np.max(np.delete(scores, top))) < MARGIN:
            return None
        return self.articles[int(sharing[top])].key, best

    def _scores(self, sharing: np.ndarray, shared: np.ndarray,
                headline_stems: Sequence[frozenset[str]],
                headline_entities: frozenset[str]) -> np.ndarray:
        """:func:`score` for the articles numbered ``sharing``, all at once
        (the same floating-point operations, so the same numbers)."""
        words = shared[sharing] / len(headline_stems[0])
        for other in headline_stems[1:]:
            counts = self._shared(other)
            if counts is not None:
                words = np.maximum(words, counts[sharing] / len(other))
            else:
                words = np.maximum(words, 0.0)
        if not headline_entities:
            return words
        counts = self._shared("\0" + e for e in headline_entities)
        found = (counts[sharing] if counts is not None else np.zeros(len(sharing))) / len(
            headline_entities
        )
        mixed = (1 - ENTITY_WEIGHT) * words + ENTITY_WEIGHT * found
        return np.where(self.has_entities[sharing], mixed, words)


def best_match(headline: str, articles: Sequence[Candidate],
               entities: Iterable[str] = ()) -> tuple[str, float] | None:
    """The key of the article the headline names, with its score, or None."""
    return Matcher(articles).best(headline, entities)
