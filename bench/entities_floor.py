"""The least time the entity models' arithmetic, as the extractor computes
it, can take: how much of the cold entities step is arithmetic and how much
is everything else (Python, copies, waiting).

    .venv/bin/python bench/entities_floor.py [--corpus DIR] [--count N]

Runs the entities step cold (an empty cache) in this process alone on the
first ``--count`` dumps of ``--corpus`` (default: all of the benchmark's
5,000, ``bench/work/n5000/dumps``, made by ``make bench``), counting the
operations of the three models' convolutions as
:func:`newsdigest.entity_model.encode` computes them (the first layer: each
distinct word of a batch projected, then three additions per position; the
others: per row computed, filters × channels × width, twice: a multiply and
an add). It also
measures this machine's float32 matrix product on one thread at the largest
layer's shape (the models run one BLAS thread per process), and prints, per
model, the tokens and billions of operations; the floor (every product at
that speed, nothing else) in CPU seconds and in wall seconds on every core;
and what the step took. The models' heads are left out (a few per cent): the
floor is a lower bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from bench.entities_time import BENCH_DUMPS, cold_step  # noqa: E402


def matmul_gflops(rows: int = 4096, channels: int = 990, filters: int = 256) -> float:
    """Best of five float32 products (rows × channels) · (channels × filters)
    on one BLAS thread, in billions of operations per second."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((rows, channels), dtype=np.float32)
    b = rng.standard_normal((filters, channels), dtype=np.float32)
    best = float("inf")
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(10):
                np.matmul(a, b.T)
            best = min(best, (time.perf_counter() - began) / 10)
    return 2 * rows * channels * filters / best / 1e9


def count_step(paths: list[Path]) -> tuple[Counter, float, float]:
    """Operations and tokens per model (``"NER ops"``, ``"NER tokens"``…), and
    the step's wall and CPU seconds, from one cold entities step."""
    import numpy as np

    from newsdigest import entity_model

    counts: Counter = Counter()
    encode = entity_model.encode

    def counting(model, data, keep=None, **options):
        name = type(model).__name__  # NER, Morph, Syntax
        real = ~data.pad_mask
        layers = model.encoder.layers
        # the rows each layer computes, as encode narrows them (None: all, padding too)
        rows = [data.pad_mask.size if r is None else len(r)
                for r in entity_model.needed_rows(layers, data.pad_mask, keep)]
        # the first layer: each distinct word and shape projected once, then
        # three additions per output; the others: a window product per row
        filters, channels, width = layers[0].conv.weight.shape
        distinct = len(entity_model.word_pairs(model.emb, data)[0])
        counts[f"{name} ops"] += 2 * distinct * channels * width * filters
        counts[f"{name} ops"] += rows[0] * width * filters
        counts[f"{name} ops"] += sum(
            2 * n * int(np.prod(layer.conv.weight.shape))
            for n, layer in zip(rows[1:], layers[1:], strict=True)
        )
        counts[f"{name} tokens"] += int((real if keep is None else keep & real).sum())
        return encode(model, data, keep, **options)

    entity_model.encode = counting
    try:
        _, wall, cpu = cold_step(paths, DIGEST_ENTITY_WORKERS=1)
    finally:
        entity_model.encode = encode
    return counts, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=BENCH_DUMPS)
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.txt"))[: args.count]
    if not paths:
        sys.exit(f"entities_floor: no dumps in {args.corpus} (run make bench first)")
    speed = matmul_gflops()
    counts, wall, cpu = count_step(paths)
    cores = os.cpu_count() or 1
    total = sum(v for k, v in counts.items() if k.endswith(" ops"))
    print(f"{len(paths)} dumps; float32 matmul on one thread: {speed:.0f} GFLOP/s")
    for name in ("NER", "Morph", "Syntax"):
        print(f"  {name:<6} {counts[f'{name} tokens']:>9,} tokens "
              f"{counts[f'{name} ops'] / 1e9:>8.0f} GFLOP")
    floor = total / 1e9 / speed
    print(f"floor: {floor:.1f} CPU-s, {floor / cores:.1f} s of wall on {cores} cores "
          f"(convolutions only, at full speed)")
    print(f"the step, one process: {wall:.1f} s wall, {cpu:.1f} CPU-s "
          f"({floor / cpu:.0%} of it the floor)")


if __name__ == "__main__":
    main()
