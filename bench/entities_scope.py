"""What reading less of each article would save and cost: the figures for a
product decision, not a feature.

    .venv/bin/python bench/entities_scope.py [--corpus DIR] [--count 600] [--blocks 1 2 3]

The entities step reads every article's title and whole body (issue 4) and
every headline; on a cold build at 5,000 dumps that is most of the build's
time. For the first ``--count`` dumps of ``--corpus`` (default: the
benchmark's 5,000, ``bench/work/n5000/dumps``, made by ``make bench``), this
runs the step cold (an empty cache, the configured worker processes) once
on whole texts, then once per ``--blocks`` K with only the title and the
first K body blocks of each article (headlines are read whole every time),
and prints, for each: the step's wall and CPU time, the characters of the
articles' texts, and how far each article's entity tags stay those of the whole
text (the same tags, in any order; the share of them kept; Jaccard).

Nothing of the plugin changes: the script narrows the step's text by
wrapping :func:`newsdigest.entities.html_blocks` in this process only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from bench.entities_time import BENCH_DUMPS, cold_step  # noqa: E402


def tag_cold(paths: list[Path], blocks: int | None) -> tuple[dict[str, list[str]], dict]:
    """Each article's entity tags (file -> names) from a cold entities step
    reading the title and the first ``blocks`` body blocks (None: all)."""
    from newsdigest import entities

    whole = entities.html_blocks
    if blocks is not None:
        entities.html_blocks = lambda html: whole(html)[:blocks]
    try:
        generator, wall, cpu = cold_step(paths)
        chars = sum(len(t.text) for t in entities.article_texts(generator.articles).values())
    finally:
        entities.html_blocks = whole
    tags = {a.digest_file: [e.name for e in a.entities] for a in generator.articles}
    return tags, {"seconds": wall, "cpu": cpu, "chars": chars}


def agreement(full: dict[str, list[str]], narrow: dict[str, list[str]]) -> dict:
    same, kept, jaccard = 0, [], []
    for key, names in full.items():
        a, b = set(names), set(narrow.get(key, []))
        same += a == b
        if a:
            kept.append(len(a & b) / len(a))
        if a | b:
            jaccard.append(len(a & b) / len(a | b))
    return {"same": same / len(full), "kept": statistics.fmean(kept),
            "jaccard": statistics.fmean(jaccard)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_DUMPS)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--blocks", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    import logging

    import newsdigest

    newsdigest.register()
    logging.disable(logging.WARNING)
    paths = sorted(args.corpus.glob("*.txt"))[: args.count]
    if not paths:
        raise SystemExit(f"no dumps in {args.corpus} (make bench generates them)")
    from newsdigest.entity_model import NatashaExtractor

    NatashaExtractor()  # the model's libraries and files loaded once before any run is timed
    full, base = tag_cold(paths, None)
    print(f"{len(paths)} dumps from {args.corpus}, {len(full)} articles, entities step cold:")
    print(f"  {'article text read':28} {'wall s':>7} {'CPU s':>7} {'chars':>10} "
          f"{'same tags':>10} {'tags kept':>10} {'Jaccard':>8}")
    print(f"  {'title + whole body':28} {base['seconds']:7.2f} {base['cpu']:7.2f} "
          f"{base['chars']:10d} {1:10.1%} {1:10.1%} {1:8.3f}")
    for blocks in args.blocks:
        tags, figures = tag_cold(paths, blocks)
        agree = agreement(full, tags)
        print(f"  {f'title + first {blocks} block(s)':28} {figures['seconds']:7.2f} "
              f"{figures['cpu']:7.2f} {figures['chars']:10d} {agree['same']:10.1%} "
              f"{agree['kept']:10.1%} {agree['jaccard']:8.3f}")


if __name__ == "__main__":
    main()
