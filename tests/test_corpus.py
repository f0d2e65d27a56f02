"""One story, one article: merging captures, the linked roundup, the build report."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import FIXTURES, SEED, fixture_dumps, run_build
from newsdigest import snapshots
from newsdigest.corpus import headline_key
from newsdigest.dump import parse

NB = "\u00a0"
POLOTSK = ["story_polotsk_a.txt", "story_polotsk_b.txt", "story_polotsk_c.txt"]
QUOTES = ["quote_story_trams.txt", "quote_story_buses.txt"]
ROUNDUP = ["roundup_capture_1.txt", "roundup_capture_2.txt"]
POLOTSK_TITLE = f"Власти Полоцка закрыли старый мост на{NB}ремонт. Объезд займет полчаса"


def body(name: str) -> snapshots.Body:
    return snapshots.Body(name, parse((FIXTURES / name).read_text("utf-8")).paragraphs)


# --- the merge test, alone -------------------------------------------------------------


def test_captures_of_one_story_group_together_and_nothing_else_does():
    names = [*POLOTSK, *QUOTES, "listed_full.txt", "same_title_a.txt", "same_title_b.txt"]
    groups = snapshots.group([body(n) for n in names])
    assert groups == [
        POLOTSK, [QUOTES[0]], [QUOTES[1]], ["listed_full.txt"],
        ["same_title_a.txt"], ["same_title_b.txt"],
    ]


def test_a_shared_long_quote_never_merges_two_stories():
    trams, buses = body(QUOTES[0]), body(QUOTES[1])
    assert not snapshots.same_story(trams, buses)
    # Even when the quote is almost all of one story's body.
    quote = trams.paragraphs[1]
    short = snapshots.Body("short", ("Министерство выступило с заявлением.", quote))
    assert not snapshots.same_story(trams, short)


def test_tolerances_quotes_spaces_caption_and_cut_end():
    a, b, c = (body(n) for n in POLOTSK)
    assert snapshots.same_story(a, b)  # «» vs "", nbsp vs space, caption once vs twice
    assert snapshots.same_story(a, c)  # c is cut after two paragraphs
    # Change the lead and the same paragraphs are another story.
    other = snapshots.Body("x", ("Совсем другое начало новости про другой город и другой мост.",
                                 *a.paragraphs[1:]))
    assert not snapshots.same_story(a, other)


def test_shingle_sets_are_the_word_shingles():
    # group() compares tuples of words; they must be the documented shingles.
    for name in [*POLOTSK, *QUOTES]:
        text = body(name)
        shingled = snapshots._Shingled(text)
        words = [w for p in text.paragraphs for w in snapshots.normalise(p)]
        assert {" ".join(s) for s in shingled.body} == snapshots.shingles(words)
        lead = snapshots.normalise(text.paragraphs[0])
        if len(lead) < snapshots.SHORT_LEAD:
            lead += snapshots.normalise(text.paragraphs[1])
        assert {" ".join(s) for s in shingled.lead} == snapshots.shingles(lead)
    assert snapshots.normalise("«Ёлка», — сказал   он!") == ["елка", "сказал", "он"]


def test_lsh_candidate_rates():
    # A capture of the same story (lead similarity near 1) is always proposed;
    # unrelated leads almost never are (they would only cost a check).
    assert snapshots.candidate_probability(0.8) > 0.9999
    assert snapshots.candidate_probability(0.2) < 0.01


@pytest.mark.parametrize(
    "variant",
    [
        "в лиде открыли каток под открытым небом.",
        "В ЛИДЕ ОТКРЫЛИ КАТОК ПОД ОТКРЫТЫМ НЕБОМ!",
        f"В Лиде открыли каток под{NB}открытым небом",
        "В  Лиде открыли каток под открытым небом…",
    ],
)
def test_headline_key_folds_case_spaces_and_trailing_punctuation(variant):
    assert headline_key(variant) == headline_key("В Лиде открыли каток под открытым небом")


@pytest.mark.parametrize(
    "a, b",
    [
        ("«Мы долго к этому шли»: в Орше", '"Мы долго к этому шли": в Орше'),
        ("Курс вырос — что говорят аналитики", "Курс вырос - что говорят аналитики"),
    ],
)
def test_headline_key_folds_quotes_and_dashes(a, b):
    assert headline_key(a) == headline_key(b)


# --- headline matching -----------------------------------------------------------------

WORDS = (
    "мост ремонт город власти закрыли открыли каток школа больница врачи трамвай "
    "автобус маршрут цены выросли бензин курс доллар суд приговор задержали "
    "выборы депутаты закон налог пенсии граница очередь погода снег мороз"
).split()
NAMES = ["Минск", "Гомель", "Лукашенко", "МВД", "Полоцк", "Брест"]


def reference_best(headline, entities, articles):
    """The matcher's rule, written out plainly: score the (at most
    CANDIDATES) articles sharing the most words, ties to the earlier one."""
    from newsdigest import matching

    headline_stems = [matching.stems(headline)]
    first = matching._FIRST_SENTENCE.split(headline, maxsplit=1)[0]
    if first != headline and len(matching.stems(first)) >= matching.MIN_SENTENCE_STEMS:
        headline_stems.append(matching.stems(first))
    shared = [len(headline_stems[0] & a.stems) for a in articles]
    smallest = min(len(s) for s in headline_stems) or 1
    needed = smallest * (matching.THRESHOLD - matching.MARGIN - matching.ENTITY_WEIGHT) / (
        1 - matching.ENTITY_WEIGHT)
    eligible = [n for n, count in enumerate(shared) if count and count >= needed]
    top = sorted(eligible, key=lambda n: -shared[n])[: matching.CANDIDATES]
    scored = sorted(
        ((matching.score(headline_stems, frozenset(entities), articles[n]), articles[n].key)
         for n in top), reverse=True)
    if not scored or scored[0][0] < matching.THRESHOLD:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < matching.MARGIN:
        return None
    return scored[0][1], scored[0][0]


def test_matcher_scores_like_the_plain_rule():
    import random

    from newsdigest import matching

    rng = random.Random(5)
    articles = [
        matching.candidate(
            str(n), " ".join(rng.sample(WORDS, rng.randint(3, 8))),
            " ".join(rng.sample(WORDS, rng.randint(0, 12))),
            rng.sample(NAMES, rng.randint(0, 2)),
        )
        for n in range(400)  # many share each word: more than CANDIDATES per headline
    ]
    matcher = matching.Matcher(articles)
    found = 0
    for _ in range(600):
        words = rng.sample(WORDS, rng.randint(1, 7))
        if rng.random() < 0.3:
            words.insert(rng.randint(1, len(words)), "рост. Кто")
        headline = " ".join(words)
        entities = rng.sample(NAMES, rng.randint(0, 2))
        expected = reference_best(headline, entities, articles)
        assert matcher.best(headline, entities) == expected, headline
        found += expected is not None
    assert found > 20  # the test reaches the linking branch


def test_minhash_signatures_and_bands_are_datasketchs():
    import random

    import numpy as np
    from datasketch import MinHash, MinHashLSH

    from newsdigest import snapshots

    rng = random.Random(7)
    items = [[f"слово{rng.randint(0, 400)} {rng.randint(0, 40)} шингл {i}".encode()
              for i in range(rng.randint(1, 80))] for _ in range(200)]
    reference = np.vstack([m.hashvalues for m in MinHash.bulk(items, num_perm=snapshots.NUM_PERM)])
    assert np.array_equal(snapshots.signatures(items), reference)
    lsh = MinHashLSH(threshold=snapshots.LSH_THRESHOLD, num_perm=snapshots.NUM_PERM)
    assert (snapshots.BANDS, snapshots.ROWS) == (lsh.b, lsh.r)


def _story(words: list[str], shared: list[str]) -> tuple[str, ...]:
    return (" ".join(words) + ".", " ".join(shared) + ".")


def test_grouping_with_the_last_groupings_verdicts_is_grouping_afresh():
    import random

    rng = random.Random(11)
    vocabulary = [f"слово{n}" for n in range(60)]
    shared = [f"общее{n}" for n in range(80)]  # a long second paragraph: bodies contain each other
    # three pairwise-same bodies, and a chain: a ~ b, b ~ c, a !~ c (their leads overlap less)
    lead = rng.sample(vocabulary, 24)
    bodies = [snapshots.Body(f"same{k}", _story(lead, [*shared, f"хвост{k}"])) for k in range(3)]
    chain = [vocabulary[i : i + 24] for i in (0, 5, 10)]
    bodies += [snapshots.Body(f"chain{k}", _story(words, shared[::-1]))
               for k, words in enumerate(chain)]
    # and stories that share only some words
    for k in range(40):
        words = rng.sample(vocabulary, 24)
        bodies.append(snapshots.Body(f"story{k}", _story(words, rng.sample(shared, 60))))
    assert [g for g in snapshots.group(bodies) if len(g) > 1][:2] == [
        ["same0", "same1", "same2"], ["chain0", "chain1", "chain2"]]

    verdicts = snapshots.Verdicts()  # each build's verdicts from the build before
    for trial in range(30):  # the next build: some bodies gone, some new, some copied
        before = rng.sample(bodies, rng.randint(0, len(bodies)))
        after = rng.sample(bodies, rng.randint(0, len(bodies)))
        for body in rng.sample(before, min(3, len(before))) + rng.sample(after, min(3, len(after))):
            after.insert(rng.randint(0, len(after)), snapshots.Body(f"{body.key}+{trial}",
                                                                    body.paragraphs))
        assert snapshots.group(before, verdicts) == snapshots.group(before), trial
        assert snapshots.group(after, verdicts) == snapshots.group(after), trial
    # every pair of a body gone from between two others (each checked, joined or not)
    for gone in range(6):
        verdicts = snapshots.Verdicts()
        snapshots.group(bodies, verdicts)
        rest = bodies[:gone] + bodies[gone + 1 :]
        assert snapshots.group(rest, verdicts) == snapshots.group(rest)
        assert verdicts.verified == 0  # every verdict was known
    # a capture identical to a lone one of the last grouping (the same page from another mirror)
    copy = snapshots.Body("copy", bodies[-1].paragraphs)
    assert snapshots.same_story(copy, bodies[-1])  # identical bodies with a lead: one story
    verdicts = snapshots.Verdicts()
    snapshots.group(bodies, verdicts)
    assert [bodies[-1].key, "copy"] in snapshots.group([*bodies, copy], verdicts)
    assert snapshots.group([*bodies, copy], verdicts) == snapshots.group([*bodies, copy])

    everything = snapshots.Verdicts()
    snapshots.group(bodies, everything)  # every candidate pair checked
    verdicts = snapshots.Verdicts()
    snapshots.group(bodies[:3] + bodies[4:], verdicts)
    snapshots.group(bodies, verdicts)  # chain0 is new: only its pairs are checked
    assert 0 < verdicts.verified < everything.verified


def test_a_grouping_with_verdicts_reads_only_the_new_bodies(monkeypatch):
    # A daily build: the known bodies' leads are neither shingled nor
    # signed again (their signatures are kept), and their pairs not listed.
    import random

    rng = random.Random(5)
    shared = [f"общее{n}" for n in range(80)]
    bodies = [snapshots.Body(f"story{k}", _story([f"слово{rng.randint(0, 30)}" for _ in range(24)],
                                                 shared))
              for k in range(30)]
    new = snapshots.Body("new", (*bodies[0].paragraphs[:1], " ".join(shared[:70]) + "."))
    verdicts = snapshots.Verdicts()
    snapshots.group(bodies, verdicts)
    assert len(verdicts.leads) == len(bodies) and all(verdicts.leads.values())

    made, signed = [], []
    shingled, signatures = snapshots._Shingled, snapshots.signatures
    monkeypatch.setattr(snapshots, "_Shingled", lambda body: made.append(body.key) or shingled(body))
    monkeypatch.setattr(snapshots, "signatures", lambda items: signed.append(len(items)) or
                        signatures(items))
    groups = snapshots.group([*bodies, new], verdicts)
    assert ["story0", "new"] in groups
    monkeypatch.undo()
    assert groups == snapshots.group([*bodies, new])
    assert signed == [1]  # the new lead only
    assert "new" in made and "story0" in made  # the new body and its candidates
    assert len(made) < len(bodies) / 2
    assert verdicts.verified == len(made) - 1  # the new body's pairs only


def test_merge_verdicts_are_kept_per_rules_and_a_damaged_file_is_set_aside(tmp_path, caplog):
    from newsdigest.corpus import MergeCache

    settings = {"DIGEST_CACHE_PATH": str(tmp_path)}
    cache = MergeCache.open(settings)
    assert cache.load().leads == {}
    cache.save(snapshots.Verdicts({"a": b"\1\2", "b": None, "c": None}, [("b", "a")]))
    kept = MergeCache.open(settings).load()
    assert kept.leads == {"a": b"\1\2", "b": None, "c": None}
    assert kept.same == {("a", "b")}

    # a cache of the version before signatures were kept: replaced, no warning
    (tmp_path / "merge.sqlite3").unlink()
    with sqlite3.connect(tmp_path / "merge.sqlite3") as db:
        db.execute("CREATE TABLE done (digest TEXT PRIMARY KEY)")
        db.execute("INSERT INTO done VALUES ('a')")
    db.close()
    old = MergeCache.open(settings)
    assert old.load().leads == {}  # another version
    old.save(snapshots.Verdicts({"d": b"\3"}))
    assert MergeCache.open(settings).load().leads == {"d": b"\3"}
    assert not [r for r in caplog.records if r.levelname == "WARNING"]

    other = MergeCache.open(settings)
    other.version = "other rules"  # snapshots.py changed: nothing known
    assert other.load().leads == {}
    assert MergeCache.open({**settings, "DIGEST_MERGE_CACHE": False}) is None

    (tmp_path / "merge.sqlite3").write_bytes(b"not a database" * 100)
    assert MergeCache.open(settings).load().leads == {}
    assert (tmp_path / "merge.sqlite3.damaged").is_file()
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"merge: {tmp_path / 'merge.sqlite3'}: file is not a database; starting a new cache"]


# --- a real build -------------------------------------------------------------------


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    dumps = {SEED.name: SEED, **fixture_dumps(*POLOTSK, *QUOTES, *ROUNDUP, "empty.txt")}
    result = run_build(tmp, dumps, {"DIGEST_REPORT": str(tmp / "report.json")})
    assert result.returncode == 0, result.log
    result.report = json.loads((tmp / "report.json").read_text("utf-8"))
    result.roundup = json.loads((result.output / "headlines.json").read_text("utf-8"))
    return result


def polotsk_page(build):
    # The slug comes from the dump itself (its lead), so it stays stable
    # when a later capture brings the real headline.
    pages = list(build.output.glob("2025/02/vlasti-polotska-*.html"))
    assert len(pages) == 1, pages
    return pages[0]


def test_one_page_for_three_captures(build):
    page = polotsk_page(build).read_text("utf-8")
    # the fullest body: capture a has the last paragraph
    assert "Местные жители уже создали в" in page
    assert "Полоцк" in page
    assert len(build.article_files()) == 4  # seed, Polotsk, trams, buses


def test_report_accounts_for_every_file(build):
    files = {entry["file"].rsplit("/", 1)[-1]: entry for entry in build.report["files"]}
    assert sorted(files) == sorted([SEED.name, *POLOTSK, *QUOTES, *ROUNDUP, "empty.txt"])
    status = {name: entry["status"] for name, entry in files.items()}
    assert status == {
        SEED.name: "article",
        "story_polotsk_a.txt": "article",
        "story_polotsk_b.txt": "merged",
        "story_polotsk_c.txt": "merged",
        "quote_story_trams.txt": "article",
        "quote_story_buses.txt": "article",
        "roundup_capture_1.txt": "headlines",
        "roundup_capture_2.txt": "headlines",
        "empty.txt": "rejected",
    }
    keeper = files["story_polotsk_a.txt"]
    assert keeper["captures"] == 3
    assert keeper["url"].startswith("2025/02/") and keeper["url"].endswith(".html")
    for name in ("story_polotsk_b.txt", "story_polotsk_c.txt"):
        assert files[name]["url"] == keeper["url"]
        assert files[name]["merged_into"].endswith("story_polotsk_a.txt")
    assert files["empty.txt"]["reason"] == "empty: no text"
    assert files["empty.txt"]["url"] is None
    assert files["roundup_capture_1.txt"]["headlines"] == 5  # the cut sixth dropped
    assert files["roundup_capture_1.txt"]["truncated"] is True
    assert build.report["counts"] == {
        "dumps": 9, "articles": 4, "merged": 2, "headlines": 2, "rejected": 1,
    }


def test_summary_paragraph_ends_the_build(build):
    summary = build.report["summary"]
    assert summary.startswith("9 dumps: 4 articles, 2 merged captures, 2 headline-only, 1 rejected: ")
    assert summary.endswith("empty.txt (empty: no text).")
    flat = " ".join(build.log.split())
    assert summary.split(": ")[0] in flat and "empty.txt (empty: no text)." in flat


def test_merged_article_takes_the_earliest_date_and_the_resolved_title(build):
    files = {e["file"].rsplit("/", 1)[-1]: e for e in build.report["files"]}
    # Each capture's own date: b has a Date: header, a and c the text's date.
    assert files["story_polotsk_b.txt"]["date"] == "2025-02-16"
    assert files["story_polotsk_a.txt"]["date"] == "2025-02-17"
    # typogrify's widont joins the last two words, as on every title
    title = POLOTSK_TITLE.replace(" полчаса", f"{NB}полчаса")
    assert files["story_polotsk_a.txt"]["title"] == title
    page = build.soup(str(polotsk_page(build).relative_to(build.output)))
    assert page.find("h1").get_text(strip=True) == title
    assert page.find("time")["datetime"].startswith("2025-02-16")


def test_unmatched_article_keeps_its_inferred_title(build):
    files = {e["file"].rsplit("/", 1)[-1]: e for e in build.report["files"]}
    assert files[SEED.name]["title"].startswith("Министр иностранных дел России Сергей Лавров")


def test_roundup_rows_count_captures_and_best_position(build):
    rows = {headline_key(r["text"]): r for r in build.roundup["rows"]}
    expect = {
        "В Лиде открыли каток под открытым небом": (4, 1),
        "Курс доллара снова вырос — что говорят аналитики": (4, 1),
        "Власти Полоцка закрыли старый мост на ремонт. Объезд займет полчаса": (3, 1),
        "«Мы долго к этому шли»: в Орше открылся первый коворкинг": (3, 2),
        "Ночные автобусы вернутся в Минск с марта": (2, 5),
        "Как изменится погода на выходных: синоптики обещают оттепель": (1, 1),
    }
    for text, (count, best) in expect.items():
        row = rows[headline_key(text)]
        assert (row["count"], row["best_position"]) == (count, best), text
    assert not any("Обрыв" in r["text"] for r in build.roundup["rows"])
    # new rows: the seed's 16, capture a's 4, b's 2 (c has none), the first
    # roundup capture's 1 (the second has none), the quote stories' 1
    assert len(build.roundup["rows"]) == 16 + 4 + 2 + 1 + 1


def test_roundup_links_the_headline_of_a_story_in_the_digest(build):
    rows = {headline_key(r["text"]): r for r in build.roundup["rows"]}
    linked = rows[headline_key(POLOTSK_TITLE)]
    files = {e["file"].rsplit("/", 1)[-1]: e for e in build.report["files"]}
    assert linked["article"]["url"] == files["story_polotsk_a.txt"]["url"]
    assert linked["score"] >= 0.6
    linked_rows = [r for r in build.roundup["rows"] if r["article"]]
    assert len(linked_rows) == 1  # no other headline names a story here


def test_every_capture_list_is_kept(build):
    lists = {c["file"].rsplit("/", 1)[-1]: c["headlines"] for c in build.roundup["captures"]}
    assert len(lists["story_polotsk_a.txt"]) == 4
    assert len(lists["story_polotsk_b.txt"]) == 3
    assert len(lists["story_polotsk_c.txt"]) == 2
    assert len(lists[SEED.name]) == 16


def test_the_published_roundup_names_files_without_their_folders(build):
    # headlines.json is published with the site: the dumps' folder (here a
    # temporary one outside the project, in real life /home/name/…) stays private
    text = (build.output / "headlines.json").read_text("utf-8")
    assert str(build.seeds) not in text
    files = [e["file"] for r in build.roundup["rows"] for e in r["seen"]]
    files += [c["file"] for c in build.roundup["captures"]]
    files += [r["article"]["file"] for r in build.roundup["rows"] if r["article"]]
    assert files and all("/" not in f and f.endswith(".txt") for f in files)
    # the local build report keeps the path
    assert any(str(build.seeds) in e["file"] for e in build.report["files"])


def test_same_slug_from_two_dumps_gives_two_pages(tmp_path):
    text = "Slug: odna-i-ta-zhe\nDate: 2025-02-15\n\n  1. А\n/\n\n{}\n"
    dumps = {
        "x.txt": text.format("Первая история про каток в Лиде и его первых посетителей."),
        "y.txt": text.format("Вторая история про новый мост в Полоцке и его ремонт."),
    }
    result = run_build(tmp_path, dumps, {"DIGEST_REPORT": str(tmp_path / "r.json")})
    assert result.returncode == 0, result.log
    first = result.output / "2025/02/odna-i-ta-zhe.html"
    second = result.output / "2025/02/odna-i-ta-zhe-2.html"
    assert "каток" in first.read_text("utf-8")
    assert "мост" in second.read_text("utf-8")


def test_a_slug_that_would_overwrite_a_month_page_is_renamed(tmp_path):
    dumps = {"index.txt": "Slug: index\nDate: 2025-02-15\n\n  1. А\n/\n\n"
                          "История про новый каток в Лиде и его первых посетителей.\n"}
    result = run_build(tmp_path, dumps)
    assert result.returncode == 0, result.log
    assert "каток" in (result.output / "2025/02/index-2.html").read_text("utf-8")
    month = result.soup("2025/02/index.html")  # still the month page, linking the article
    assert any(a.get("href", "").endswith("index-2.html") for a in month.find_all("a"))
    assert any("slug 'index' is taken by a page of the site" in line
               for line in result.log_lines("index.txt"))


def test_many_slug_renames_one_console_line_and_each_in_the_report(tmp_path):
    text = "Slug: odna-i-ta-zhe\nDate: 2025-02-15\n\n  1. А\n/\n\n{}\n"
    stories = [
        "Первая история про каток в Лиде и его первых посетителей.",
        "Вторая история про новый мост в Полоцке и его ремонт.",
        "Третья история про библиотеку в Бобруйске и ее читателей.",
        "Четвертая история про трамваи в Минске и новое расписание.",
        "Пятая история про парк в Гродно и его старые деревья.",
    ]
    dumps = {f"{n}.txt": text.format(story) for n, story in zip("abcde", stories, strict=True)}
    result = run_build(tmp_path, dumps, {"DIGEST_REPORT": str(tmp_path / "r.json")})
    assert result.returncode == 0, result.log
    pages = sorted(p.name for p in result.output.glob("2025/02/odna-i-ta-zhe*.html"))
    assert pages == sorted(f"odna-i-ta-zhe{s}.html" for s in ("", "-2", "-3", "-4", "-5"))
    lines = [line for line in result.log.splitlines() if "WARNING" in line and "slug" in line]
    assert len(lines) == 1, lines
    assert "4 articles were renamed: an earlier dump (or a page of the site) has their slug" \
        in lines[0]
    assert "b.txt -> 'odna-i-ta-zhe-2'; each rename is listed under its file in" in lines[0]
    assert str(tmp_path / "r.json") in lines[0]
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    notes = {e["file"].rsplit("/", 1)[-1]: e["warnings"] for e in report["files"]}
    assert notes["a.txt"] == []
    for name, number in (("b.txt", 2), ("c.txt", 3), ("d.txt", 4), ("e.txt", 5)):
        assert len(notes[name]) == 1, notes[name]
        assert notes[name][0].startswith("slug 'odna-i-ta-zhe' is taken by ")
        assert notes[name][0].endswith(f"a.txt; using 'odna-i-ta-zhe-{number}'")


def test_fix_urls_keeps_each_digest_article_url_for_the_build():
    import datetime as dt

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from newsdigest.corpus import fix_urls

    settings = {**DEFAULT_CONFIG, "ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}.html"}

    def article(slug, **meta):
        return Article("<p>x</p>", {"title": slug, "slug": slug, "date": dt.datetime(2025, 2, 15),
                                    **meta}, settings=settings)

    ours, markdown = article("a", digest_kind="article"), article("b")
    fix_urls([ours, markdown])
    assert ours.override_url == "2025/02/a.html" == ours.url
    assert not hasattr(markdown, "override_url")
    # not the output path: Pelican lets an overridden one overwrite other pages
    assert not hasattr(ours, "override_save_as")
    # the next build (an article from Pelican's cache) computes it afresh
    ours.slug = "a-2"
    fix_urls([ours])
    assert ours.url == "2025/02/a-2.html"
    # a URL the user gave (EXTRA_PATH_METADATA: in the metadata) stays
    chosen = article("c", digest_kind="article", url="special/c")
    fix_urls([chosen])
    assert chosen.url == "special/c"
