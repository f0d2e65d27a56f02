"""Defence in depth: a Content-Security-Policy in every page, and the proof in
a real browser that nothing from a hostile dump runs or calls another host.

The hostile dumps (``tests/fixtures/csp_*.txt``, with ``theme_04_script.txt``)
carry ``<script>``, ``<img onerror>``, ``<svg onload>``, ``<iframe>``,
``<base>``, ``<meta http-equiv=refresh>``, remote stylesheets and
``javascript:`` links in their bodies, headline lists, titles, summaries,
sources, tags and captions; every script in them would call ``alert`` and set
``window.__csp_pwned``. Every page built from them is opened in headless
Chromium (Debian's, through Playwright): no dialog, no such variable, no
request that leaves 127.0.0.1, no console error. A last test shows that the
policy itself stops an inline script that got into a page (and that the same
page without the policy would have run it).
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from pelican_server import local_only, needs_chromium, serve_directory

from conftest import FIXTURES, SEED, Build, fixture_dumps, run_build

HOSTILE = [*sorted(p.name for p in FIXTURES.glob("csp_*.txt")), "theme_04_script.txt"]
CSP = "Content-Security-Policy"


def policy(soup) -> dict[str, list[str]]:
    tag = soup.find("meta", attrs={"http-equiv": CSP})
    assert tag is not None
    directives = {}
    for part in tag["content"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- the policy in every page ------------------------------------------------------------


def test_every_page_has_the_policy(site):
    """Every page of the shared build (the seed and every fixture dump)."""
    pages = site.html_files()
    assert len(pages) > 50
    for path in pages:
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        head = soup.head
        # Right after the charset, before anything that loads.
        first, second = head.find_all(True)[:2]
        assert first.name == "meta" and first.get("charset") == "utf-8", path
        assert second.name == "meta" and second.get("http-equiv") == CSP, path
        rules = policy(soup)
        assert rules["default-src"] == ["'self'"], path
        assert rules["object-src"] == ["'none'"] and rules["base-uri"] == ["'none'"], path
        assert rules["style-src"] == ["'self'"], path
        assert rules["img-src"] == ["'self'", "data:"], path
        assert rules["form-action"] == ["'self'"], path
        scripts = rules["script-src"]
        if path.name == "search.html" and path.parent == site.output:
            assert scripts == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's WebAssembly
        else:
            assert scripts == ["'self'"], path
        # What the policy would block is not in the pages: no inline script
        # (JSON-LD is data), no event handler attributes, no inline styles.
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", path
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (path, tag)
            assert "style" not in tag.attrs, (path, tag)
        assert soup.find("style") is None, path


def test_hostile_dumps_are_in_the_shared_build(site):
    """The fixtures were read as articles (else the browser test proves little)."""
    names = {p.relative_to(site.output).as_posix() for p in site.article_files()}
    assert "2025/01/csp-headers-check.html" in names
    assert any("snegirevo" in n for n in names)
    assert any("csp-pwned-preamble" in n for n in names), names


# --- in the browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Build:
    build = run_build(
        tmp_path_factory.mktemp("csp"), {SEED.name: SEED, **fixture_dumps(*HOSTILE)}
    )
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="module")
def served(hostile):
    with serve_directory(hostile.output) as base:
        yield base


#: What a page built from dumps may contain, as the browser sees it.
DOM_PROBE = """
() => {
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) {
      if (a.startsWith('on')) out.push('handler ' + el.tagName + ' ' + a);
      const v = (el.getAttribute(a) || '').trim().toLowerCase();
      if ((a === 'href' || a === 'src' || a === 'action') && v.startsWith('javascript:'))
        out.push('javascript: ' + el.tagName);
    }
  }
  for (const el of document.querySelectorAll('iframe, object, embed, img, base, style, svg, form[action^="http"]'))
    out.push('element ' + el.tagName);
  for (const el of document.querySelectorAll('meta[http-equiv]'))
    if (el.httpEquiv.toLowerCase() !== 'content-security-policy') out.push('meta ' + el.httpEquiv);
  for (const el of document.querySelectorAll('script'))
    if (el.type !== 'application/ld+json' && !/\\/theme\\/js\\/search\\.js$/.test(el.src))
      out.push('script ' + (el.src || el.textContent.slice(0, 40)));
  for (const el of document.querySelectorAll('link'))
    if (el.rel !== 'stylesheet' && el.rel !== 'icon' && el.rel !== 'canonical' && el.rel !== 'alternate')
      out.push('link ' + el.rel);
    else if (el.rel === 'stylesheet' && !/\\/theme\\/css\\/style\\.css$/.test(el.href))
      out.push('stylesheet ' + el.href);
  return out;
}
"""


class Visit:
    """One browser context that records dialogs, console messages and every
    request that tried to leave the server's host (aborted, never sent)."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context()
        self.elsewhere = local_only(self.context, base)
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str):
        answer = self.page.goto(url, wait_until="load")
        assert answer is not None and answer.status == 200, url
        self.page.wait_for_load_state("networkidle")
        return self.page

    def pwned(self):
        return self.page.evaluate("window.__csp_pwned")

    def close(self):
        self.context.close()


@needs_chromium
def test_nothing_from_a_hostile_dump_runs(browser, hostile, served):
    # Every page that shows text from the hostile dumps (their markup is
    # escaped there: "alert(" is what each payload calls).
    pages = [
        p.relative_to(hostile.output).as_posix()
        for p in hostile.html_files()
        if "alert(" in p.read_text("utf-8")
    ]
    assert len(pages) > 15
    visit = Visit(browser, served)
    try:
        for name in pages:
            page = visit.open(f"{served}/{name}")
            assert visit.pwned() is None, name
            assert page.evaluate(DOM_PROBE) == [], name
            assert visit.dialogs == [], (name, visit.dialogs)
            assert visit.console == [], (name, visit.console)
            assert visit.elsewhere == [], (name, visit.elsewhere)
        # The markup is there, as text.
        page = visit.open(f"{served}/2025/01/csp-headers-check.html")
        assert page.locator("main h1").inner_text().startswith("</title><script>window.__csp_pwned")
        assert "<svg onload=alert(5)>" in page.locator("main header .meta").inner_text()
        tags = page.locator("main .tags a").all_inner_texts()
        assert tags[:2] == ['<script>alert("tag")</script>', "javascript:alert(3)"]
        # Clicking a tag made of a javascript: "link" only opens its tag page.
        page.locator("main .tags a", has_text="javascript:alert(3)").click()
        page.wait_for_load_state("load")
        assert page.url.startswith(served + "/tag/") and visit.dialogs == []
    finally:
        visit.close()


@needs_chromium
def test_hostile_text_in_search_results_stays_text(browser, hostile, served):
    expect = pytest.importorskip("playwright.sync_api").expect
    visit = Visit(browser, served)
    try:
        page = visit.open(f"{served}/search.html")
        page.wait_for_selector("form.search:not([hidden])", timeout=15000)
        for query in ("<script>alert(1)</script>", "alert", "снегоуборочной", "onerror"):
            page.fill("#search-q", query)
            page.press("#search-q", "Enter")
            expect(page.locator(".search-status")).to_have_text(re.compile("^(Найдено|Ничего)"))
            page.wait_for_load_state("networkidle")
            assert visit.pwned() is None, query
            assert page.evaluate(DOM_PROBE) == [], query
        # the status comes first; the results follow once their fragments load
        expect(page.locator(".search-results h2 a").first).to_be_visible()
        titles = page.locator(".search-results h2 a").all_inner_texts()
        assert titles, "no result for 'onerror'"
        assert any("<img src=x onerror=alert(1)>" in " ".join(t.split()) for t in titles), titles
        assert visit.dialogs == [] and visit.console == [] and visit.elsewhere == []
    finally:
        visit.close()


INJECTED = (
    '<script>window.__csp_pwned = "inline"; alert("inline")</script>'
    '<img src="x" onerror="window.__csp_pwned = \'img\'; alert(\'img\')">'
    '<img src="http://evil.example/pixel.png">'
)


@needs_chromium
def test_the_policy_stops_markup_that_got_through(browser, hostile, served):
    """As if the escaping had a bug: the same article with live markup in its
    body. With the policy nothing runs and nothing loads from elsewhere (the
    browser reports the violations); without it, the script runs."""
    source = (hostile.output / "2025/01/csp-headers-check.html").read_text("utf-8")
    assert f'http-equiv="{CSP}"' in source
    with_policy = source.replace('<main id="main" tabindex="-1">', '<main id="main">' + INJECTED)
    assert with_policy != source
    without = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", with_policy)
    (hostile.output / "injected.html").write_text(with_policy, "utf-8")
    (hostile.output / "injected-no-csp.html").write_text(without, "utf-8")

    visit = Visit(browser, served)
    try:
        visit.open(f"{served}/injected.html")
        assert visit.pwned() is None
        assert visit.dialogs == []
        assert visit.elsewhere == []
        violations = [m for m in visit.console if "Content Security Policy" in m]
        assert len(violations) >= 2, visit.console  # the inline script and the handler
    finally:
        visit.close()

    control = Visit(browser, served)
    try:
        control.open(f"{served}/injected-no-csp.html")
        assert control.pwned() in ("inline", "img")
        assert "inline" in control.dialogs
        assert control.elsewhere == ["http://evil.example/pixel.png"]
    finally:
        control.close()
