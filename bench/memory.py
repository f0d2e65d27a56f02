"""Memory of a process tree (Linux ``/proc``), for the benchmarks."""

from __future__ import annotations

import os
import subprocess


def _tree(root: int) -> list[int]:
    """The process ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes, from ``/proc/PID/smaps_rollup``.

    RSS counts every page the process maps, so summing it over a parent and
    its forked workers counts the pages they share (libraries, and the
    parent's heap until a worker writes to it) once per process; PSS divides
    each shared page between the processes that map it, so its sum is the
    memory the build really takes."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                key, _, rest = line.partition(" ")
                if key in values:
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values["Rss:"], values["Pss:"]


def tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over a process and its descendants."""
    rss = pss = 0
    for pid in _tree(root):
        one_rss, one_pss = _memory(pid)
        rss, pss = rss + one_rss, pss + one_pss
    return rss, pss


def peak_tree_memory(process, interval: float) -> tuple[int, int]:
    """Peak (sum of RSS, sum of PSS) in bytes over ``process`` (a
    :class:`subprocess.Popen`) and its descendants, sampled every
    ``interval`` seconds until it ends (and noticed as soon as it ends:
    the sampler waits on the process, it does not sleep past its end)."""
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        try:
            process.wait(interval)
        except subprocess.TimeoutExpired:
            continue
    return peak_rss, peak_pss
