"""The benchmark: our build against plain Pelican on the same stories.

    make bench                                  # N = 5,000, 3 runs
    .venv/bin/python -m bench --n 1000 --runs 3 [--out bench/RESULTS.md]

In one run, in turn, several times: plain Pelican 4.12 on the stories as
Markdown (default theme, the same pagination and feeds: the baseline), then
our build on the dumps, each

* cold: into a fresh output folder, every cache empty;
* warm: the same again, nothing changed (Pelican's content cache on for the
  baseline, as a user would set it; our entity cache for us);
* daily: 50 new dumps (stories) added to the built site, caches warm.

Then one more pass of the same builds measures the peak memory of each
build's whole process tree (workers included). Memory is not sampled while
builds are timed: reading a process's memory map (``smaps_rollup``, for
PSS) costs the kernel about 4 ms per 700 MiB process, ten times a second,
on the cores the build runs on: in two pairs of our cold builds, the sampled
one took 4 and 7 % longer (the baseline's process has a sixth of the memory).

Nothing is deleted until the end: an output folder, a cache or an old work
folder is moved aside (``bench/work/trash``) and the trash deleted last. On
ext4, a new file's inode is searched for past the inodes freed in the last
minute or more, each checked: right after the 11,000 files of the last
output were deleted, our cold build's write step (7,200 files) spent 5 to 6
s, half of it in the kernel, against 2.9 s into an untouched folder.
The build's search step (Pagefind on our article pages, as
``DIGEST_SEARCH`` runs it after a build) is timed on its own line, into no
index and again with nothing changed, when Pagefind is installed. Prints
medians and ratios ours / baseline and writes them, with the machine and
the date, to ``bench/RESULTS.md``. A benchmark, not a test: nothing in
``make test`` depends on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import generate
from bench.memory import peak_tree_memory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))  # newsdigest, for the search step
PELICAN = [sys.executable, "-m", "pelican"]
SITEURL = "https://example.org"
#: The same pagination and feeds on both sides.
COMMON = {
    "SITEURL": SITEURL,
    "FEED_DOMAIN": SITEURL,
    "DEFAULT_PAGINATION": 10,
    "FEED_ALL_ATOM": "feeds/all.atom.xml",
    "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
    "TAG_FEED_ATOM": None,
    "RELATIVE_URLS": False,
}


# --- measuring one command -------------------------------------------------------------


@dataclass
class Figure:
    seconds: float
    rss: float | None = None  # MiB, peak of the summed RSS of the process tree
    pss: float | None = None  # MiB, peak of the summed PSS of the process tree
    #: our builds: seconds per step, from the build report
    steps: dict[str, float] = field(default_factory=dict)


def timed(command: list[str], env: dict | None = None, memory: bool = False) -> Figure:
    """Run ``command``; return its wall time and, with ``memory``, the peak
    memory of its process tree (sampled every 0.1 s, which slows it)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=errors, text=True)
        if memory:
            peak_rss, peak_pss = peak_tree_memory(process, 0.1)
        else:
            process.wait()
        seconds = time.perf_counter() - start
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n"
                             f"{errors.read()[-3000:]}")
    if not memory:
        return Figure(seconds)
    return Figure(seconds, peak_rss / 2**20, peak_pss / 2**20)


def _settings(values: dict) -> list[str]:
    return ["-e", *[f"{key}={json.dumps(value)}" for key, value in values.items()]]


# --- the two builds ----------------------------------------------------------------------


class Trash:
    """Folders moved aside during the benchmark and deleted at its end (see
    the module's documentation: deleting them before a build slows its
    writing)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def discard(self, path: Path) -> None:
        if not path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path.rename(self.folder / f"{time.time_ns()}-{self.count}-{path.name}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Side:
    def __init__(self, name: str, work: Path, trash: Trash):
        self.name, self.work, self.trash = name, work, trash
        self.output = work / f"out-{name}"
        self.cache = work / f"cache-{name}"

    def reset(self) -> None:
        for folder in (self.output, self.cache):
            self.trash.discard(folder)

    def command(self) -> list[str]:
        raise NotImplementedError

    def build(self, memory: bool = False) -> Figure:
        return timed(self.command(), memory=memory)


class Baseline(Side):
    def __init__(self, work: Path, trash: Trash):
        super().__init__("baseline", work, trash)
        self.content = work / "md"

    def command(self) -> list[str]:
        conf = self.work / "baseline_conf.py"
        conf.write_text('PATH = "md"\nTIMEZONE = "Europe/Minsk"\nDEFAULT_LANG = "ru"\n'
                        'SITENAME = "Baseline"\n', "utf-8")
        return [*PELICAN, str(self.content), "-s", str(conf), "-o", str(self.output),
                *_settings({**COMMON, "CACHE_PATH": str(self.cache),
                            "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True})]


class Ours(Side):
    def __init__(self, work: Path, trash: Trash):
        super().__init__("ours", work, trash)
        self.content = work / "dumps"

    def command(self) -> list[str]:
        return [*PELICAN, str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"),
                "-o", str(self.output),
                *_settings({**COMMON, "ARTICLE_PATHS": [str(self.content)],
                            "CACHE_PATH": str(self.cache),
                            "DIGEST_CACHE_PATH": str(self.cache),
                            "DIGEST_REFERENCE_DATE": "2026-11-25",
                            "DIGEST_REPORT": str(self.report),
                            "DIGEST_SEARCH": False})]

    @property
    def report(self) -> Path:
        return self.work / "build-report.json"

    def build(self, memory: bool = False) -> Figure:
        self.report.unlink(missing_ok=True)
        figure = timed(self.command(), memory=memory)
        figure.steps = json.loads(self.report.read_text("utf-8")).get("timings", {})
        return figure


def run_side(side: Side, extra: list[Path], memory: bool = False) -> dict[str, Figure]:
    figures = {}
    side.reset()
    figures["cold"] = side.build(memory)
    figures["warm"] = side.build(memory)
    added = [side.content / path.name for path in extra]
    for source, target in zip(extra, added, strict=True):
        shutil.copy2(source, target)
    try:
        figures["daily"] = side.build(memory)
    finally:
        for path in added:
            path.unlink()
    return figures


#: The build's search step alone (newsdigest.search.index_site) on the
#: article pages of a built output folder (argv: the folder, a file listing
#: the pages), with the project's settings; fails unless the index then
#: holds every page.
SEARCH_STEP = """
import os, sys
sys.path.insert(0, "plugins")
from pelican.settings import read_settings
from newsdigest import search
site, listing = sys.argv[1:3]
pages = set(open(listing, encoding="utf-8").read().split("\\n")) - {""}
settings = read_settings("pelicanconf.py")
search.index_site(site, pages, settings)
bundle = os.path.join(site, search.search_bundle(settings))
if search.indexed_pages(bundle) != len(pages):
    sys.exit(f"the index in {bundle} does not hold the {len(pages)} pages")
"""


def search_times(side: Ours, memory: bool = False) -> tuple[Figure, Figure, int] | None:
    """The build's search step on our output's article pages (those of the
    last build's report), as a build runs it, each in a fresh Python process
    (its start-up included): into no index (every page indexed), then again
    with nothing changed (the index kept: checked). None when Pagefind is
    not installed."""
    from pelican.settings import read_settings

    from newsdigest.search import find_pagefind, search_bundle
    from newsdigest.settings import setting

    settings = read_settings(str(ROOT / "pelicanconf.py"))  # as SEARCH_STEP reads them
    if find_pagefind(setting(settings, "DIGEST_PAGEFIND")) is None:
        return None
    report = json.loads(side.report.read_text("utf-8"))
    pages = [side.output / item["url"].removeprefix(SITEURL).lstrip("/")
             for item in report["files"] if item["status"] == "article" and item.get("url")]
    missing = [page for page in pages if not page.is_file()]
    if missing:  # the report's URLs are the pages' paths while URL and SAVE_AS agree
        raise SystemExit(f"search step: no page file {missing[0]}")
    listing = side.work / "search-pages.txt"  # left in bench/work
    listing.write_text("\n".join(str(page) for page in pages), "utf-8")
    bundle = side.output / search_bundle(settings)
    side.trash.discard(bundle)
    command = [sys.executable, "-c", SEARCH_STEP, str(side.output), str(listing)]
    fresh = timed(command, memory=memory)
    written = (bundle / "pagefind-entry.json").stat().st_mtime_ns
    kept = timed(command, memory=memory)
    if (bundle / "pagefind-entry.json").stat().st_mtime_ns != written:
        raise SystemExit("the search step indexed again an unchanged site")
    return fresh, kept, len(pages)


# --- the report ------------------------------------------------------------------------

#: Issue 7's targets: ours / the baseline's cold build, and peak memory (MiB).
TARGETS = {"cold": 1.5, "daily": 0.6}
MEMORY_TARGET = 600


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="dumps (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    work = ROOT / "bench" / "work" / f"n{args.n}"
    trash = Trash(ROOT / "bench" / "work" / "trash")
    trash.discard(work)
    try:
        measure(args, work, trash)
    finally:
        trash.empty()  # last: see the module's documentation


def measure(args, work: Path, trash: Trash) -> None:
    """The runs, then the memory pass; the results to ``args.out``."""
    extra_dumps, extra_md = generate.write(args.n, work / "dumps", work / "md", extra=50)
    sides = [Baseline(work, trash), Ours(work, trash)]
    results: dict[str, dict[str, list[Figure]]] = {s.name: {} for s in sides}
    memory: dict[str, dict[str, Figure]] = {}  # side -> build -> the memory pass's figure
    searches, search_memory = [], None
    for run in range(args.runs + 1):
        sampled = run == args.runs  # the last pass: memory
        label = "memory" if sampled else f"run {run + 1}"
        for side in sides:
            extra = extra_md if side.name == "baseline" else extra_dumps
            for kind, figure in run_side(side, extra, memory=sampled).items():
                if sampled:
                    memory.setdefault(side.name, {})[kind] = figure
                    print(f"{label} {side.name:8} {kind:5} {figure.seconds:7.2f} s (sampled) "
                          f"RSS {figure.rss:6.0f} MiB PSS {figure.pss:6.0f} MiB", flush=True)
                else:
                    results[side.name].setdefault(kind, []).append(figure)
                    print(f"{label} {side.name:8} {kind:5} {figure.seconds:7.2f} s", flush=True)
        figures = search_times(sides[1], memory=sampled)
        if figures is not None:
            if sampled:
                search_memory = figures[0]
            else:
                searches.append(figures)
            print(f"{label} search   {figures[0].seconds:7.2f} s, unchanged "
                  f"{figures[1].seconds:.2f} s", flush=True)
    markdown_count = len(list((work / "md").glob("*.md")))
    write_results(args, results, memory, searches, search_memory, markdown_count)


def _verdict(value: float, target: float) -> str:
    return f"≤ {target:g}: {'met' if value <= target else 'not met'}"


def write_results(args, results, memory, searches, search_memory, markdown_count) -> None:
    base, ours = results["baseline"], results["ours"]
    cold_base = median([f.seconds for f in base["cold"]])
    lines = [
        "# Benchmark: our build against plain Pelican",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `make bench` "
        f"(`python -m bench --n {args.n} --runs {args.runs}`) on {platform.node() or 'a host'}: "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        "",
        f"{args.n} synthetic dumps (about 80 % articles, 10 % repeated captures, 10 % "
        f"headline-only) against the same {markdown_count} stories as Markdown for plain "
        f"Pelican 4.12 (default theme, pagination 10, Atom feeds, 5 tags each). "
        f"Medians of {args.runs} runs; every build into a fresh output folder when cold; "
        f"no memory sampling while timed.",
        "",
        "| build | baseline s | ours s | ours / baseline | ours / baseline cold | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind in ("cold", "warm", "daily"):
        b = median([f.seconds for f in base[kind]])
        o = median([f.seconds for f in ours[kind]])
        target = _verdict(o / cold_base, TARGETS[kind]) if kind in TARGETS else ""
        lines.append(f"| {kind} | {b:.2f} | {o:.2f} | {o / b:.2f} | {o / cold_base:.2f} "
                     f"| {target} |")
    lines += ["", "Peak memory of the build's whole process tree (workers included), "
              "MiB, the largest over the builds of a side in a pass of its own (memory "
              "sampled every 0.1 s):", "",
              "| measure | baseline | ours | target |", "| --- | --- | --- | --- |"]
    for measure, label in (("pss", "PSS (shared pages divided between processes)"),
                           ("rss", "RSS summed over processes (shared pages counted "
                                   "once per process)")):
        peak_b = max(getattr(f, measure) for f in memory["baseline"].values())
        peak_o = max(getattr(f, measure) for f in memory["ours"].values())
        lines.append(f"| {label} | {peak_b:.0f} | {peak_o:.0f} "
                     f"| {_verdict(peak_o, MEMORY_TARGET)} |")
    steps = list(dict.fromkeys(k for f in ours["cold"] for k in f.steps))
    if steps:
        lines += ["", "Where our build's time went (seconds, medians; from the build "
                  "report's `timings`; start-up and Pelican's own steps are the rest):", "",
                  "| build | " + " | ".join(steps) + " |",
                  "| --- |" + " --- |" * len(steps)]
        for kind in ("cold", "warm", "daily"):
            cells = [median([f.steps.get(step, 0.0) for f in ours[kind]]) for step in steps]
            lines.append(f"| {kind} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    lines.append("")
    if searches:
        fresh, kept, counts = zip(*searches, strict=True)
        lines.append(
            f"Search indexing, timed on its own (the build's search step, "
            f"`newsdigest.search.index_site`, on our {max(counts)} article pages, in a "
            f"Python process of its own, start-up included; not in the figures above, which "
            f"are builds with `DIGEST_SEARCH` off), medians: "
            f"{median([f.seconds for f in fresh]):.2f} s into no index (peak PSS "
            f"{search_memory.pss:.0f} MiB in the memory pass, Pagefind's process included), "
            f"{median([f.seconds for f in kept]):.2f} s when nothing changed (the index is kept).")
    else:
        lines.append("Search indexing: not measured (Pagefind is not set up).")
    lines += ["", "Every timed run:", "", "| side | build | s |", "| --- | --- | --- |"]
    for side, figures in results.items():
        for kind, values in figures.items():
            for f in values:
                lines.append(f"| {side} | {kind} | {f.seconds:.2f} |")
    lines += ["", "The memory pass (its times are with the sampler running):", "",
              "| side | build | s | PSS MiB | RSS MiB |", "| --- | --- | --- | --- | --- |"]
    for side, figures in memory.items():
        for kind, f in figures.items():
            lines.append(f"| {side} | {kind} | {f.seconds:.2f} | {f.pss:.0f} | {f.rss:.0f} |")
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
