"""Pelican settings for publishing: absolute URLs, feeds on."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *

# The site's public address, without a trailing slash: SITEURL=https://… make publish
SITEURL = (os.environ.get("SITEURL") or "https://example.org").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# sitemap.xml (the pelican-sitemap package) for search engines; robots.txt
# (written by the newsdigest plugin) points at it. The search page is not content.
PLUGINS = [*PLUGINS, "sitemap"]
SITEMAP = {"format": "xml", "exclude": [r"^search\.html$"]}

# Atom feeds: the whole digest, each source (category), each tag.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/source/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
FEED_MAX_ITEMS = 50

# On a web server, directory addresses without index.html.
YEAR_ARCHIVE_URL = "{date:%Y}/"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
DAY_ARCHIVE_URL = "{date:%Y}/{date:%m}/{date:%d}/"
