"""Live preview: ``pelican --autoreload`` also rebuilds on dumps and plugin code.

Pelican 4.12's autoreload loop waits in ``pelican.wait_for_changes``, which
watches only the settings file, the theme, ``PATH`` and ``STATIC_PATHS``.
The dumps live outside ``PATH`` (``ARTICLE_PATHS = ["../seeds"]``) and the
plugin in ``plugins/``, so by default neither counts. On the ``initialized``
signal this module puts a wider watcher in its place (the same
``watchfiles`` call and filter, more paths):

- the settings file, the theme, ``PATH`` and ``STATIC_PATHS`` (as before);
- every ``ARTICLE_PATHS`` and ``PAGE_PATHS`` folder;
- every ``PLUGIN_PATHS`` folder;
- ``DIGEST_WATCH_PATHS`` (more folders or files).

Plugin code: the autoreload loop rebuilds in the same process, where the
plugin's modules are already imported. When a ``.py`` file under a
``PLUGIN_PATHS`` folder changes, the watcher first checks that it compiles
(if not: one error line, no rebuild, keep waiting), then disconnects the
plugin's signal receivers, forgets its modules and reports the settings file
as changed: Pelican then makes a new instance, which imports the new code
(the same path Pelican takes when ``pelicanconf.py`` changes). Packages
installed in the virtual environment (``pelican-sitemap``, Pelican itself)
are not reloaded: restart the server after upgrading them.

``DIGEST_WATCH = False`` leaves Pelican's own watcher alone.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import weakref
from dataclasses import dataclass, field

from .settings import setting

logger = logging.getLogger(__name__)

#: marks our watcher, so that a reloaded plugin replaces it instead of wrapping it
MARK = "_newsdigest_watcher"


@dataclass
class WatchState:
    """What one watcher remembers between builds (nothing global: a reload
    of the plugin makes a new one)."""

    #: when the current build started: files changed after it were not seen
    #: by the file watcher (it only runs between builds)
    since: float = field(default_factory=time.time)
    #: the paths last announced, to announce them once
    shown: list[str] = field(default_factory=list)


def install(pelican_instance) -> None:
    """``initialized`` receiver: put :func:`wait_for_changes` in Pelican's loop."""
    import pelican

    current = getattr(pelican, "wait_for_changes", None)
    if current is None:  # not the Pelican this was written for: leave it
        logger.debug("preview: pelican.wait_for_changes not found; not extended")
        return
    original = current
    if getattr(current, MARK, False):  # ours, from before a reload: wrap Pelican's own
        original = getattr(current, "__wrapped__", current)
    state = WatchState()

    def watcher(settings_file, settings):
        return wait_for_changes(settings_file, settings, original, state)

    watcher.__wrapped__ = original
    setattr(watcher, MARK, True)
    pelican.wait_for_changes = watcher


def watched_paths(settings_file: str, settings: dict) -> list[str]:
    """Every existing path to watch, absolute, without duplicates."""
    content = settings.get("PATH", "") or ""
    # (path, say so when it is missing)
    candidates = [(settings_file, True), (settings.get("THEME", ""), True), (content, True)]
    for key in ("STATIC_PATHS", "ARTICLE_PATHS", "PAGE_PATHS"):
        # a missing page folder is usual (no pages): not worth a warning
        loud = key != "PAGE_PATHS"
        candidates += [(os.path.join(content, p), loud) for p in settings.get(key, []) or []]
    candidates += [(p, True) for p in settings.get("PLUGIN_PATHS", []) or []]
    extra = setting(settings, "DIGEST_WATCH_PATHS") or []
    candidates += [(p, True) for p in extra]
    paths: list[str] = []
    for path, loud in candidates:
        if not path:
            continue
        path = os.path.abspath(path)
        if not os.path.exists(path):
            if loud:
                logger.warning("preview: cannot watch %s: it does not exist", path)
        elif path not in paths:
            paths.append(path)
    # a folder inside another watched folder adds nothing
    return [p for p in paths if not _under(p, [o for o in paths if o != p])]


def wait_for_changes(settings_file, settings, original=None, state: WatchState | None = None):
    """Block until something the site is built from changes; return the
    changes as ``{(Change, absolute path)}``, like Pelican's own watcher.

    Files saved while the last build ran count too (Pelican's own loop
    misses them: its watcher starts after the build)."""
    if not setting(settings, "DIGEST_WATCH") and original is not None:
        return original(settings_file, settings)
    import watchfiles
    from pelican.log import console
    from pelican.utils import FileChangeFilter

    state = state or WatchState()
    paths = watched_paths(settings_file, settings)
    if state.shown != paths:
        console.print(f"  --- preview: watching {', '.join(_short(p) for p in paths)} ---",
                      markup=False, highlight=False)
        state.shown = paths
    plugin_dirs = [os.path.abspath(p) for p in settings.get("PLUGIN_PATHS", []) or []]
    accept = FileChangeFilter(ignore_file_patterns=set(settings.get("IGNORE_FILES", [])))

    def batches():
        # Arm the watcher first (its first answer comes within half a second),
        # then look for files saved since the build started: nothing saved in
        # between is missed. Empty answers are the watcher's timeouts.
        watcher = watchfiles.watch(
            *paths, watch_filter=accept, rust_timeout=500, yield_on_timeout=True
        )
        try:
            first = next(watcher)
            during = first | changed_since(paths, state.since, accept)
            if during:
                yield during
            for changes in watcher:
                if changes:
                    yield changes
        finally:
            watcher.close()

    for changes in batches():
        code = sorted({p for _c, p in changes if p.endswith(".py") and _under(p, plugin_dirs)})
        if code:
            broken = [error for error in map(_compile_error, code) if error]
            if broken:
                for error in broken:
                    logger.error("preview: %s; fix it and save again (no rebuild)", error)
                continue
            unloaded = unload_plugins(plugin_dirs)
            console.print(
                f"-> preview: plugin code changed ({', '.join(_short(p) for p in code)}): "
                f"reloading {', '.join(unloaded) or 'nothing'}",
                markup=False, highlight=False,
            )
            # Pelican makes a new instance (and imports the plugins again)
            # when it sees the settings file among the changes.
            changes = {*changes, (watchfiles.Change.modified, os.path.abspath(settings_file))}
        state.since = time.time()
        return changes
    return set()


def changed_since(paths: list[str], since: float, accept) -> set:
    """``(Change.modified, path)`` for every watched file or folder (a folder
    changes when a file in it is added or removed) modified after ``since``."""
    from watchfiles import Change

    found = set()

    def check(path: str) -> None:
        try:
            if os.stat(path).st_mtime > since and accept(Change.modified, path):
                found.add((Change.modified, path))
        except OSError:
            pass

    for root in paths:
        if not os.path.isdir(root):
            check(root)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if accept(Change.modified, os.path.join(folder, d))]
            check(folder)
            for name in files:
                check(os.path.join(folder, name))
    return found


def unload_plugins(plugin_dirs: list[str]) -> list[str]:
    """Forget every module loaded from ``plugin_dirs`` and disconnect its
    signal receivers, so that the next Pelican instance imports fresh code."""
    names = [
        name
        for name, module in list(sys.modules.items())
        if _under(getattr(module, "__file__", None) or "", plugin_dirs)
    ]
    if not names:
        return []
    from blinker import Signal
    from pelican.plugins import signals

    gone = set(names)
    for signal in vars(signals).values():
        if not isinstance(signal, Signal):
            continue
        for ref in list(signal.receivers.values()):
            receiver = ref() if isinstance(ref, weakref.ref) else ref
            module = getattr(receiver, "__module__", None)
            if receiver is not None and module in gone:
                signal.disconnect(receiver)
    for name in names:
        del sys.modules[name]
    return sorted(n for n in names if "." not in n) or sorted(names)


def _under(path: str, folders: list[str]) -> bool:
    path = os.path.abspath(path) if path else ""
    return bool(path) and any(path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _compile_error(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec")
    except FileNotFoundError:
        return None  # deleted: the import will tell
    except (SyntaxError, ValueError) as error:
        return f"{_short(path)}: {type(error).__name__}: {error}"
    return None


def _short(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith(".." + os.sep + "..") else relative
