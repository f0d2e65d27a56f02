"""Reader time per dump: median over many runs on one dump (the seed by default).

    .venv/bin/python bench/reader_time.py [DUMP] [--runs N]

Prints the median time of our reader code (decode, parse, infer, render),
with and without typography, and of Pelican's whole ``read_file`` (which adds
typogrify) for the same dump. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from pelican.contents import Article  # noqa: E402
from pelican.readers import Readers  # noqa: E402
from pelican.settings import read_settings  # noqa: E402

import newsdigest  # noqa: E402
from newsdigest import dump, metadata, render, settings  # noqa: E402


def median_ms(function, runs: int) -> float:
    function()  # warm up caches (compiled patterns, Babel data)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dump", nargs="?", default=str(ROOT / "seeds/000_80243a7568773db2.txt"))
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    path = Path(args.dump)
    data = path.read_bytes()

    def ours(options):
        def run():
            text, _ = dump.decode(data)
            inferred = metadata.infer(dump.parse(text), options, fallback_date=None)
            render.render_blocks(inferred.blocks)
        return run

    with_typography = settings.from_pelican({})
    without = settings.from_pelican({"DIGEST_TYPOGRAPHY": False})
    newsdigest.register()
    readers = Readers(read_settings(str(ROOT / "pelicanconf.py")))

    def pelican_read():
        readers.read_file(
            base_path=str(path.parent), path=path.name, content_class=Article, context={}
        )

    print(f"{path.name}, median of {args.runs} runs:")
    print(f"  reader, typography on   {median_ms(ours(with_typography), args.runs):7.3f} ms")
    print(f"  reader, typography off  {median_ms(ours(without), args.runs):7.3f} ms")
    print(f"  pelican read_file       {median_ms(pelican_read, args.runs // 4):7.3f} ms"
          "  (reader + typogrify + Pelican's metadata)")


if __name__ == "__main__":
    main()
