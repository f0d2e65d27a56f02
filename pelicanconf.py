"""Pelican settings for the news digest (development: relative URLs)."""

SITENAME = "Дайджест новостей"
SITEURL = ""
AUTHOR = ""

PATH = "content"
# The user's dumps stay in seeds/ at the repository root.
ARTICLE_PATHS = ["../seeds"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []

TIMEZONE = "Europe/Minsk"
DEFAULT_LANG = "ru"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["newsdigest"]

# Dumps are not translations of each other: a Belarusian and a Russian dump
# with the same slug are two articles (the plugin keeps slugs unique).
ARTICLE_TRANSLATION_ID = None

# Typogrify for HTML niceties; its smartypants would make English quotes,
# the plugin's typography module does the Russian ones.
TYPOGRIFY = True
TYPOGRIFY_OMIT_FILTERS = ["smartypants"]

# URLs that also work from a plain folder (file://): no directory indexes.
RELATIVE_URLS = True
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_URL

DEFAULT_PAGINATION = 10

# --- the newsdigest plugin (see README.md, "Settings") ------------------------------
# DIGEST_SOURCES = {"Медуза": [r"\bМедуз[аыу]\b", r"meduza"]}
# DIGEST_REFERENCE_DATE = "2025-12-31"
