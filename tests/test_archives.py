"""Pelican's archive lists built by look-up (archives.py) equal Pelican's own."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

from pelican.generators import ArticlesGenerator
from pelican.settings import DEFAULT_CONFIG
from pelican.writers import FileOverwriteFailedError

from newsdigest.archives import (
    SHORT,
    Members,
    fast_membership,
    fast_period_archives,
    generate_tags,
)


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


def test_long_source_and_author_lists_become_members_in_generator_and_context():
    articles = items(40)
    generator = SimpleNamespace(
        categories=[("zerkalo", articles[:]), ("other", articles[:2])],
        authors=[("x", articles[1:30])], context={},
    )
    fast_membership(generator)
    assert isinstance(generator.categories[0][1], Members)
    assert isinstance(generator.authors[0][1], Members)
    # short lists stay plain: scanning them is faster than a look-up from Python
    assert type(generator.categories[1][1]) is list and len(generator.categories[1][1]) <= SHORT
    assert generator.categories[0][1] == articles
    assert generator.context["categories"] is generator.categories
    assert generator.context["authors"] is generator.authors
    # what Pelican's source page does with them: the articles in date order
    dates = sorted(articles, key=lambda a: a.date)
    members = generator.authors[0][1]
    assert [a for a in dates if a in members] == [a for a in dates if a in articles[1:30]]


class Tag:
    """What a tag page's write reads of a tag."""

    def __init__(self, slug):
        self.slug, self.save_as, self.url, self.page_name = slug, f"tag/{slug}.html", slug, slug

    def __repr__(self):
        return self.slug


def test_tag_pages_are_written_with_pelicans_own_calls():
    articles = items(300)
    generator = random.Random(5)
    tags = {Tag(f"t{n}"): generator.sample(articles, generator.choice([1, 2, 5, 40]))
            for n in range(60)}
    listed = next(iter(tags.values()))
    listed.append(listed[0])  # an article given one tag twice is one entry
    tags[Tag("")] = articles[:3]  # no slug: its page cannot be written
    stand_in = SimpleNamespace(
        get_template=lambda name: f"template {name}", tags=tags, context={"x": 1},
        dates=sorted(articles, key=lambda a: a.date, reverse=True), articles=articles,
    )

    def recorder(calls):
        def write(*args, **kwargs):
            if not kwargs["tag"].slug:
                raise FileOverwriteFailedError("taken")
            calls.append((args, {k: [id(x) for x in v] if isinstance(v, list) else v
                                 for k, v in kwargs.items()}))
        return write

    theirs, mine = [], []
    ArticlesGenerator.generate_tags(stand_in, recorder(theirs))
    generate_tags(stand_in, recorder(mine))
    assert len(mine) == len(theirs) == 60
    assert mine == theirs
