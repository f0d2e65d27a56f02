"""The natasha models, run as the entities step needs them (see :mod:`.entities`).

:class:`NatashaExtractor` gives, for each text, the mentions natasha's news
models find, with their kind and dictionary form. The mentions (spans and
kinds) are those natasha's own pipeline (``Doc.segment`` → ``tag_ner`` →
``tag_morph`` → ``parse_syntax`` → ``span.normalize``) finds, the models'
values equal up to float32 rounding (so a tag whose scores tie to the last
bits could in principle come out otherwise; tests compare the tags on the
fixtures, and all 9,575 texts of the 5,000-dump benchmark came out the
same); the dictionary forms are natasha's
``normalize`` except where :meth:`NatashaExtractor._nominative` corrects a
word natasha leaves inflected. It does less work than natasha:

* the text is cut into sentences by razdel's rules asked directly
  (:func:`sentenize`, the same sentences in half razdel's time) and
  tokenized once (razdel), and the NER model reads those tokens
  (natasha's tagger would tokenize the text again); a token becomes
  natasha's object only when a mention holds it, and each word's ids
  (:class:`_Codes`) are found once for the three models;
* morphology is computed only around the tokens of mentions. The morphology
  model is a CNN (three convolutions of width 3 over word embeddings, then a
  per-token projection): a token's tags depend on the three tokens either
  side of it and on nothing else, padding being zero like the convolution's
  own. So a window of a mention's tokens with :data:`CONTEXT` tokens either
  side, inside its sentence, gives the tags tagging the whole sentence gives
  (a test checks it on every token of the fixtures). Within a window, each
  convolution computes only the positions the mention's tokens depend on
  (two either side after the first, one after the second, the tokens
  themselves after the last);
* syntax is parsed on whole sentences (its head scores compare every token of
  the sentence), only on sentences holding a multi-word organisation, and only
  head ids are computed (dependency labels are not used);
* sequences are batched by length, up to :data:`BATCH_TOKENS` tokens a batch
  (a model's output for a sequence does not depend on its batch, up to
  float32 rounding: the padding embedding is zero and padding is masked
  after every layer);
* :func:`encode` projects each distinct word of a batch once for the first
  convolution (two thirds of the network's products) and sums the
  projections per position, and does the same for the other convolutions
  over whole sequences (no copy of each position's window; narrowed ones
  multiply only the needed positions' windows): the same values up to
  float32 rounding (tests compare them with slovnet's within 1e-5, and the
  tags exactly);
* :func:`viterbi` decodes a group's NER sequences together, in a few passes
  of at most :data:`VITERBI_CELLS` padded positions (slovnet's arithmetic,
  the same tags, bit for bit), and :func:`tag_spans` reads
  spans off the positions not tagged O;
* the garbage collector is off while a group is read (what it makes holds
  no cycles, a test checks it);
* dictionary look-ups and inflections (pymorphy2) are memoized per word
  within one extractor;
* the models are loaded with one word list for the three of them (slovnet
  builds the same 250,000-word list three times), and without the parts of
  navec's embedding they never read (:func:`_embedding`: a load of 0.2
  instead of 0.5 s), and texts are read in
  groups of :data:`GROUP_CHARS` characters, so that memory does not grow with
  the corpus.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from sys import intern
from typing import NamedTuple

#: tokens either side of a token that its morphology tags depend on: three
#: convolutions of width 3 (checked against the loaded model)
CONTEXT = 3
#: sequences per model call: short windows in big batches (less Python per
#: token), long texts in small ones (smaller arrays)
BATCH_TOKENS = 4096
BATCH_MAX = 256
#: characters of text read at once (its tokens and sentences are objects
#: that live until the group is done: memory stays small at any corpus size;
#: a group's work per position of its longest text, Viterbi's steps and
#: each model's last, partly filled batch, is spread over more texts in a
#: bigger group: 5-7 % less time than 50,000-character groups; a process's
#: memory grows by about 9 MiB while extracting, against 2 MiB)
GROUP_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention found by the model (what the cache keeps).

    Many of them live at once (every text's, until it is resolved): no
    ``__dict__``, and the label and dictionary form are interned strings
    (:func:`mention`), also when unpickled from a worker process.
    """

    label: str  # the model's label: PER, LOC, ORG
    start: int
    stop: int
    normal: str  # the model's dictionary form
    #: one word that is no name by the dictionary: a common noun opening a
    #: sentence (``Шахматистка из Бреста…``) or in capitals (``ПОЛЧАСА``), or
    #: an adjective alone (``Могилевский`` of ``Могилевский автобусный парк``)
    common: bool = False

    def __reduce__(self):
        return mention, (self.label, self.start, self.stop, self.normal, self.common)


def mention(label: str, start: int, stop: int, normal: str, common: bool = False) -> Mention:
    """A :class:`Mention` with its label and dictionary form interned (the
    same names recur in thousands of texts)."""
    return Mention(intern(label), start, stop, intern(normal), common)


@contextmanager
def collector_paused():
    """The garbage collector off for a while, then as it was: for steps that
    make many objects holding no cycles, which it would walk again and again
    for nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def receptive_field(model) -> int:
    """Tokens either side that one token's output depends on: the sum of
    the convolutions' half-widths."""
    return sum(layer.conv.weight.shape[-1] // 2 for layer in model.encoder.layers)


def encode(model, data, keep=None, compact: bool = False):
    """``model.encoder(model.emb(...))`` of slovnet: the same network, with
    the same numbers up to the last bits of float32 rounding, in less work.

    * The first convolution is a sum, over the three positions of its window,
      of a projection of each word's vector (its word and shape embedding).
      So each distinct (word, shape) of the batch is projected once, and every
      position adds up the three projections of its window (zero outside the
      sequence, as slovnet's padding). News text repeats its words: a batch
      of 4,096 tokens holds about 1,500 distinct ones, which makes this layer,
      two thirds of the network's products, about 2.5 times cheaper (more on
      more repetitive text).
    * The other convolutions, over every position, are computed the same way
      (each position projected by the kernel's three slices, then the
      window's three projections summed), which copies no window; narrowed to
      some positions (``keep``), they multiply each needed position's window,
      which is fewer products than projecting all its neighbours.
    * The batch norm after each ReLU is one scale and one shift, the scale
      multiplied into the kernel when positive (:func:`_prepare`).

    The sums are grouped differently from slovnet's, so the last bits of a
    value may differ, as slovnet's own do between batch sizes (BLAS rounds a
    small matrix product differently): tests compare the values within 1e-5
    and the models' tags exactly.

    ``keep`` (batch × sequence, boolean) names the only outputs wanted: each
    layer then computes only the positions those depend on (the wanted ones,
    widened by the half-widths of the layers after it) and leaves the others
    zero; with ``compact``, only the wanted outputs are returned, in order
    (what ``encode(...)[keep & ~data.pad_mask]`` gives)."""
    import numpy as np

    mask = data.pad_mask
    batch, length = mask.shape
    layers = model.encoder.layers
    x = before = None  # the last layer's output, and the flat positions it holds
    for layer, prepared, rows in zip(layers, _prepare(model),
                                     needed_rows(layers, mask, keep), strict=True):
        kernel, matrix, bias, scale, shift = prepared
        filters, channels, width = layer.conv.weight.shape
        pad = layer.conv.padding
        assert length + 2 * pad - width + 1 == length, "a convolution keeps the length"
        if x is None:  # its bias comes with each word's own projection
            part = _first_convolution(model.emb, kernel, width, pad, data, rows, bias)
        elif rows is None:
            # as the first: each position projected by the kernel's slices,
            # then each position's window of projections summed
            projected = np.matmul(x, kernel).reshape(batch, length, width, filters)
            part = _window_sums(projected, pad)
        else:
            # each needed position's window (fewer positions than the ones
            # held, whose projections the sums above would need)
            windows = _row_windows(x, before, rows, length, pad, width, batch * length)
            part = np.matmul(windows.reshape(len(rows), channels * width), matrix.T)
        # slovnet's bias, ReLU and batch norm ((x - mean) / std * weight + bias),
        # the norm as one scale (in the kernel, see _prepare) and shift, in place
        if x is not None:
            part += bias
        np.maximum(part, 0, out=part)
        if scale is not None:
            part *= scale
        part += shift
        if rows is None:
            part.reshape(batch, length, filters)[mask] = 0
        x, before = part, rows
    if before is None:
        return x.reshape(batch, length, -1)
    if compact:
        return x
    out = np.zeros((batch * length, x.shape[1]), dtype=x.dtype)  # positions not needed: zero
    out[before] = x
    return out.reshape(batch, length, -1)


class _Layer(NamedTuple):
    """A convolution layer's arrays as :func:`encode` uses them."""

    kernel: object  # channels × width·filters: a position's projections by the slices
    matrix: object  # filters × channels·width (slovnet's): one window's products
    bias: object
    scale: object  # the batch norm's scale, or None: multiplied into kernel, matrix, bias
    shift: object


def _prepare(model) -> list[_Layer]:
    """Each convolution layer's arrays as :func:`encode` uses them, made once
    per model (kept on it): the kernel as a matrix (channels × width·filters:
    the projections of one position by its slices) and as slovnet's (filters
    × channels·width: one window's products), the bias, and the batch norm as
    a scale and a shift. A positive scale commutes with the ReLU, so it is
    multiplied into the kernel and the bias (one pass less over every
    output; None then stands for the scale): the shipped models' scales are
    all positive."""
    prepared = getattr(model, "_encode_arrays", None)
    if prepared is None:
        import numpy as np

        prepared = []
        for layer in model.encoder.layers:
            conv, norm = layer.conv, layer.norm
            filters, channels, width = conv.weight.shape
            scale = norm.weight.array / norm.std.array
            # kernel[c, j * filters + f] = weight[f, c, j]
            kernel = conv.weight.array.transpose(1, 2, 0).reshape(channels, width * filters)
            matrix, bias = conv.weight.array.reshape(filters, channels * width), conv.bias.array
            shift = norm.bias.array - norm.mean.array * scale
            if (scale > 0).all():  # relu(z + b) * s == relu(z * s + b * s)
                kernel, matrix = kernel * np.tile(scale, width), matrix * scale[:, None]
                bias, scale = bias * scale, None
            prepared.append(_Layer(np.ascontiguousarray(kernel), matrix, bias, scale, shift))
        model._encode_arrays = prepared
    return prepared


def needed_rows(layers, mask, keep=None) -> list:
    """For each of ``layers``, the flat positions (batch × sequence) it must
    compute so that the positions ``keep`` come out right: the kept ones,
    widened by the half-widths of the layers after it, never padding
    (``mask``). None for every layer when ``keep`` is None: all positions."""
    import numpy as np

    if keep is None:
        return [None] * len(layers)
    real = ~mask
    need, needs = keep & real, []
    for layer in reversed(layers):
        needs.append(np.flatnonzero(need))
        need = _widen(need, layer.conv.weight.shape[-1] // 2) & real
    return needs[::-1]


def word_pairs(emb, data):
    """The distinct (word, shape) pairs of a batch, as codes ``word × shapes
    + shape`` in increasing order, and each position's index into them
    (batch × sequence): what :func:`encode` projects once each."""
    import numpy as np

    shapes = emb.shape.weight.array.shape[0]
    pairs, where = np.unique(data.word_id.astype(np.int64) * shapes + data.shape_id,
                             return_inverse=True)
    return pairs, where.reshape(data.word_id.shape)


def _first_convolution(emb, kernel, width: int, pad: int, data, rows, bias):
    """The first convolution's products, plus ``bias``, at every position of
    the batch, flattened (or at the flat positions ``rows``): each distinct
    word and shape projected once by the three slices of the ``kernel``
    (channels × width·filters), the bias added to each word's projection of
    itself, then each position's window summed (padding's embedding is zero,
    so are its projections of its neighbours; what padding itself gets is
    masked after the layer)."""
    import numpy as np

    batch, length = data.word_id.shape
    filters = kernel.shape[1] // width
    shapes = emb.shape.weight.array.shape[0]
    pairs, where = word_pairs(emb, data)
    # one row more, zero: what neighbours outside their sequence read (rows)
    projected = np.empty((len(pairs) + 1, width * filters), dtype=kernel.dtype)
    np.matmul(_embed(emb, pairs // shapes, pairs % shapes), kernel, out=projected[:-1])
    projected[-1] = 0
    projected = projected.reshape(len(pairs) + 1, width, filters)
    projected[:-1, pad] += bias
    if rows is None:
        out = projected[where, pad]  # the word itself (a copy)
        for j in range(width):
            shift = j - pad
            if shift < 0:  # the words before: none for the first ones (zero)
                out[:, -shift:] += projected[where[:, :shift], j]
            elif shift > 0:
                out[:, :-shift] += projected[where[:, shift:], j]
        return out.reshape(batch * length, filters)
    # at the flat positions rows only
    return _row_sums(projected, rows, length, pad, where.reshape(-1))


def _window_sums(projected, pad: int):
    """(batch × sequence, filters): at each position, the sum over ``j`` of
    ``projected[b, w + j - pad, j]`` (batch × sequence × width × filters,
    zero outside the sequence): a convolution from its kernel's slices."""
    batch, length, width, filters = projected.shape
    out = projected[:, :, pad].copy()  # the position itself
    for j in range(width):
        shift = j - pad
        if shift < 0:  # the positions before: none for the first ones (zero)
            out[:, -shift:] += projected[:, :shift, j]
        elif shift > 0:
            out[:, :-shift] += projected[:, shift:, j]
    return out.reshape(batch * length, filters)


def _row_sums(projected, rows, length: int, pad: int, index):
    """:func:`_window_sums` at the flat positions ``rows`` only, of
    ``projected`` (items × width × filters, the last item zero), the
    projections of the items at each flat position (``index``)."""

    out = projected[index[rows], pad]
    for j in range(projected.shape[1]):
        if j != pad:
            out += projected[_neighbours(rows, j - pad, length, index, len(projected) - 1), j]
    return out


def _neighbours(rows, shift: int, length: int, index, zero: int):
    """For each flat position of ``rows``, ``index`` (an item per flat
    position) at the position ``shift`` away in the same sequence, or
    ``zero`` where that lies outside the sequence."""
    import numpy as np

    column = rows % length  # the position in its sequence
    inside = (column + shift >= 0) & (column + shift < length)
    return np.where(inside, index[np.clip(rows + shift, 0, len(index) - 1)], zero)


def _row_windows(x, held, rows, length: int, pad: int, width: int, size: int):
    """The windows (rows × channels × width) of the flat positions ``rows``:
    ``windows[r, c, j]`` is ``x`` at position ``rows[r] + j - pad`` of its
    sequence, zero outside it. ``x`` holds the values of the flat positions
    ``held``, in that order (all the needed neighbours), out of ``size``."""
    import numpy as np

    count, channels = x.shape
    index = np.full(size, count)  # the row of x at each flat position: a zero row if none
    index[held] = np.arange(count)
    x = np.concatenate([x, np.zeros((1, channels), x.dtype)])
    windows = np.empty((len(rows), channels, width), dtype=x.dtype)
    for j in range(width):
        windows[:, :, j] = x[_neighbours(rows, j - pad, length, index, count)]
    return windows


def _embed(emb, word_id, shape_id):
    """slovnet's ``WordShapeEmbedding`` of the words ``word_id`` with shapes
    ``shape_id`` (one dimension, one row each), the same numbers gathered in
    a third of its time: the word's codes index one flat table of all parts'
    centroids (navec's quantized vector), and the shape's vector is written
    into the same array instead of concatenated."""
    import numpy as np

    word, shape = emb.word, emb.shape
    parts, centroids, chunk = word.codes.array.shape
    table = word.codes.array.reshape(parts * centroids, chunk)
    codes = word.indexes.array[word_id].astype(np.intp)
    codes += np.arange(parts) * centroids  # part q's centroid c is row q * centroids + c
    size = len(codes)
    out = np.empty((size, parts * chunk + shape.dim), dtype=table.dtype)
    out[:, : parts * chunk] = np.take(table, codes, axis=0).reshape(size, parts * chunk)
    out[:, parts * chunk :] = shape.weight.array[shape_id]
    return out


def _widen(need, by: int):
    """``need`` (batch × sequence, boolean) with every True spread ``by``
    positions either way along the sequence."""
    wide = need.copy()
    for shift in range(1, by + 1):
        wide[:, shift:] |= need[:, :-shift]
        wide[:, :-shift] |= need[:, shift:]
    return wide


def viterbi(transitions, sequences: Sequence) -> list:
    """The best tags of each sequence of emissions (positions × tags), as
    slovnet's ``CRF.decode`` finds them, with the same numbers: the score of a
    step is ``(score + transitions) + emissions``, the best previous tag its
    ``argmax``, the new score its ``max``.

    Many sequences go at once, longest first: each step works on the
    sequences still running (the first rows), and the way back is followed
    for all of them together. slovnet's decode takes a padded batch of 8 and
    steps through its longest sequence one position at a time; this makes a
    group's hundreds of sequences a few passes of as many steps as their
    longest, and a row's arithmetic does not depend on the others. A pass
    pads its sequences to its longest: at most :data:`VITERBI_CELLS` padded
    positions (one long text does not pad thousands of short ones)."""
    out: list = [None] * len(sequences)
    order = sorted(range(len(sequences)), key=lambda i: -len(sequences[i]))
    while order:
        longest = max(1, len(sequences[order[0]]))
        size = max(1, min(len(order), VITERBI_CELLS // longest))
        chunk, order = order[:size], order[size:]
        for index, tags in zip(chunk, _viterbi(transitions, [sequences[i] for i in chunk]),
                               strict=True):
            out[index] = tags
    return out


#: padded positions (sequences × the longest) one Viterbi pass lays out
VITERBI_CELLS = 1 << 18


def _viterbi(transitions, sequences: Sequence) -> list:
    """:func:`viterbi` of sequences sorted longest first, in one pass."""
    import numpy as np

    count = len(sequences)
    lengths = [len(sequence) for sequence in sequences]
    longest, tags = lengths[0], transitions.shape[0]
    if not longest:
        return [np.zeros(0, dtype=np.intp) for _ in sequences]
    # emissions[t, k]: position t of the k-th sequence (zero past its end)
    emissions = np.zeros((longest, count, tags), dtype=transitions.dtype)
    for k, sequence in enumerate(sequences):
        emissions[: lengths[k], k] = sequence
    # running[t]: the sequences longer than t (the first ones, being sorted)
    running = np.searchsorted(-np.asarray(lengths), -np.arange(longest + 1), side="left")
    running = running.tolist()
    score = emissions[0].copy()
    history = [None]  # history[t][k, tag at t]: the best tag at t - 1
    for t in range(1, longest):
        active = running[t]
        scores = score[:active, :, None] + transitions + emissions[t, :active, None, :]
        history.append(scores.argmax(-2))
        score[:active] = scores.max(-2)
    best = np.empty((longest, count), dtype=np.intp)
    for t in range(longest - 1, -1, -1):
        going, ending = running[t + 1], running[t]  # sequences going on past t, ending at t
        if ending > going:
            best[t, going:ending] = score[going:ending].argmax(-1)
        if going:
            best[t, :going] = history[t + 1][np.arange(going), best[t + 1, :going]]
    return [best[: lengths[k], k] for k in range(count)]


def tag_spans(tags, parts: Sequence[str], kinds: Sequence[str], starts, stops) -> list:
    """slovnet's ``bio_spans`` of tag ids as (start, stop, kind): ``parts``
    and ``kinds`` are each tag id's BIO part and kind. Only the positions not
    tagged O are visited (an O only ends the span before it)."""
    import numpy as np

    outside = parts.index("O")
    spans = []
    previous, last, start, stop = None, -2, 0, 0
    tags = np.asarray(tags)
    values = tags.tolist()
    for at in np.flatnonzero(tags != outside).tolist():
        if at != last + 1 and previous:  # O tags in between
            spans.append((start, stop, previous))
            previous = None
        tag = values[at]
        part = parts[tag]
        if part == "B":
            if previous:
                spans.append((start, stop, previous))
            previous, start, stop = kinds[tag], starts[at], stops[at]
        elif part == "I":
            stop = stops[at]
        last = at
    if previous:
        spans.append((start, stop, previous))
    return spans


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """razdel's ``tokenize(text)`` as (start, stop, text) triples: the same
    tokens, in a third of its time.

    razdel cuts the text into atoms (a run of Cyrillic or Latin letters or of
    digits, or one other character that is no space), then decides at every
    boundary between two atoms: a boundary with a space is always a cut; at
    one without, its rules may join the two (``из-за``, ``3,5``, ``?!``,
    ``ΔP``). It builds a rule input (``TokenSplit``) for every boundary, and
    finds every token in the text again. Here a boundary goes to razdel's own
    rules, with the input built as razdel builds it, only when one of them
    could join it (:func:`_rules_may_join`); a token's place is that of its
    first and last atoms (what razdel's search finds: only spaces lie
    between tokens).
    """
    from razdel.segmenters.tokenize import ATOM, Atom, TokenSplit
    from razdel.segmenters.tokenize import tokenize as segmenter

    matches = list(ATOM.finditer(text))
    if not matches:
        return []
    atoms: dict[int, Atom] = {}

    def atom(index: int) -> Atom:
        found = atoms.get(index)
        if found is None:
            match = matches[index]
            found = atoms[index] = Atom(match.start(), match.end(), match.lastgroup,
                                        match.group())
        return found

    window, count = segmenter.split.window, len(matches)  # atoms razdel's rules see
    result = []
    first = matches[0]
    start, stop, buffer = first.start(), first.end(), first.group()
    kind = first.lastgroup
    for index in range(1, count):
        match = matches[index]
        word, right = match.group(), match.lastgroup
        if match.start() == stop and _rules_may_join(kind, matches[index - 1].group(),
                                                     right, word):
            split = TokenSplit([atom(i) for i in range(max(0, index - window), index)], "",
                               [atom(i) for i in range(index, min(count, index + window))])
            split.buffer = buffer
            if segmenter.join(split):
                buffer += word
                stop, kind = match.end(), right
                continue
        result.append((start, stop, buffer))
        start, stop, buffer, kind = match.start(), match.end(), word, right
    result.append((start, stop, buffer))
    return result


def sentenize(text: str) -> list[tuple[int, int]]:
    """razdel's ``sentenize(text)`` as (start, stop) pairs: the same
    sentences, in about half its time.

    razdel finds every candidate end (a delimiter: ``.``, ``?``, a quote, a
    closing bracket…) and asks its eleven rules whether to join across it,
    each an object reading a split object's cached properties; then it finds
    each stripped sentence in the text again. Here :func:`_sentence_joins`
    asks the same questions of the same input (the ten characters either
    side, and the sentence so far: the text since the last cut) with razdel's
    own patterns, word lists and helpers, and a sentence's place is that of
    its piece less the spaces around it (only spaces lie between razdel's
    sentences)."""
    from importlib import import_module

    rules = import_module("razdel.segmenters.sentenize")  # the module (its package
    split = rules.sentenize.split  # names the segmenter "sentenize" too)
    window = split.window
    result = []
    last = offset = 0  # where the sentence so far began; where the last one ended
    for match in split.re.finditer(text):
        start, stop = match.start(), match.end()
        if _sentence_joins(rules, text[max(0, start - window) : start], match.group(1),
                           text[stop : stop + window], text, last, start):
            continue
        offset = _stripped(text, last, stop, offset, result)
        last = stop
    _stripped(text, last, len(text), offset, result)
    return result


def _sentence_joins(rules, left: str, delimiter: str, right: str, text: str, begun: int,
                    at: int) -> bool:
    """Whether one of razdel's sentence rules (``rules``: the module) joins
    across ``delimiter`` (``left`` and ``right``: the characters either side;
    the sentence so far is ``text[begun:at]``). Each rule only ever joins,
    so the order matters only in that the first (``empty_side``) guards the
    others."""
    left_token, right_token = rules.LAST_TOKEN.search(left), rules.FIRST_TOKEN.match(right)
    if not left_token or not right_token:  # empty_side
        return True
    left_token, right_token = left_token.group(1), right_token.group(1)
    if not rules.SPACE_PREFIX.match(right):  # no_space_prefix
        return True
    if rules.is_lower_alpha(right_token):  # lower_right
        return True
    if right_token not in rules.GENERIC_QUOTES and (  # delimiter_right
        right_token in rules.DELIMITERS or rules.SMILE_PREFIX.match(right)
    ):
        return True
    if delimiter == ".":
        if _sokr_left(rules, left, left_token, right_token):
            return True
        left_lower = left_token.lower()
        if (left_lower, right_token.lower()) in rules.PAIR_SOKRS:  # inside_pair_sokr
            return True
        if (left_token.isupper() and len(left_token) == 1) or left_lower in rules.INITIALS:
            return True  # initials_left
    if (delimiter in rules.BULLET_BOUNDS and at - begun <= rules.BULLET_SIZE  # list_item
            and all(rules.is_bullet(t) for t in rules.TOKEN.findall(text[begun:at]))):
        return True
    if delimiter in rules.QUOTES:  # close_quote
        if delimiter in rules.CLOSE_QUOTES:
            if left_token not in rules.ENDINGS:
                return True
        elif delimiter in rules.GENERIC_QUOTES and (
            rules.SPACE_SUFFIX.search(left) or left_token not in rules.ENDINGS
        ):
            return True
    if delimiter in rules.CLOSE_BRACKETS and left_token not in rules.ENDINGS:  # close_bracket
        return True
    if right_token in rules.DASHES:  # dash_right
        word = rules.WORD.search(right)
        if word and rules.is_lower_alpha(word.group(1)):
            return True
    return False


def _sokr_left(rules, left: str, left_token: str, right_token: str) -> bool:
    """razdel's ``sokr_left`` rule (an abbreviation before the dot)."""
    pair = rules.PAIR_SOKR.search(left)
    if pair:
        first, second = pair.groups()
        key = first.lower(), second.lower()
        if key in rules.HEAD_PAIR_SOKRS:
            return True
        if key in rules.PAIR_SOKRS:
            return bool(rules.is_sokr(right_token))
    left_lower = left_token.lower()
    return left_lower in rules.HEAD_SOKRS or (
        left_lower in rules.SOKRS and bool(rules.is_sokr(right_token))
    )


def _stripped(text: str, start: int, stop: int, offset: int, result: list) -> int:
    """Adds the place of ``text[start:stop]`` less its spaces (razdel's
    ``strip``, then ``find`` from ``offset``: an empty piece sits at
    ``offset``); returns where it ends."""
    piece = text[start:stop]
    kept = piece.strip()
    if not kept:
        result.append((offset, offset))
        return offset
    begin = start + len(piece) - len(piece.lstrip())
    result.append((begin, begin + len(kept)))
    return begin + len(kept)


#: razdel's ``DASHES`` (a test checks they agree)
RAZDEL_DASHES = "\u2011\u2013\u2014\u2212-"
#: Atoms razdel's dash and underscore rules join across; those its float and
#: fraction rules join numbers across.
_JOINERS = frozenset("_" + RAZDEL_DASHES)
_NUMBER_JOINERS = frozenset(".,/\\")


def _rules_may_join(left_type: str, left: str, right_type: str, right: str) -> bool:
    """Whether one of razdel's token rules could join two adjacent atoms
    (``left`` ending a token, ``right`` the next atom): when not, razdel
    cuts there. Each rule joins only when: ``other``: one is of type OTHER;
    ``punct``: both are punctuation; ``yahoo``: the right one is ``!``;
    ``dash``/``underscore``: one is a dash or ``_``; ``float``/``fraction``:
    one is ``.``, ``,``, ``/`` or ``\\`` and the other a number."""
    if left_type == "OTHER" or right_type == "OTHER":
        return True
    if left_type == "PUNCT" and right_type == "PUNCT":
        return True
    if right == "!" or left in _JOINERS or right in _JOINERS:
        return True
    return ((right in _NUMBER_JOINERS and left_type == "INT")
            or (left in _NUMBER_JOINERS and right_type == "INT"))


def _envelop(starts: Sequence[int], stops: Sequence[int], envelopes) -> list[tuple[int, int]]:
    """natasha's ``envelop_spans`` (which items lie inside each envelope: the
    tokens of a sentence or of a mention, the mentions of a sentence) as
    index ranges into the items, by bisection instead of a walk over all of
    them. Items (their ``starts`` and ``stops``) and envelopes are in order
    and do not overlap, as razdel's tokens and sentences and the model's
    mentions are: an envelope holds the items from the first that starts in
    it to the last that ends in it."""
    ranges = []
    for envelope in envelopes:
        low = bisect_left(starts, envelope.start)
        ranges.append((low, max(low, bisect_right(stops, envelope.stop))))
    return ranges


def _batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indexes in order of length, grouped so that a batch pads to at most
    :data:`BATCH_TOKENS` tokens (at least one sequence, at most
    :data:`BATCH_MAX`)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches, current = [], []
    for index in order:
        # sorted: the newest is the longest, the batch pads to it
        if current and (
            (len(current) + 1) * lengths[index] > BATCH_TOKENS or len(current) >= BATCH_MAX
        ):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


class _Codes:
    """Each word's (word id, shape id) as one number, ``word id × shapes +
    shape id`` (slovnet's encoder, memoized per word), for the three models
    at once: they ship the same word list and the same shapes (checked when
    loaded). :meth:`input` turns a batch of code arrays into slovnet's padded
    input."""

    def __init__(self, encoder):
        from slovnet.shape import word_shape

        self.words, self.shapes = encoder.words_vocab, encoder.shapes_vocab
        self.size = len(self.shapes.items)
        self.pad = self.words.pad_id * self.size + self.shapes.pad_id
        self._shape = word_shape
        self._codes: dict[str, int] = {}

    def of(self, words: Sequence[str]):
        """The words' codes, an array."""
        import numpy as np

        codes, known = self._codes, []
        for word in words:
            code = codes.get(word)
            if code is None:
                code = codes[word] = (self.words.encode(word.lower()) * self.size
                                      + self.shapes.encode(self._shape(word)))
            known.append(code)
        return np.array(known, dtype=np.int64)

    def input(self, items: Sequence):
        """slovnet's padded arrays (word ids, shape ids, padding mask) for a
        batch of code arrays."""
        import numpy as np
        from slovnet.exec.encoders import WordShapeInput

        codes = np.full((len(items), max(map(len, items))), self.pad, dtype=np.int64)
        for row, item in enumerate(items):
            codes[row, : len(item)] = item
        word_id, shape_id = np.divmod(codes, self.size)
        return WordShapeInput(word_id, shape_id, word_id == self.words.pad_id)


def _token(doc, at: int):
    """Token ``at`` of ``doc`` as natasha's object, made once."""
    token = doc.made.get(at)
    if token is None:
        from natasha.doc import DocToken

        token = doc.made[at] = DocToken(doc.token_starts[at], doc.token_stops[at], doc.words[at])
    return token


def _morph_vocab(cls):
    """natasha's ``MorphVocab()``, the dictionary's path given (pymorphy2
    would import ``pkg_resources`` to look for it: a third of a second)."""
    import os

    import pymorphy2_dicts_ru
    from natasha.morph.vocab import MorphForm
    from pymorphy2.analyzer import MorphAnalyzer

    path = os.environ.get(MorphAnalyzer.DICT_PATH_ENV_VARIABLE) or pymorphy2_dicts_ru.get_path()
    vocab = cls.__new__(cls)
    MorphAnalyzer.__init__(vocab, path=path, lang="ru", result_type=MorphForm)
    return vocab


def _embedding():
    """natasha's ``NewsEmbedding()`` as the taggers take it (slovnet's
    ``inject_navec`` reads its id and quantized vectors only), loaded as
    navec's ``load`` does, less its 250,000-word list and the norms its
    ``PQ`` computes for ``sim``: neither is ever read (a fifth of a second)."""
    from natasha.data import NEWS_EMBEDDING
    from navec.meta import Meta
    from navec.navec import META, PQ_, Navec
    from navec.pq import PQ
    from navec.tar import Tar

    class Vectors(PQ):
        def precompute(self):
            pass  # the norms are for sim()

    with Tar(NEWS_EMBEDDING) as tar:
        meta = Meta.from_file(tar.load(META))
        Meta.check_protocol(meta.protocol)
        return Navec(meta, None, Vectors.from_file(tar.load(PQ_)))


def _tagger(cls, kind: str, embedding, words: dict):
    """``cls(embedding)`` (natasha's NER, morphology or syntax model),
    loaded as slovnet's ``load`` does, except that a word list equal to one
    already loaded (``words``: its text -> it) is shared, not built again:
    the three models ship the same 250,000 words."""
    from gzip import decompress

    from natasha.data import NEWS_MORPH, NEWS_NER, NEWS_SYNTAX
    from slovnet import api
    from slovnet.const import REL, SHAPE, TAG, WORD
    from slovnet.exec import encoders, infer, model
    from slovnet.exec.pack import Pack, vocab_name
    from slovnet.vocab import Vocab

    path, base, network, encoder, decoder, labels, runner = {
        "ner": (NEWS_NER, api.NER, model.NER, encoders.TagEncoder, infer.TagDecoder, TAG,
                infer.NERInfer),
        "morph": (NEWS_MORPH, api.Morph, model.Morph, encoders.TagEncoder, infer.TagDecoder,
                  TAG, infer.MorphInfer),
        "syntax": (NEWS_SYNTAX, api.Syntax, model.Syntax, encoders.SyntaxEncoder,
                   infer.SyntaxDecoder, REL, infer.SyntaxInfer),
    }[kind]
    with Pack(path) as pack:
        pack.load_meta().check_protocol()
        loaded = pack.load_model(network)
        arrays = dict(pack.load_arrays(loaded.weights))
        content = decompress(pack.read(vocab_name(WORD)))  # as slovnet's bytes_vocab
        if content not in words:
            words[content] = Vocab(content.decode("utf8").splitlines())
        shapes, tags = pack.load_vocab(SHAPE), pack.load_vocab(labels)
    batch_size = 8  # slovnet's default
    tagger = cls.__new__(cls)
    base.__init__(tagger, runner(
        loaded.inject_arrays(arrays),
        encoder(words[content], shapes, batch_size),
        decoder(tags),
    ), batch_size)
    tagger.navec(embedding)
    return tagger


def _sentence_of(doc, at: int):
    """The sentence of ``doc`` holding its token ``at``, or None (sentences
    are in order and do not overlap: the last one whose tokens begin at or
    before the token is the only one that can hold it)."""
    index = bisect_right(doc.sent_firsts, at) - 1
    if index < 0:
        return None
    sent = doc.sents[index]
    return sent if at < sent.first + sent.size else None


class NatashaExtractor:
    """natasha's news models (NER, morphology, syntax), loaded once per object.

    :meth:`extract` takes many texts at once: the NER model runs on them in
    batches of similar length; morphology runs only around mentions, syntax
    only on sentences with a multi-word organisation (the dictionary form of
    an organisation inflects its head word only).
    """

    #: dictionary tags of words that are names
    NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"})

    def __init__(self):
        from natasha import MorphVocab, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser
        from slovnet.bio import parse_bio

        embedding = _embedding()
        self.vocab = _morph_vocab(MorphVocab)
        words: dict[bytes, object] = {}
        self.ner = _tagger(NewsNERTagger, "ner", embedding, words)
        self.morph = _tagger(NewsMorphTagger, "morph", embedding, words)
        self.syntax = _tagger(NewsSyntaxParser, "syntax", embedding, words)
        self.context = receptive_field(self.morph.infer.model)
        self._codes = _Codes(self.ner.infer.encoder)
        for tagger in (self.morph, self.syntax):
            encoder = tagger.infer.encoder
            assert encoder.words_vocab is self._codes.words, "one word list for the three"
            assert encoder.shapes_vocab.items == self._codes.shapes.items, "the same shapes"
        self._tags: dict[int, tuple[str, dict]] = {}  # morph tag id -> (pos, feats)
        # each NER tag id's BIO part and kind (slovnet's parse_bio)
        ner_tags = [parse_bio(tag) for tag in self.ner.infer.decoder.tags_vocab.items]
        self._ner_parts = [part for part, _ in ner_tags]
        self._ner_kinds = [kind for _, kind in ner_tags]
        self._normal_words: dict[tuple, str] = {}
        self._nominatives: dict[tuple[str, str], str] = {}
        self._commons: dict[tuple[str, bool], bool] = {}  # (word, adjective) -> common?
        self._forms: dict[str, list] = {}

    def extract(self, texts: Sequence[str]) -> list[list[Mention]]:
        from threadpoolctl import threadpool_limits

        # The models multiply small matrices: BLAS threads only wait on each
        # other (ten times slower on two cores), and parallelism comes from
        # worker processes instead.
        # In groups of texts of similar length (the models pad a batch to its
        # longest sequence), of at most GROUP_CHARS characters.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        groups, group, size = [], [], 0
        for index in order:
            if group and size + len(texts[index]) > GROUP_CHARS:
                groups.append(group)
                group, size = [], 0
            group.append(index)
            size += len(texts[index])
        groups.append(group)
        result: list[list[Mention]] = [[] for _ in texts]
        # A group makes hundreds of thousands of objects that live until it is
        # done and hold no cycles: the garbage collector would walk them again
        # and again for nothing (3-5 % of the time); it runs between groups.
        # (The build's entities step has it off already; the early extraction
        # and other callers do not.)
        with threadpool_limits(limits=1, user_api="blas"):
            for group in groups:
                with collector_paused():
                    found = self._extract([texts[i] for i in group])
                for index, mentions in zip(group, found, strict=True):
                    result[index] = mentions
        return result

    # --- the pipeline --------------------------------------------------------------

    def _extract(self, texts: Sequence[str]) -> list[list[Mention]]:
        docs = [self._segment(text) for text in texts]
        self._tag_ner([doc for doc in docs if doc.words])
        self._tag_morph(docs)
        self._parse_heads([
            (doc, sent) for doc in docs for sent in doc.sents
            if any(sp.type == "ORG" and len(sp.tokens) > 1 for sp in sent.spans)
        ])
        result = []
        for doc in docs:
            mentions = []
            for span in doc.spans:
                if not span.tokens:
                    continue
                for token in span.tokens:  # tokens of sentences we did not tag
                    if token.pos is None:
                        token.pos, token.feats, token.tag = "X", {}, None
                if span.type == "ORG" and len(span.tokens) > 1:
                    span.normal = self._syntax_normalize(span.tokens)  # the head word only
                else:
                    span.normal = self._normalize(span.tokens)
                mentions.append(mention(
                    span.type, span.start, span.stop, span.normal, self._common(span, doc)
                ))
            result.append(mentions)
        return result

    @staticmethod
    def _segment(text: str):
        """natasha's ``Doc(text).segment(Segmenter())``: razdel's tokens and
        sentences. A token becomes natasha's object (:func:`_token`) only when
        a mention holds it; the document keeps its tokens' words, starts and
        stops, each sentence the index of its first token and its number of
        tokens (a sentence's tokens are a run of the document's)."""
        from natasha.doc import Doc, DocSent

        doc = Doc(text)
        tokens = tokenize(text)
        doc.words = [t[2] for t in tokens]
        doc.token_starts = [t[0] for t in tokens]
        doc.token_stops = [t[1] for t in tokens]
        doc.made = {}  # token index -> its DocToken
        # natasha's Segmenter gives no sentence for an empty text
        doc.sents = [DocSent(a, b, text[a:b]) for a, b in sentenize(text)] if text else []
        for sent, (low, high) in zip(
            doc.sents, _envelop(doc.token_starts, doc.token_stops, doc.sents), strict=True
        ):
            sent.first, sent.size, sent.spans = low, high - low, []
        doc.sent_firsts = [sent.first for sent in doc.sents]  # for bisection
        doc.spans = []
        return doc

    def _tag_ner(self, docs) -> None:
        """natasha's NER on the documents' own tokens: spans, enveloped."""
        from natasha.doc import DocSpan

        model = self.ner.infer.model
        for doc in docs:
            doc.codes = self._codes.of(doc.words)
        emissions: list = [None] * len(docs)
        for batch in _batches([len(doc.codes) for doc in docs]):
            data = self._codes.input([docs[i].codes for i in batch])
            pred = model.head(encode(model, data))
            for row, index in enumerate(batch):
                emissions[index] = pred[row, : len(docs[index].codes)]
        # the whole group's sequences together (a pass: one step per position of
        # its longest)
        for doc, tags in zip(docs, viterbi(model.head.crf.transitions.array, emissions),
                             strict=True):
            doc.spans = spans = [
                DocSpan(start, stop, kind, doc.text[start:stop])
                for start, stop, kind in tag_spans(tags, self._ner_parts, self._ner_kinds,
                                                   doc.token_starts, doc.token_stops)
            ]
            for span, (low, high) in zip(
                spans, _envelop(doc.token_starts, doc.token_stops, spans), strict=True
            ):
                span.tokens, span.first = [_token(doc, i) for i in range(low, high)], low
            starts, stops = [s.start for s in spans], [s.stop for s in spans]
            for sent, (low, high) in zip(doc.sents, _envelop(starts, stops, doc.sents),
                                         strict=True):
                sent.spans = spans[low:high]

    def _tag_morph(self, docs) -> None:
        """Morphology of every token of a mention that lies in a sentence
        holding a mention (as tagging those whole sentences would give)."""
        needed: dict[int, tuple] = {}  # id(sentence) -> (doc, sentence, token indexes)
        for doc in docs:
            if not doc.spans:
                continue
            for span in doc.spans:
                for at in range(span.first, span.first + len(span.tokens)):
                    sent = _sentence_of(doc, at)
                    if sent is not None and sent.spans:
                        needed.setdefault(id(sent), (doc, sent, set()))[2].add(at - sent.first)
        windows = []  # (doc, sentence, start, stop, the mention tokens' offsets in it)
        for doc, sent, indexes in needed.values():
            size = sent.size
            start = stop = None
            wanted: list[int] = []
            for index in sorted(indexes):
                low, high = max(0, index - self.context), min(size, index + self.context + 1)
                if stop is not None and low > stop:
                    windows.append((doc, sent, start, stop, wanted))
                    stop, wanted = None, []
                if stop is None:
                    start = low
                stop = high
                wanted.append(index - start)
            windows.append((doc, sent, start, stop, wanted))
        tags = self._morph_tags(
            [doc.codes[sent.first + a : sent.first + b] for doc, sent, a, b, _ in windows],
            [wanted for *_, wanted in windows],
        )
        for (doc, sent, start, _, wanted), window_tags in zip(windows, tags, strict=True):
            for offset, tag_id in zip(wanted, window_tags, strict=True):
                token = doc.made[sent.first + start + offset]
                token.pos, token.feats = self._tag(tag_id)
                token.tag = tag_id

    def morph_tags(
        self, items: Sequence[Sequence[str]], wanted: Sequence[Sequence[int]] | None = None
    ) -> list[list[tuple[str, dict]]]:
        """(pos, feats) of every word of each word list, as slovnet's morph
        tagger gives them; with ``wanted``, of those positions of each list
        only, in increasing order, each once (the model then computes only
        what they depend on: on news text about a third less work)."""
        tags = self._morph_tags([self._codes.of(words) for words in items], wanted)
        return [[self._tag(tag_id) for tag_id in row] for row in tags]

    def _morph_tags(self, items: Sequence, wanted: Sequence[Sequence[int]] | None = None):
        """:meth:`morph_tags` of word code arrays (:class:`_Codes`), as tag ids
        (:meth:`_tag`)."""
        import numpy as np

        model = self.morph.infer.model
        out: list = [None] * len(items)
        for batch in _batches([len(codes) for codes in items]):
            data = self._codes.input([items[i] for i in batch])
            if wanted is None:
                keep = ~data.pad_mask
                features = encode(model, data)[keep]
            else:
                keep = np.zeros(data.pad_mask.shape, dtype=bool)
                chosen = [wanted[index] for index in batch]
                keep[np.repeat(np.arange(len(batch)), [len(c) for c in chosen]),
                     np.concatenate(chosen).astype(np.intp)] = True
                features = encode(model, data, keep, compact=True)
            # the head (a projection per token) on the wanted positions only
            pred = model.head.decode(model.head(features)).tolist()
            at = 0
            for index, size in zip(batch, keep.sum(-1).tolist(), strict=True):
                out[index] = pred[at : at + size]
                at += size
        return out

    def _tag(self, tag_id: int) -> tuple[str, dict]:
        """(pos, feats) of a morphology tag id."""
        tag = self._tags.get(tag_id)
        if tag is None:
            from slovnet.conll import parse_conll_tag

            decode = self.morph.infer.decoder.tags_vocab.decode
            tag = self._tags[tag_id] = parse_conll_tag(decode(tag_id))
        return tag

    def _parse_heads(self, sents) -> None:
        """Syntactic head ids of the tokens made (:func:`_token`) of each
        (document, sentence) of ``sents`` (natasha's ids: ``"<sentence
        number>_<token number>"``, 0 the root). The model reads the whole
        sentence."""
        model = self.syntax.infer.model
        items = [doc.codes[sent.first : sent.first + sent.size] for doc, sent in sents]
        for batch in _batches([len(codes) for codes in items]):
            data = self._codes.input([items[i] for i in batch])
            x = encode(model, data)
            mask = ~data.pad_mask
            heads = model.head.decode(model.head(x), mask)
            for row, index in enumerate(batch):
                number = index + 1  # ids unique per sentence, as natasha does
                doc, sent = sents[index]
                made, first = doc.made, sent.first
                for at in range(first, first + sent.size):
                    token = made.get(at)
                    if token is not None:
                        position = at - first + 1
                        token.id = f"{number}_{position}"
                        token.head_id = f"{number}_{heads[row, position - 1]}"

    # --- dictionary forms ------------------------------------------------------------

    def _parses(self, word: str) -> list:
        forms = self._forms.get(word)
        if forms is None:
            # pymorphy2's own parse: natasha's ``MorphVocab.__call__`` is an
            # lru_cache of the class, which would keep this object (and its
            # dictionary) alive after the build
            forms = self._forms[word] = _analyze(self.vocab, word)
        return forms

    def _common(self, span, doc) -> bool:
        if len(span.tokens) != 1:
            return False
        token = span.tokens[0]
        word = token.text
        adjective = token.pos == "ADJ"
        if not adjective:
            capitals = word.isupper() and sum(c.isalpha() for c in word) > 4
            if not (capitals or self._opens_sentence(span.first, doc)):
                return False
        known = self._commons.get((word, adjective))
        if known is None:
            forms = self._parses(word.lower())
            if adjective:  # and the dictionary knows the adjective
                known = any(f.is_known and f.tag.POS == "ADJF" for f in forms)
            else:
                known = bool(forms) and all(
                    f.is_known and not (self.NAME_TAGS & set(f.tag.grammemes)) for f in forms
                )
            self._commons[(word, adjective)] = known
        return known

    @staticmethod
    def _opens_sentence(at: int, doc) -> bool:
        """Whether token ``at`` is the first word of its sentence."""
        sent = _sentence_of(doc, at)
        if sent is None:
            return False
        for number in range(sent.first, sent.first + sent.size):
            if any(c.isalnum() for c in doc.words[number]):
                return number == at
        return False

    def _syntax_normalize(self, tokens) -> str:
        """natasha's ``syntax_normalize`` (what ``DocSpan.normalize`` does for
        an organisation: the syntactic head and its adjectives inflected)."""
        from natasha.norm import recover_spaces, select_inflectable

        ids = set(select_inflectable(tokens))
        words = [self._normal_word(t, False) if t.id in ids else t.text for t in tokens]
        return recover_spaces(words, tokens)

    def _normalize(self, tokens) -> str:
        """natasha's ``normalize``, with :meth:`_nominative` where its
        ``inflect_word`` leaves an inflected word as found."""
        from natasha.norm import recover_spaces

        return recover_spaces([self._normal_word(t, True) for t in tokens], tokens)

    def _normal_word(self, token, nominative: bool) -> str:
        """The token's dictionary form, in its shape (``Минск``, ``МВД``), as
        natasha's ``inflect_word`` and ``recover_shape`` give it; with
        ``nominative``, :meth:`_nominative` where natasha leaves an inflected
        word as found. Memoized: a name's words come back with the same tags
        (the key is the morphology tag id, None for "X" without features)."""
        key = (token.text, token.tag, nominative)
        word = self._normal_words.get(key)
        if word is None:
            from natasha.norm import inflect_word, normal_word
            from natasha.shape import recover_shape

            text, pos, feats = token.text, token.pos, token.feats
            word = inflect_word(self._parses, _Token(text, pos, feats))
            if nominative and word == normal_word(text) and feats.get("Case") not in (None, "Nom"):
                word = self._nominative(word, feats["Case"])
            word = self._normal_words[key] = recover_shape(word, text)
        return word

    def _nominative(self, word: str, case: str) -> str:  # memoized
        known = self._nominatives.get((word, case))
        if known is None:
            known = self._nominatives[(word, case)] = self._nominative_form(word, case)
        return known

    def _nominative_form(self, word: str, case: str) -> str:
        """natasha keeps a word as found when no dictionary form agrees in
        gender and number with what the tagger saw (``Березину``, ``Орше``,
        ``Дзюбы``, ``Белгидромета``): take a noun in the tagger's case that the
        dictionary knows, or guesses to be a name, instead. Indeclinable names
        (``Шойгу``) and other unknown words (``Мбаппе``) stay as they are."""
        names = {"Geox", "Surn", "Name", "Patr", "Orgn"}
        forms = [
            f for f in self._parses(word)
            if f.pos == "NOUN" and f.feats.get("Case") == case
            and (f.is_known or names & set(f.tag.grammemes))
        ]
        if not forms or any(f.normal == word for f in forms):
            return word
        forms.sort(key=lambda f: not (names & set(f.tag.grammemes)))
        inflected = forms[0].inflect({"Nom"})
        return (inflected.word if inflected else forms[0].normal).replace("ё", "е")


def _analyze(analyzer, word: str) -> list:
    """pymorphy2's parse of a word, not cached by natasha."""
    from pymorphy2.analyzer import MorphAnalyzer

    return MorphAnalyzer.parse(analyzer, word)


@dataclass(frozen=True)
class _Token:
    """What natasha's ``inflect_word`` reads of a token."""

    text: str
    pos: str
    feats: dict
