"""Helpers for the search, preview and CSP tests: Pelican's own server in a
subprocess on a free 127.0.0.1 port, HTTP fetches, headless Chromium.

Every server runs in its own session (process group): :meth:`Server.stop`
terminates that group (Pelican's ``--listen --autoreload`` forks a builder
and a server process) and kills it if it does not stop in time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (`make browser` installs it)",
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """A plain static server for ``directory`` on a free 127.0.0.1 port;
    yields its base address."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, timeout: float = 10) -> Response:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return Response(answer.status, _lower(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, _lower(error.headers), error.read())


def _lower(headers) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def wait_until(self, check, timeout: float, step: float = 0.3):
        """Poll ``check()`` until it returns something true; fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited ({self.process.returncode}):\n{self.output()}")
            with contextlib.suppress(OSError):
                last = check()
                if last:
                    return last
            time.sleep(step)
        pytest.fail(f"not within {timeout} s (last: {last!r}); server log:\n{self.output()[-4000:]}")

    def stop(self) -> None:
        # SIGTERM, not SIGINT: a shell that runs the tests in the background
        # makes its children ignore SIGINT.
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # whatever the builder or server forked is gone with the group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def start_pelican(args: list[str], log: Path, port: int, cwd: Path = ROOT) -> Server:
    """``python -m pelican … -p PORT -b 127.0.0.1`` in its own session."""
    command = [sys.executable, "-m", "pelican", *args, "-p", str(port), "-b", "127.0.0.1"]
    env = {**os.environ, "COLUMNS": "1000", "TERM": "dumb", "PYTHONUNBUFFERED": "1"}
    handle = open(log, "wb")
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )
    finally:
        handle.close()
    return Server(process, f"http://127.0.0.1:{port}", log)


def local_only(context, base: str) -> list[str]:
    """Route every request of a browser context: the server's own host goes
    through, anything else is aborted (it never leaves the machine) and
    listed in the returned list."""
    allowed = urlsplit(base).netloc
    elsewhere: list[str] = []

    def route(request_route):
        url = request_route.request.url
        parts = urlsplit(url)
        if parts.netloc == allowed or parts.scheme in ("data", "blob", "about"):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    context.route("**/*", route)
    return elsewhere
