"""Reader time per dump: median over many runs on one dump (the seed by default),
or the median over the dumps of a folder.

    .venv/bin/python bench/reader_time.py [DUMP] [--runs N]
    .venv/bin/python bench/reader_time.py --corpus DIR [--repeat K]

One dump: prints the median time of our reader code (decode, parse, infer,
render), with and without typography, of the whole ``DumpReader.read`` (file,
warnings, Pelican's metadata types; reader cache off), and of Pelican's whole
``read_file`` (which adds typogrify) for the same dump.

``--corpus DIR``: every ``*.txt`` in ``DIR``, in name order; prints the
median over the dumps, the mean and the total of: our reader code with and
without typography (each dump's fastest of ``K`` runs), and once per dump in
name order with the headlines' typography remembered across dumps (as the
reader does during a build), ``DumpReader.read``
and Pelican's ``read_file`` (one run each, one reader for all dumps, as in a
build), Pelican's typogrify on the reader's HTML, title and summary (fastest
of ``K``), and ``DumpReader.read`` with the reader cache (in a temporary
folder) cold then warm, without and with ``DIGEST_TYPOGRIFY``. A
measurement, not a test.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from pelican.contents import Article  # noqa: E402
from pelican.readers import Readers  # noqa: E402
from pelican.settings import read_settings  # noqa: E402

import newsdigest  # noqa: E402
from newsdigest import dump, metadata, render, settings  # noqa: E402
from newsdigest.reader import DumpReader  # noqa: E402

#: Settings of the runs: a fixed reference date, no reader cache.
OVERRIDES = {"DIGEST_REFERENCE_DATE": "2026-11-25", "DIGEST_READER_CACHE": False}


def median_ms(function, runs: int) -> float:
    function()  # warm up caches (compiled patterns, Babel data)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def core(data: bytes, options, typesetter=metadata.typeset):
    """decode, parse, infer, render: the reader's own work on the bytes
    (``typesetter``: infer's own by default; a reader's remembers headlines)."""
    text, _ = dump.decode(data)
    inferred = metadata.infer(dump.parse(text), options, fallback_date=None,
                              typesetter=typesetter)
    render.render_blocks(inferred.blocks)


def typogrify_filter(pelican_settings):
    """Pelican's typogrify step as ``read_file`` runs it (None when off)."""
    if not pelican_settings.get("TYPOGRIFY"):
        return None
    from typogrify.filters import typogrify

    omit = dict.fromkeys(pelican_settings.get("TYPOGRIFY_OMIT_FILTERS", []), False)
    ignore = pelican_settings.get("TYPOGRIFY_IGNORE_TAGS", [])
    return lambda html: typogrify(html, ignore, **omit)


def one_dump(path: Path, runs: int, pelican_settings) -> None:
    data = path.read_bytes()
    with_typography = settings.from_pelican(OVERRIDES)
    without = settings.from_pelican({**OVERRIDES, "DIGEST_TYPOGRAPHY": False})
    readers = Readers(pelican_settings)
    reader = DumpReader(pelican_settings)

    def pelican_read():
        readers.read_file(
            base_path=str(path.parent), path=path.name, content_class=Article, context={}
        )

    print(f"{path.name}, median of {runs} runs:")
    on = median_ms(lambda: core(data, with_typography), runs)
    off = median_ms(lambda: core(data, without), runs)
    print(f"  reader, typography on   {on:7.3f} ms")
    print(f"  reader, typography off  {off:7.3f} ms")
    print(f"  DumpReader.read         {median_ms(lambda: reader.read(str(path)), runs):7.3f} ms"
          "  (file, warnings, Pelican's metadata types; cache off)")
    print(f"  pelican read_file       {median_ms(pelican_read, runs // 4):7.3f} ms"
          "  (reader + typogrify + Pelican's metadata)")


def time_dump(path: Path, reader, readers, typogrify, options, best,
              remembering) -> dict[str, float]:
    """One dump's time for each step (ms)."""
    data = path.read_bytes()
    with_typography, without = options
    times = {
        "reader, typography on": best(lambda: core(data, with_typography)),
        "reader, typography off": best(lambda: core(data, without)),
    }
    # As a build runs it: once, in file order, the headlines' typography
    # remembered from earlier dumps (``remembering``: a reader's typesetter).
    start = time.perf_counter()
    core(data, with_typography, remembering)
    times["reader, typography on, as in a build"] = (time.perf_counter() - start) * 1000
    # Once, in file order, as in a build (the reader remembers typeset
    # headlines: a second read of the same dump would find them all).
    start = time.perf_counter()
    content, meta = reader.read(str(path))
    times["DumpReader.read"] = (time.perf_counter() - start) * 1000
    if typogrify:
        texts = [text for text in (content, meta["title"], meta.get("summary")) if text]
        times["typogrify (html, title, summary)"] = best(lambda: [typogrify(t) for t in texts])
    start = time.perf_counter()
    readers.read_file(base_path=str(path.parent), path=path.name, content_class=Article, context={})
    times["pelican read_file"] = (time.perf_counter() - start) * 1000
    return times


def once_each(paths: list[Path], reader) -> list[float]:
    """``reader.read`` of every dump once, in order (ms each)."""
    times = []
    for path in paths:
        start = time.perf_counter()
        reader.read(str(path))
        times.append((time.perf_counter() - start) * 1000)
    reader.flush_cache()  # write what is pending
    return times


def corpus(folder: Path, repeat: int, pelican_settings) -> None:
    paths = sorted(folder.glob("*.txt"))
    with_typography = settings.from_pelican(OVERRIDES)
    without = settings.from_pelican({**OVERRIDES, "DIGEST_TYPOGRAPHY": False})
    reader = DumpReader(pelican_settings)
    readers = Readers(pelican_settings)
    typogrify = typogrify_filter(pelican_settings)
    options = (with_typography, without)
    remembering = DumpReader(pelican_settings).typeset  # a reader of its own
    steps = ["reader, typography on", "reader, typography off",
             "reader, typography on, as in a build", "DumpReader.read",
             "typogrify (html, title, summary)", "pelican read_file"]
    times: dict[str, list[float]] = {step: [] for step in steps}

    def best(function) -> float:
        fastest = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            function()
            fastest = min(fastest, time.perf_counter() - start)
        return fastest * 1000

    logging.disable(logging.WARNING)  # the dumps' warnings are not the point here
    for path in paths:
        for step, seconds in time_dump(path, reader, readers, typogrify, options, best,
                                       remembering).items():
            times[step].append(seconds)
    # Pelican's own typogrify step (not cached), then the reader's (cached);
    # each with a cache of its own, so that "cold" is cold.
    for label, conf in (("", {"DIGEST_TYPOGRIFY": False, "TYPOGRIFY": True}),
                        (", DIGEST_TYPOGRIFY", {"DIGEST_TYPOGRIFY": True, "TYPOGRIFY": False})):
        with tempfile.TemporaryDirectory() as cache_folder:
            cached = {**pelican_settings, **conf, "DIGEST_READER_CACHE": True,
                      "DIGEST_CACHE_PATH": cache_folder}
            for state in ("cold", "warm"):
                step = f"DumpReader.read, cache {state}{label}"
                steps.append(step)
                times[step] = once_each(paths, DumpReader(cached))
    logging.disable(logging.NOTSET)
    print(f"{folder}: {len(paths)} dumps, fastest of {repeat} per dump")
    print(f"  {'step':48} {'median ms':>10} {'mean ms':>8} {'total s':>8}")
    for step in steps:
        values = times[step]
        if values:
            print(f"  {step:48} {statistics.median(values):10.3f} "
                  f"{statistics.fmean(values):8.3f} {sum(values) / 1000:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dump", nargs="?", default=str(ROOT / "seeds/000_80243a7568773db2.txt"))
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, help="time every *.txt dump in this folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per dump with --corpus")
    args = parser.parse_args()
    newsdigest.register()
    pelican_settings = read_settings(str(ROOT / "pelicanconf.py"), override=OVERRIDES)
    if args.corpus:
        corpus(args.corpus, args.repeat, pelican_settings)
    else:
        one_dump(Path(args.dump), args.runs, pelican_settings)


if __name__ == "__main__":
    main()
