"""The benchmark: our build against plain Pelican on the same stories.

    make bench                                  # N = 5,000, 3 runs
    .venv/bin/python -m bench --n 1000 --runs 3 [--out bench/RESULTS.md]

In one run, in turn, several times: plain Pelican 4.12 on the stories as
Markdown (default theme, the same pagination and feeds: the baseline), then
our build on the dumps, each

* cold: into a fresh output folder, every cache empty;
* warm: the same again, nothing changed (Pelican's content cache on for the
  baseline, as a user would set it; our entity cache for us);
* daily: 50 new dumps (stories) added to the built site, caches warm;

with the peak memory of the build's whole process tree (workers included).
Search indexing (Pagefind over our output) is timed on its own line when
the search module is there. Prints medians and ratios ours / baseline and
writes them, with the machine and the date, to ``bench/RESULTS.md``. A
benchmark, not a test: nothing in ``make test`` depends on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import generate

ROOT = Path(__file__).resolve().parents[1]
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


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run ``command``; return (seconds, peak MiB of its process tree)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(process.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{errors[-3000:]}")
    return seconds, peak / 2**20


def _settings(values: dict) -> list[str]:
    return ["-e", *[f"{key}={json.dumps(value)}" for key, value in values.items()]]


# --- the two builds ----------------------------------------------------------------------


class Side:
    def __init__(self, name: str, work: Path):
        self.name, self.work = name, work
        self.output = work / f"out-{name}"
        self.cache = work / f"cache-{name}"

    def reset(self) -> None:
        for folder in (self.output, self.cache):
            shutil.rmtree(folder, ignore_errors=True)


class Baseline(Side):
    def __init__(self, work: Path):
        super().__init__("baseline", work)
        self.content = work / "md"

    def command(self) -> list[str]:
        conf = self.work / "baseline_conf.py"
        conf.write_text('PATH = "md"\nTIMEZONE = "Europe/Minsk"\nDEFAULT_LANG = "ru"\n'
                        'SITENAME = "Baseline"\n', "utf-8")
        return [*PELICAN, str(self.content), "-s", str(conf), "-o", str(self.output),
                *_settings({**COMMON, "CACHE_PATH": str(self.cache),
                            "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True})]


class Ours(Side):
    def __init__(self, work: Path):
        super().__init__("ours", work)
        self.content = work / "dumps"

    def command(self) -> list[str]:
        return [*PELICAN, str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"),
                "-o", str(self.output),
                *_settings({**COMMON, "ARTICLE_PATHS": [str(self.content)],
                            "CACHE_PATH": str(self.cache),
                            "DIGEST_CACHE_PATH": str(self.cache),
                            "DIGEST_REFERENCE_DATE": "2026-11-25",
                            "DIGEST_REPORT": str(self.work / "build-report.json"),
                            "DIGEST_SEARCH": False})]


def run_side(side: Side, extra: list[Path]) -> dict[str, tuple[float, float]]:
    figures = {}
    side.reset()
    figures["cold"] = timed(side.command())
    figures["warm"] = timed(side.command())
    added = [side.content / path.name for path in extra]
    for source, target in zip(extra, added, strict=True):
        shutil.copy2(source, target)
    try:
        figures["daily"] = timed(side.command())
    finally:
        for path in added:
            path.unlink()
    return figures


def search_time(side: Ours) -> float | None:
    """Pagefind over our output, alone; None when Pagefind is not installed."""
    if importlib.util.find_spec("pagefind") is None:
        return None
    seconds, _ = timed([sys.executable, "-m", "pagefind", "--site", str(side.output)])
    return seconds


# --- the report ------------------------------------------------------------------------


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="dumps (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    work = ROOT / "bench" / "work" / f"n{args.n}"
    shutil.rmtree(work, ignore_errors=True)
    extra_dumps, extra_md = generate.write(args.n, work / "dumps", work / "md", extra=50)
    sides = [Baseline(work), Ours(work)]
    results: dict[str, dict[str, list[tuple[float, float]]]] = {s.name: {} for s in sides}
    searches = []
    for run in range(args.runs):
        for side in sides:
            extra = extra_md if side.name == "baseline" else extra_dumps
            for kind, figure in run_side(side, extra).items():
                results[side.name].setdefault(kind, []).append(figure)
                print(f"run {run + 1} {side.name:8} {kind:5} {figure[0]:7.2f} s "
                      f"{figure[1]:6.0f} MiB", flush=True)
        seconds = search_time(sides[1])
        if seconds is not None:
            searches.append(seconds)
    markdown_count = len(list((work / "md").glob("*.md")))
    write_results(args, results, searches, markdown_count)


def write_results(args, results, searches, markdown_count) -> None:
    base, ours = results["baseline"], results["ours"]
    cold_base = median([s for s, _ in base["cold"]])
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
        f"Medians of {args.runs} runs; every build into a fresh output folder when cold.",
        "",
        "| build | baseline s | ours s | ours / baseline | ours / baseline cold |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in ("cold", "warm", "daily"):
        b = median([s for s, _ in base[kind]])
        o = median([s for s, _ in ours[kind]])
        lines.append(f"| {kind} | {b:.2f} | {o:.2f} | {o / b:.2f} | {o / cold_base:.2f} |")
    peak_b = max(m for figures in base.values() for _, m in figures)
    peak_o = max(m for figures in ours.values() for _, m in figures)
    lines += [
        f"| peak memory (MiB, whole process tree) | {peak_b:.0f} | {peak_o:.0f} "
        f"| {peak_o / peak_b:.2f} | |",
        "",
    ]
    if searches:
        lines.append(f"Search indexing (Pagefind over our output), median: "
                     f"{median(searches):.2f} s.")
    else:
        lines.append("Search indexing: not measured (Pagefind is not set up).")
    lines += ["", "Every run:", "", "| side | build | s | MiB |", "| --- | --- | --- | --- |"]
    for side, figures in results.items():
        for kind, values in figures.items():
            for seconds, mib in values:
                lines.append(f"| {side} | {kind} | {seconds:.2f} | {mib:.0f} |")
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
