"""Which folders under the dumps folder must not be walked. No Pelican import.

Pelican walks ``ARTICLE_PATHS`` following symbolic links, with no guard
against loops: a link ``seeds/loop -> ..`` would make it read every dump
hundreds of times over (``seeds/loop/loop/loop/…``). A link to a folder that
is already inside the walked tree would make it read those dumps twice.
"""

from __future__ import annotations

import os


def redundant_links(root: str) -> list[tuple[str, str]]:
    """Links to folders under ``root`` that point back into it or above it.

    Returns ``(path relative to root, what it points to)`` pairs, sorted.
    Links to folders elsewhere are left alone: they bring new dumps.
    """
    real_root = os.path.realpath(root)
    found = []
    for dirpath, dirnames, _files in os.walk(root, followlinks=False):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                continue
            target = os.path.realpath(path)
            inside = target == real_root or target.startswith(real_root + os.sep)
            above = real_root.startswith(target + os.sep)
            if inside or above:
                found.append((os.path.relpath(path, root), os.readlink(path)))
    return sorted(found)
