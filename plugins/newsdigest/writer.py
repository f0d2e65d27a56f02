"""Writing the article pages on every core.

Rendering the templates is most of a build's writing time and runs on one
core in Pelican. :class:`DigestWriter` (Pelican's ``get_writer`` signal)
keeps the article generator's ``write_file`` calls (articles, archives,
tags, sources, the home pages, the roundup) instead of running them; when
the generator has finished (``article_writer_finalized``), :meth:`flush`
forks ``DIGEST_WRITE_WORKERS - 1`` processes and every process, this one
included, takes the next call from a shared counter until none is left, so
the cores stay busy whatever each page costs. Feeds and the pages of other
generators are written as Pelican writes them.

What a reader of Pelican's writer would expect still holds:

* two pages with one output path stop the build with Pelican's own error
  (:class:`pelican.writers.FileOverwriteFailedError`), whichever process
  wrote them; a call with ``override_output`` runs here, after the others,
  as Pelican would order it;
* ``content_written`` is sent here, once per written file, in the order of
  the calls, after every process has finished; its ``context`` is the
  page's (for a paginated list: the list's, without the page object);
* an error in a worker stops the build with that error;
* a page whose file already holds the same text is not written again (its
  modification time stays, for ``rsync`` and caches).

Processes are forked (Linux): they share this process's memory until they
write to it, and :func:`gc.freeze` keeps the garbage collector from
touching (and so copying) every object. They inherit the open caches'
SQLite connections and never use them, and leave with :func:`os._exit`.
``DIGEST_WRITE_WORKERS = 1`` writes in this process only. Nothing is kept
between builds: Pelican makes a new writer for every build.
"""

from __future__ import annotations

import gc
import io
import logging
import multiprocessing
import os
import pickle
import sys
import time
import traceback

from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from .settings import setting

logger = logging.getLogger(__name__)


def _overwrite_error(path: str) -> FileOverwriteFailedError:
    """Pelican's error for a second write to one path."""
    return FileOverwriteFailedError(
        f'Failed to overwrite "{path}" as Pelican has already '
        "written to it previously (set `override=True` if intended)"
    )


def write_workers(settings: dict) -> int:
    """Processes that write pages: ``DIGEST_WRITE_WORKERS``, None = every core."""
    if not (hasattr(os, "fork") and sys.platform.startswith("linux")):
        return 1  # fork is the only way to share the built site with the workers
    wanted = setting(settings or {}, "DIGEST_WRITE_WORKERS")
    return max(1, int(wanted if wanted is not None else (os.cpu_count() or 1)))


class _Job:
    """One deferred ``write_file`` call."""

    __slots__ = ("context", "kwargs", "name", "template")

    def __init__(self, name, template, context, kwargs):
        self.name, self.template, self.context, self.kwargs = name, template, context, kwargs

    @property
    def override(self) -> bool:
        return bool(self.kwargs.get("override_output"))

    def cost(self) -> int:
        """A rough size: list pages render many entries, so go first (a
        paginated list is one job: all its pages are written by one process)."""
        listed = self.kwargs.get("articles") or self.kwargs.get("dates") or ()
        return max(1, len(listed))

    def written_context(self, path: str, output_path: str) -> dict:
        """The context ``content_written`` gets for ``path``: the generator's
        context, the call's arguments and ``output_file`` (Pelican's own also
        has the page's relative ``SITEURL`` and, for a list, the page object)."""
        local = self.context.copy()
        local.update(self.kwargs)
        local["output_file"] = os.path.relpath(path, output_path).replace(os.sep, "/")
        return local


class _WriteIfChanged(io.StringIO):
    """A page's text, kept until closed, then written only when the file on
    disk differs. Rewriting a file costs far more than reading and comparing
    it (ext4 flushes a file truncated and written again), most pages of a
    rebuild are unchanged, and unchanged pages keep their modification time
    (``rsync`` and browsers' caches skip them)."""

    def __init__(self, path: str, encoding: str):
        super().__init__()
        self._path, self._target_encoding = path, encoding

    def close(self) -> None:
        if not self.closed:
            text = self.getvalue()
            try:
                with open(self._path, encoding=self._target_encoding, newline="") as old:
                    same = old.read() == text
            except (OSError, UnicodeDecodeError):
                same = False
            if not same:
                with open(self._path, "w", encoding=self._target_encoding) as new:
                    new.write(text)
        super().close()


class DigestWriter(Writer):
    """Pelican's writer, with the article generator's pages written by
    several processes (see the module's documentation)."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        #: when Pelican made this writer: its generators start writing
        self.created = time.perf_counter()
        self.workers = write_workers(settings)
        #: deferred calls; None once flushed (later calls write at once)
        self._jobs: list[_Job] | None = [] if self.workers > 1 else None
        #: output paths of the deferred calls (their first page)
        self._queued: set[str] = set()
        #: (path, job number) of every file the running share opened
        self._opened: list[tuple[str, int]] | None = None
        self._job_number = -1

    # --- deferring ---------------------------------------------------------------

    def write_file(self, name, template, context, *args, **kwargs):
        if self._jobs is None or not name:
            return super().write_file(name, template, context, *args, **kwargs)
        kwargs.update(zip(("relative_urls", "paginated", "template_name",
                           "override_output", "url"), args, strict=False))
        if not kwargs.get("override_output"):
            # Pelican's check, at the call as in Pelican: generators catch it
            # for pages they may skip (a tag whose slug is empty)
            path = sanitised_join(self.output_path, name)
            if path in self._queued or path in self._written_files:
                raise _overwrite_error(path)
            self._queued.add(path)
        self._jobs.append(_Job(name, template, context, kwargs))
        return None

    def _open_w(self, filename, encoding, override=False):
        if self._opened is not None and filename != os.devnull:
            self._opened.append((filename, self._job_number))
        if filename in self._overridden_files or filename == os.devnull:
            return super()._open_w(filename, encoding, override=override)
        # Pelican's checks (a second write to one path fails), then the page
        # is written only if it changed.
        if filename in self._written_files and not override:
            raise _overwrite_error(filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _WriteIfChanged(filename, encoding)

    # --- writing -----------------------------------------------------------------

    def flush(self) -> None:
        """Write every deferred page, in ``self.workers`` processes."""
        jobs, self._jobs = self._jobs, None
        if not jobs:
            return
        parallel = [i for i, job in enumerate(jobs) if not job.override]
        parallel.sort(key=lambda i: -jobs[i].cost())
        opened = self._run_shared(jobs, parallel)
        opened.sort(key=lambda item: item[1])
        seen = set(self._written_files) - {path for path, _ in opened}
        for path, _ in opened:  # Pelican's check, across all processes
            if path in seen:  # later pages of paginated lists
                raise _overwrite_error(path)
            seen.add(path)
        self._written_files |= seen
        own = self._run(jobs, [i for i, job in enumerate(jobs) if job.override])
        for path, number in sorted(opened + own, key=lambda item: item[1]):
            context = jobs[number].written_context(path, self.output_path)
            signals.content_written.send(path, context=context)

    def _run(self, jobs: list[_Job], numbers) -> list[tuple[str, int]]:
        """Run some jobs here, ``content_written`` held back; the files opened."""
        self._opened = []
        try:
            with signals.content_written.muted():
                for number in numbers:
                    self._job_number = number
                    job = jobs[number]
                    super().write_file(job.name, job.template, job.context, **job.kwargs)
            return self._opened
        finally:
            self._opened = None

    def _run_shared(self, jobs: list[_Job], order: list[int]) -> list[tuple[str, int]]:
        """Run ``jobs[order]`` in this process and ``workers - 1`` forked ones,
        each taking the next job from a counter in shared memory."""
        counter = multiprocessing.get_context("fork").Value("l", 0)

        def take():
            while True:
                with counter.get_lock():
                    index = counter.value
                    counter.value += 1
                if index >= len(order):
                    return
                yield order[index]

        children = []
        # The workers' collector leaves the shared objects alone. (No
        # collection first: it would take a quarter of a second to free a
        # little garbage, which is freed after the unfreeze anyway.)
        gc.freeze()
        try:
            for _ in range(min(self.workers, len(order)) - 1):
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:  # a worker: write pages, report, exit
                    os.close(read)
                    self._child(jobs, take(), write)
                os.close(write)
                children.append((pid, read))
            try:
                opened = self._run(jobs, take())
            except BaseException:
                with counter.get_lock():  # the workers take no further job
                    counter.value = len(order)
                raise
            finally:
                results = [self._collect(pid, read) for pid, read in children]
        finally:
            gc.unfreeze()
        for kind, value in results:
            if kind == "raise":
                raise value
            if kind != "ok":
                raise RuntimeError(f"a page-writing process failed: {value}")
            opened.extend(value)
        return opened

    def _child(self, jobs, numbers, pipe: int) -> None:
        status = 0
        try:
            payload = ("ok", self._run(jobs, numbers))
        except BaseException as error:  # reported to the parent, which stops the build
            status = 1
            logger.error("page-writing process %d:\n%s", os.getpid(), traceback.format_exc())
            try:  # the error itself when it can travel, else its text
                payload = ("raise", pickle.loads(pickle.dumps(error)))
            except Exception:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                payload = ("error", detail)
        try:
            with os.fdopen(pipe, "wb") as handle:
                pickle.dump(payload, handle)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)

    @staticmethod
    def _collect(pid: int, read: int):
        with os.fdopen(read, "rb") as handle:
            data = handle.read()
        _, status = os.waitpid(pid, 0)
        if not data:
            return ("error", f"process {pid} ended without a report (status {status})")
        return pickle.loads(data)


def writer_class(pelican) -> type[Writer]:
    """``get_writer`` receiver."""
    return DigestWriter


def flush(writer) -> None:
    """Write the deferred pages (called when the article generator is done)."""
    if isinstance(writer, DigestWriter):
        writer.flush()
