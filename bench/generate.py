"""A deterministic corpus of synthetic dumps, and the same stories as Markdown.

    .venv/bin/python -m bench.generate N FOLDER

Dumps in the shape of real ones (invented text): chrome lines, a numbered
headline list (the site's sidebar), ``/``, a lead with a weekday date, a
photo caption given twice, body paragraphs with direct speech. Of the N
dumps about 80 % are one capture of a story, about 10 % another capture of a
story already in the corpus (other chrome and list, other quote characters,
the caption once, cut after a few paragraphs) and about 10 % headline-only
captures cut inside the list. The Markdown side has one file per story with
its title, date and five tags: what a user would write by hand for plain
Pelican.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.entities_time import HEADLINES, ORGS, PEOPLE, PLACES, SENTENCES

MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]
WEEKDAYS = ["В понедельник", "Во вторник", "В среду", "В четверг", "В пятницу",
            "В субботу", "В воскресенье"]
CHROME = [
    ["Поддержать команду Зеркала"],
    ["Поддержать команду Зеркала", "Беларусы на войне"],
    ["Падтрымаць каманду Люстэрка", "Беларусы на вайне"],
    ["Поддержать команду Зеркала", "Реклама на сайте", "Белорусы на войне"],
    [],
]
LEADS = [
    "{weekday}, {day} {month}, {p[0]} встретил{p[5]} с представителями {o[1]} в {l[2]}, "
    "сообщила пресс-служба ведомства. На встрече обсуждали ремонт дорог и новые правила.",
    "{weekday}, {day} {month}, в {l[2]} прошло совещание, которое провел{p[4]} {p[0]}; "
    "на нем выступил{q[4]} и {q[0]}, рассказали в {o[1]}.",
    "{weekday}, {day} {month}, {o[0]} объявил о новых правилах для жителей {l[1]}, "
    "рассказал{p[4]} {p[0]} журналистам после встречи с {q[3]}.",
]
QUOTE = ("«Мы рассчитываем закончить работы к осени и не закрывать движение полностью», "
         "— сказал{p[4]} {surname} после встречи.")


@dataclass
class Story:
    number: int
    date: dt.date
    title: str
    paragraphs: list[str]
    caption: str
    tags: list[str]
    sidebar: list[str] = field(default_factory=list)


def _slots(rng: random.Random) -> dict:
    p, q = rng.sample(PEOPLE, 2)
    place, other = rng.sample(PLACES, 2)
    return {"p": p, "q": q, "l": place, "m": other, "o": rng.choice(ORGS),
            "surname": p[0].split()[-1]}


def stories(count: int, seed: int = 20250315) -> list[Story]:
    rng = random.Random(seed)
    start = dt.date(2025, 1, 1)
    result = []
    for number in range(count):
        values = _slots(rng)
        date = start + dt.timedelta(days=rng.randrange(330))
        lead = rng.choice(LEADS).format(
            weekday=WEEKDAYS[date.weekday()], day=date.day, month=MONTHS[date.month - 1],
            **values)
        paragraphs = [lead]
        while sum(map(len, paragraphs)) < 2700:
            paragraphs.append(" ".join(
                rng.choice(SENTENCES).format(**values) for _ in range(rng.randint(2, 4))))
        paragraphs.insert(rng.randint(2, len(paragraphs) - 1), QUOTE.format(**values))
        title = rng.choice(HEADLINES).format(**values) + f" ({number})"
        tags = [values["p"][0], values["q"][0], values["l"][0], values["m"][0],
                values["o"][0]]
        caption = f"{values['p'][0]}, {values['l'][0]}. Фото: example.org, коллаж: \"Зеркало\"."
        result.append(Story(number, date, title, paragraphs, caption, tags))
    for story in result:
        story.sidebar = [s.title for s in rng.sample(result, min(16, len(result)))]
    return result


def dump_text(story: Story, rng: random.Random, repeat: bool = False,
              headlines_only: bool = False) -> str:
    chrome = rng.choice(CHROME)
    sidebar = rng.sample(story.sidebar, len(story.sidebar))
    if headlines_only:
        cut = rng.randint(8, min(11, len(sidebar)))
        items = "".join(f"  {i}. {h}\n" for i, h in enumerate(sidebar[:cut], 1))
        partial = sidebar[cut % len(sidebar)]
        return "\n".join(chrome) + "\n" + items + f"  {cut + 1}. {partial[: len(partial) // 2]}"
    items = "".join(f"  {i}. {h}\n" for i, h in enumerate(sidebar, 1))
    caption = story.caption
    captions = [caption, caption.replace('"Зеркало"', "«Зеркало»")]
    paragraphs = list(story.paragraphs)
    if repeat:  # another capture: other quotes, one caption, cut at the end
        paragraphs = [p.replace("«", '"').replace("»", '"') for p in paragraphs]
        paragraphs = paragraphs[: rng.randint(3, len(paragraphs))]
        captions = captions[1:]
    body = [paragraphs[0], "\n".join(captions), *paragraphs[1:]]
    return "\n".join(chrome) + "\n" + items + "\n\n/\n\n" + "\n\n".join(body)


def markdown_text(story: Story) -> str:
    return (
        f"Title: {story.title}\nDate: {story.date.isoformat()}\n"
        f"Tags: {', '.join(story.tags)}\n\n" + "\n\n".join(story.paragraphs) + "\n"
    )


def write(count: int, dumps: Path, markdown: Path, extra: int = 0,
          seed: int = 20250315) -> tuple[list[Path], list[Path]]:
    """``count`` dumps (and ``extra`` more, for a daily rebuild, named
    ``new_*``) and the Markdown of their stories. Returns the extra paths
    (dumps, Markdown), which callers add and remove."""
    rng = random.Random(seed + 1)
    all_stories = stories(count + extra, seed)
    regular, added = all_stories[:count], all_stories[count:]
    for folder in (dumps, markdown):
        folder.mkdir(parents=True, exist_ok=True)
    written = 0
    index = 0
    while written < count:
        story = regular[index % len(regular)]
        roll = rng.random()
        kind = "article" if roll < 0.8 or index < 10 else ("repeat" if roll < 0.9 else "list")
        if kind == "article":
            text = dump_text(story, rng)
            (markdown / f"story_{story.number:05d}.md").write_text(markdown_text(story), "utf-8")
            index += 1
        else:
            earlier = regular[rng.randrange(max(1, index))]
            text = dump_text(earlier, rng, repeat=kind == "repeat",
                             headlines_only=kind == "list")
        (dumps / f"dump_{written:05d}.txt").write_text(text, "utf-8")
        written += 1
    extra_dumps, extra_md = [], []
    for story in added:
        path = dumps.parent / "extra" / f"new_{story.number:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(dump_text(story, rng), "utf-8")
        md = markdown.parent / "extra-md" / f"new_{story.number:05d}.md"
        md.parent.mkdir(exist_ok=True)
        md.write_text(markdown_text(story), "utf-8")
        extra_dumps.append(path)
        extra_md.append(md)
    return extra_dumps, extra_md


if __name__ == "__main__":
    n, folder = int(sys.argv[1]), Path(sys.argv[2])
    write(n, folder / "dumps", folder / "md", extra=50)
    print(f"{n} dumps in {folder / 'dumps'}, Markdown in {folder / 'md'}")
