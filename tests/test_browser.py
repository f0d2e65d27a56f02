"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site (seed + theme fixtures, development settings) is served over HTTP on
127.0.0.1; every page is opened at 375 px and 1280 px wide, in light and dark
mode. No console errors, no request to any other host, no sideways scrolling,
readable contrast as the browser computes it. Screenshots go to
``tests/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from pelican_server import needs_chromium, serve_directory

from conftest import FIXTURES, ROOT, SEED, fixture_dumps, run_build

SEED_CAPTURE = "dump-000_80243a7568773db2"
SHOTS = ROOT / "tests" / "screenshots"
PAGES = {
    "home": "index.html",
    "article": None,  # the seed's article: its address comes from the reader
    "tag": "tag/ekonomika.html",
    "roundup": "headlines.html",
}
WIDTHS = (375, 1280)

pytestmark = needs_chromium

#: For every element with text of its own: its colour and the first opaque
#: background behind it (the page's, if none).
CONTRAST_PROBE = """
() => {
  const opaque = (c) => c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || box.bottom < 0) continue;
    let bg = null;
    for (let n = el; n && !bg; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (opaque(c)) bg = c;
    }
    bg = bg || getComputedStyle(document.documentElement).backgroundColor;
    if (!opaque(bg)) bg = 'rgb(255, 255, 255)';
    out.push([el.tagName.toLowerCase() + '.' + el.className, style.color, bg]);
  }
  return out;
}
"""


def rgb(value: str) -> tuple[float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", value)[:3]]
    assert len(numbers) == 3, value
    return numbers[0], numbers[1], numbers[2]


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in rgb(colour))
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    dumps = {
        SEED.name: SEED,
        **fixture_dumps(*sorted(p.name for p in FIXTURES.glob("theme_*.txt"))),
    }
    build = run_build(tmp_path_factory.mktemp("browser"), dumps)
    assert build.returncode == 0, build.log
    roundup = BeautifulSoup((build.output / "headlines.html").read_text("utf-8"), "html.parser")
    PAGES["article"] = (
        roundup.find(id=SEED_CAPTURE).select_one(".meta a")["href"].removeprefix("./")
    )
    with serve_directory(build.output) as base:
        yield base


@pytest.fixture(scope="module")
def shots():
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


def visit(browser, base: str, path: str, width: int, scheme: str = "light"):
    """Open one page; return the page, console errors and requested URLs."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, java_script_enabled=True
    )
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(f"{base}/{path}", wait_until="load")
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    return context, page, errors, requests


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_browser(browser, served, shots, name, width):
    context, page, errors, requests = visit(browser, served, PAGES[name], width)
    try:
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        assert errors == []
        hosts = {urlsplit(url).netloc for url in requests}
        assert hosts == {urlsplit(served).netloc}, requests
        assert any(url.endswith("/theme/css/style.css") for url in requests)
        # The stylesheet applied: system fonts, and the page fits the width.
        assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        assert page.evaluate("document.documentElement.lang") == "ru"
        assert page.locator("main h1").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_contrast_as_rendered(browser, served, shots, name, scheme):
    context, page, _errors, _ = visit(browser, served, PAGES[name], 375, scheme)
    try:
        if scheme == "dark":
            page.screenshot(path=str(shots / f"{name}-375-dark.png"), full_page=True)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (sum(rgb(background)) < 150) == (scheme == "dark"), background
        samples = page.evaluate(CONTRAST_PROBE)
        assert len(samples) > 20
        low = [
            (el, fg, bg, round(contrast(fg, bg), 2))
            for el, fg, bg in samples
            if contrast(fg, bg) < 4.5
        ]
        assert low == [], low
    finally:
        context.close()


def test_narrowest_screen_and_keyboard(browser, served, shots):
    """320 px: nothing sticks out; Tab reaches the skip link, which shows a focus ring."""
    for name, path in PAGES.items():
        context, page, _errors, _ = visit(browser, served, path, 320)
        try:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"
            if name == "article":
                page.keyboard.press("Tab")
                focused = page.evaluate(
                    "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
                    " const r = a.getBoundingClientRect();"
                    " return [a.className, a.getAttribute('href'), s.outlineStyle, s.outlineWidth, r.top]; })()"
                )
                assert focused[:3] == ["skip", "#main", "solid"], focused
                assert focused[3] != "0px" and focused[4] >= 0, focused
                page.screenshot(path=str(shots / "article-320-skip-link.png"))
                page.keyboard.press("Enter")
                assert page.evaluate("location.hash") == "#main"
        finally:
            context.close()
