"""Pelican's archive lists built by look-up (archives.py) equal Pelican's own."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from types import SimpleNamespace

from pelican.generators import ArticlesGenerator
from pelican.settings import DEFAULT_CONFIG

from newsdigest.archives import SHORT, Members, fast_membership, fast_period_archives


class Item:
    """An article as the archives see it: a date, compared by identity."""

    def __init__(self, date):
        self.date = date


def items(count: int, seed: int = 3) -> list[Item]:
    generator = random.Random(seed)
    start = dt.datetime(2024, 11, 20)
    return [Item(start + dt.timedelta(days=generator.randrange(120), hours=generator.randrange(24)))
            for _ in range(count)]


def test_members_answer_in_as_a_list_does_by_identity():
    articles = items(30)
    members = Members(articles[:10])
    assert members == articles[:10] and isinstance(members, list)
    for article in articles:
        assert (article in members) == (article in articles[:10])
    assert Item(articles[0].date) not in members  # an equal date is not the article
    members.append(articles[20])  # a changed list is looked up afresh
    assert articles[20] in members


def test_period_archives_are_pelicans_own():
    articles = items(200)
    dates = sorted(articles, key=lambda a: a.date, reverse=True)
    settings = {**DEFAULT_CONFIG}
    for granularity, pattern in (("YEAR", "{date:%Y}/"), ("MONTH", "{date:%Y}/{date:%m}/"),
                                 ("DAY", "{date:%Y}/{date:%m}/{date:%d}/")):
        settings[f"{granularity}_ARCHIVE_SAVE_AS"] = pattern + "index.html"
        settings[f"{granularity}_ARCHIVE_URL"] = pattern
    generator = SimpleNamespace(settings=settings)
    generator._build_period_archives = (
        lambda *args: ArticlesGenerator._build_period_archives(generator, *args))
    expected = ArticlesGenerator._build_period_archives(generator, dates, articles, settings)
    fast_period_archives(generator)
    found = generator._build_period_archives(dates, articles, settings)
    assert set(found) == {"year", "month", "day"}
    for granularity, archives in expected.items():
        assert len(found[granularity]) == len(archives)
        for mine, theirs in zip(found[granularity], archives, strict=True):
            assert mine.keys() == theirs.keys()
            for key, value in theirs.items():
                if isinstance(value, list):  # the same objects, in the same order
                    assert [id(x) for x in mine[key]] == [id(x) for x in value]
                else:
                    assert mine[key] == value
    assert any(len(a["articles"]) > 1 for a in found["day"])


def test_long_tag_source_and_author_lists_become_members_in_generator_and_context():
    articles = items(40)
    tags = defaultdict(list, {"big": articles[:20], "small": articles[3:6]})
    generator = SimpleNamespace(
        tags=tags, categories=[("zerkalo", articles[:]), ("other", articles[:2])],
        authors=[("x", articles[1:30])], context={},
    )
    fast_membership(generator)
    long_lists = [generator.tags["big"], generator.categories[0][1], generator.authors[0][1]]
    assert all(isinstance(members, Members) for members in long_lists)
    # short lists stay plain: scanning them is faster than a look-up from Python
    assert type(generator.tags["small"]) is list and type(generator.categories[1][1]) is list
    assert len(generator.tags["small"]) <= SHORT < len(generator.tags["big"])
    assert generator.tags["big"] == articles[:20]
    assert generator.context["tags"] == list(generator.tags.items())
    assert generator.context["categories"] is generator.categories
    assert generator.context["authors"] is generator.authors
    # what Pelican's tag page does with them: the tag's articles in date order
    dates = sorted(articles, key=lambda a: a.date)
    assert [a for a in dates if a in generator.tags["big"]] == \
        [a for a in dates if a in articles[:20]]
