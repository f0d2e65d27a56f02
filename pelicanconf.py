"""Pelican settings for the news digest (development: relative URLs)."""

SITENAME = "Дайджест новостей"
# The description meta and OpenGraph text of pages other than articles.
SITESUBTITLE = "Статьи и заголовки из сохраненных страниц новостных сайтов"
SITEURL = ""

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
# the plugin's typography module does the Russian ones. The plugin's reader
# applies it (DIGEST_TYPOGRIFY), so that it is cached with each dump's
# reading; Pelican's own step (which would run on every build) stays off.
TYPOGRIFY = False
DIGEST_TYPOGRIFY = True
TYPOGRIFY_OMIT_FILTERS = ["smartypants"]

# URLs that also work from a plain folder (file://): no directory indexes.
RELATIVE_URLS = True
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_URL

# --- the theme (see README.md, "Theme") ---------------------------------------------
THEME = "theme"
# Plain-text fields from the dumps (source, tags, headlines) are escaped by
# Jinja; the theme marks only title, summary and content (HTML) as safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# Home: newest first, grouped under day headings; index.html, index2.html...
DEFAULT_PAGINATION = 10


def newest_first(article):
    """Newest day first; within a day, by file name. Pelican reads files in
    no fixed order, so without the file name the order of one day's articles
    (all dated midnight) would change from build to build."""
    return (-article.date.timestamp(), article.source_path)


ARTICLE_ORDER_BY = newest_first

# Every link points at a file, so the site also works from a folder (file://).
CATEGORY_URL = "source/{slug}.html"  # a category is an article's source
CATEGORY_SAVE_AS = CATEGORY_URL
CATEGORIES_URL = "sources.html"
CATEGORIES_SAVE_AS = CATEGORIES_URL
TAG_URL = "tag/{slug}.html"
TAG_SAVE_AS = TAG_URL
TAGS_URL = "tags.html"
TAGS_SAVE_AS = TAGS_URL
ARCHIVES_URL = "archives.html"
ARCHIVES_SAVE_AS = ARCHIVES_URL
YEAR_ARCHIVE_URL = "{date:%Y}/index.html"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/index.html"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL
DAY_ARCHIVE_URL = "{date:%Y}/{date:%m}/{date:%d}/index.html"
DAY_ARCHIVE_SAVE_AS = DAY_ARCHIVE_URL
# The headline roundup: every numbered headline from every dump; the search page.
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "headlines", "search"]
HEADLINES_URL = "headlines.html"
HEADLINES_SAVE_AS = HEADLINES_URL
SEARCH_URL = "search.html"
SEARCH_SAVE_AS = SEARCH_URL
# Dumps have no authors: no author pages.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

# Feeds need absolute addresses: publishconf.py turns them on with SITEURL.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TAG_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# --- the newsdigest plugin (see README.md, "Settings") ------------------------------
# DIGEST_SOURCES = {"Медуза": [r"\bМедуз[аыу]\b", r"meduza"]}
# DIGEST_REFERENCE_DATE = "2025-12-31"

# --- search, sharing, live preview (see README.md, "Search" and "Live preview") ------
# Pagefind indexes output/ after every build (make html, make publish,
# pelican content, pelican --listen --autoreload); the theme's search.html
# searches it. False: no index, and no search page in the menu.
DIGEST_SEARCH = True
# pelican --autoreload also rebuilds when a dump in seeds/ or the plugin code changes.
DIGEST_WATCH = True
