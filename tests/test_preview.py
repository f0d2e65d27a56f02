"""Live preview: ``pelican --listen --autoreload`` rebuilds when a dump, a
template or the plugin code changes (plugins/newsdigest/preview.py).

The server runs on a copy of the theme and of the plugin and on a temporary
seeds folder (the repository is never touched), in its own process group on
a free 127.0.0.1 port, and is always stopped.
"""

from __future__ import annotations

import json
import logging
import shutil
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican_server import fetch, free_port, start_pelican

from conftest import REFERENCE_DATE, ROOT, SEED
from newsdigest import preview

SEED_TITLE = "Министр иностранных дел России Сергей Лавров"
NEW_DUMP = textwrap.dedent(
    """\
    Date: 2025-03-02

    В воскресенье в вымышленном городском парке открыли новую аллею с липами и скамейками для читателей, которые любят гулять по утрам и читать на свежем воздухе.

    Второй придуманный абзац рассказывает, что аллею высадили волонтеры за одни выходные, что поливать деревья будут жители соседних домов, а фонари поставят к осени.
    """
)
FOOTER = "Сайт собран Pelican."
MARK = "Проверка живого просмотра: шаблон перечитан."


# --- which paths are watched ---------------------------------------------------------------


def test_watched_paths_add_dumps_and_plugins(tmp_path, caplog):
    content, theme, seeds, plugins, extra = (tmp_path / n for n in
                                             ("content", "theme", "seeds", "plugins", "extra"))
    for folder in (content, theme, seeds, plugins, extra, content / "pages"):
        folder.mkdir()
    conf = tmp_path / "pelicanconf.py"
    conf.write_text("", "utf-8")
    settings = {
        "PATH": str(content), "THEME": str(theme), "STATIC_PATHS": [],
        "ARTICLE_PATHS": ["../seeds"], "PAGE_PATHS": ["pages"],
        "PLUGIN_PATHS": [str(plugins)], "DIGEST_WATCH_PATHS": [str(extra), str(tmp_path / "gone")],
    }
    with caplog.at_level(logging.WARNING):
        paths = preview.watched_paths(str(conf), settings)
    # content/pages is inside content: watched once, through content
    assert paths == [str(p) for p in (conf, theme, content, seeds, plugins, extra)]
    assert [r.getMessage() for r in caplog.records] == [
        f"preview: cannot watch {tmp_path / 'gone'}: it does not exist"
    ]


def test_the_project_settings_watch_seeds_and_plugins():
    """What ``make devserver`` watches, from the real settings file."""
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    assert settings["DIGEST_WATCH"] is True
    paths = preview.watched_paths(str(ROOT / "pelicanconf.py"), settings)
    for folder in ("seeds", "plugins", "theme", "content"):
        assert str(ROOT / folder) in paths, (folder, paths)
    assert str(ROOT / "pelicanconf.py") in paths


# --- a real server -------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path) -> dict[str, Path]:
    """A copy of the theme and the plugin, a seeds folder with the seed."""
    paths = {name: tmp_path / name for name in ("theme", "plugins", "seeds", "output")}
    shutil.copytree(ROOT / "theme", paths["theme"])
    shutil.copytree(ROOT / "plugins", paths["plugins"],
                    ignore=shutil.ignore_patterns("__pycache__"))
    paths["seeds"].mkdir()
    shutil.copy2(SEED, paths["seeds"] / SEED.name)
    paths["tmp"] = tmp_path
    return paths


def home(server) -> BeautifulSoup | None:
    answer = fetch(server.base + "/")
    return BeautifulSoup(answer.text, "html.parser") if answer.status == 200 else None


def home_text(server) -> str:
    soup = home(server)
    return " ".join(soup.get_text().split()) if soup else ""


def builds_complete(log: str) -> bool:
    """Every build so far has ended, each with exactly one report line (the
    plugin's receivers ran once, not once per loaded copy of the plugin)."""
    builds = log.split("Done: Processed")[:-1]
    return bool(builds) and log.count("Done: Processed") == log.count(" dumps: ") and all(
        chunk.count(" dumps: ") == 1 for chunk in builds
    )


def test_autoreload_rebuilds_on_dumps_templates_and_plugin_code(project):
    overrides = {
        "THEME": str(project["theme"]),
        "PLUGIN_PATHS": [str(project["plugins"])],
        "ARTICLE_PATHS": [str(project["seeds"])],
        "CACHE_PATH": str(project["tmp"] / "cache"),
        "DIGEST_REPORT": str(project["tmp"] / "build-report.json"),
        "DIGEST_REFERENCE_DATE": REFERENCE_DATE,
        "DIGEST_ENTITIES": False,  # the model's start-up is not what is tested here
    }
    server = start_pelican(
        [str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(project["output"]),
         "--listen", "--autoreload",
         "-e", *[f"{key}={json.dumps(value)}" for key, value in overrides.items()]],
        project["tmp"] / "pelican.log", free_port(),
    )
    try:
        server.wait_until(lambda: SEED_TITLE in home_text(server), timeout=60)
        server.wait_until(lambda: "preview: watching" in server.output(), timeout=30)
        assert (project["output"] / "pagefind" / "pagefind.js").is_file()

        # 1. A new dump in the seeds folder (outside Pelican's PATH).
        (project["seeds"] / "100_new.txt").write_text(NEW_DUMP, "utf-8")
        server.wait_until(lambda: "новую аллею с липами" in home_text(server), timeout=60)
        entry = next(e for e in home(server).select("article.entry")
                     if "аллею" in e.get_text())
        page = fetch(server.base + "/" + entry.h3.a["href"].removeprefix("./"))
        assert page.status == 200 and "волонтеры" in page.text
        assert "Неизвестный источник" in entry.select_one(".meta").get_text()

        # 2. A template.
        base = project["theme"] / "templates" / "base.html"
        base.write_text(base.read_text("utf-8").replace(FOOTER, f"{FOOTER} {MARK}"), "utf-8")
        server.wait_until(lambda: MARK in home_text(server), timeout=60)

        # 3. Plugin code: a default in the plugin's settings module.
        module = project["plugins"] / "newsdigest" / "settings.py"
        module.write_text(
            module.read_text("utf-8").replace(
                '"DIGEST_DEFAULT_SOURCE": "Неизвестный источник"',
                '"DIGEST_DEFAULT_SOURCE": "Источник не распознан"',
            ),
            "utf-8",
        )
        server.wait_until(lambda: "Источник не распознан" in home_text(server), timeout=90)
        assert "preview: plugin code changed" in server.output()
        assert SEED_TITLE in home_text(server)  # the whole plugin still works
        # The old plugin's receivers are gone: one build report per build.
        server.wait_until(lambda: builds_complete(server.output()), timeout=30)

        # 4. Plugin code that does not compile: one error line, no rebuild.
        sharing = project["plugins"] / "newsdigest" / "sharing.py"
        good = sharing.read_text("utf-8")
        sharing.write_text(good + "\ndef broken(:\n", "utf-8")
        server.wait_until(lambda: "SyntaxError" in server.output(), timeout=60)
        assert "preview: " in server.output().split("SyntaxError")[0].splitlines()[-1]
        assert "Источник не распознан" in home_text(server)
        sharing.write_text(good, "utf-8")
        server.wait_until(lambda: server.output().count("preview: plugin code changed") >= 2,
                          timeout=60)
        server.wait_until(lambda: SEED_TITLE in home_text(server), timeout=60)
    finally:
        server.stop()
    assert server.process.poll() is not None
