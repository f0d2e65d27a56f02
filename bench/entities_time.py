"""Entity extraction cost: cold (one process, parallel), warm (cache), memory.

    .venv/bin/python bench/entities_time.py [--count 300] [--workers 2]
    .venv/bin/python bench/entities_time.py --generate-only --count 300

Writes ``--count`` generated dumps (invented text: people, places and
organisations in every case, a sidebar of headlines drawn from a shared
pool) into ``bench/work/entities/`` and measures, each in a fresh process
(so peak memory is that mode's own), the entities step as a build runs it
(:func:`newsdigest.entities.tag_corpus` on articles read through Pelican's
readers, after :func:`newsdigest.corpus.build_corpus`):

* ``cold-1``: an empty cache, extraction in this process;
* ``cold-N``: an empty cache, ``--workers`` processes;
* ``warm``: the cache the cold run filled (the model never loads).

Each on the seed alone and on the generated dumps. Milliseconds per article
are the step's wall time (model load included) over the number of articles;
the step also reads every distinct headline. Peak memory is that of the
whole process tree (the measuring process and its workers), sampled every
20 ms from ``/proc``: summed PSS (shared pages divided between the
processes that map them: the memory the step really takes) and summed RSS
(shared pages counted once per process). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work" / "entities"
SEED = ROOT / "seeds" / "000_80243a7568773db2.txt"
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from bench.memory import peak_tree_memory  # noqa: E402

# --- the generator -------------------------------------------------------------------

#: nominative, genitive, dative, instrumental; past-tense endings (-л/-ла, -лся/-лась)
PEOPLE = [
    ("Николай Дзюба", "Николая Дзюбы", "Николаю Дзюбе", "Николаем Дзюбой", "", "ся"),
    ("Ирина Ковалевская", "Ирины Ковалевской", "Ирине Ковалевской", "Ириной Ковалевской",
     "а", "ась"),
    ("Андрей Карпенко", "Андрея Карпенко", "Андрею Карпенко", "Андреем Карпенко", "", "ся"),
    ("Олег Шпак", "Олега Шпака", "Олегу Шпаку", "Олегом Шпаком", "", "ся"),
    ("Марина Левченко", "Марины Левченко", "Марине Левченко", "Мариной Левченко", "а", "ась"),
    ("Виктор Гурин", "Виктора Гурина", "Виктору Гурину", "Виктором Гуриным", "", "ся"),
    ("Светлана Орлова", "Светланы Орловой", "Светлане Орловой", "Светланой Орловой", "а", "ась"),
    ("Павел Мартынюк", "Павла Мартынюка", "Павлу Мартынюку", "Павлом Мартынюком", "", "ся"),
    ("Елена Савицкая", "Елены Савицкой", "Елене Савицкой", "Еленой Савицкой", "а", "ась"),
    ("Дмитрий Ракович", "Дмитрия Раковича", "Дмитрию Раковичу", "Дмитрием Раковичем", "", "ся"),
]
#: nominative, genitive, prepositional
PLACES = [
    ("Бобруйск", "Бобруйска", "Бобруйске"), ("Гродно", "Гродно", "Гродно"),
    ("Орша", "Орши", "Орше"), ("Минск", "Минска", "Минске"), ("Полоцк", "Полоцка", "Полоцке"),
    ("Литва", "Литвы", "Литве"), ("Польша", "Польши", "Польше"),
    ("Витебск", "Витебска", "Витебске"), ("Брест", "Бреста", "Бресте"),
    ("Германия", "Германии", "Германии"), ("Латвия", "Латвии", "Латвии"),
]
#: nominative, genitive
ORGS = [
    ("Министерство транспорта", "Министерства транспорта"),
    ("Белорусская железная дорога", "Белорусской железной дороги"),
    ("Национальный банк", "Национального банка"),
    ("Министерство здравоохранения", "Министерства здравоохранения"),
    ("Белгидромет", "Белгидромета"),
    ("Евросоюз", "Евросоюза"),
]
DAYS = [("В понедельник", 10), ("Во вторник", 11), ("В среду", 12), ("В четверг", 13),
        ("В пятницу", 14), ("В субботу", 15)]
LEADS = [
    "{day}, {date} марта, {p[0]} встретил{p[5]} с представителями {o[1]} в {l[2]}, сообщила "
    "пресс-служба ведомства.",
    "{day}, {date} марта, в {l[2]} прошло совещание, которое провел{p[4]} {p[0]}; на нем "
    "выступил{q[4]} и {q[0]}.",
    "{day}, {date} марта, {o[0]} объявил о новых правилах, рассказал{p[4]} {p[0]} журналистам "
    "в {l[2]}.",
]
SENTENCES = [
    "По словам {p[1]}, работы в {l[2]} займут не меньше года.",
    "{surname} добавил{p[4]}, что {o[0]} уже выделил на это деньги.",
    "Встреча с {q[3]} прошла в здании {o[1]}.",
    "Жители {l[1]} жаловались {p[2]} на очереди и задержки поездов.",
    "Ранее {q[0]} заявлял{q[4]}, что проект обойдется дешевле, чем в {m[2]}.",
    "Эксперты {o[1]} считают, что спрос в {m[2]} вырастет к лету.",
    "«Мы рассчитываем закончить к осени», — сказал{p[4]} {surname} после встречи.",
    "Делегация из {m[1]} приедет в {l[0]} в апреле.",
    "Переговоры с {q[3]} продлятся до конца месяца, уточнили в пресс-службе {o[1]}.",
    "Стоимость работ пока не называют.",
    "Часть денег выделит {o[0]}, остальное — бюджет {l[1]}.",
]
HEADLINES = [
    "{surname} рассказал{p[4]}, когда закончится ремонт моста в {l[2]}",
    "В {l[2]} открыли новую библиотеку",
    "{o[0]} изменил правила для пассажиров",
    "Синоптики пообещали мокрый снег и туман — прогноз на неделю",
    "{q[0]} назвал{q[4]} сроки ремонта дороги до {m[1]}",
    "Как изменятся тарифы на проезд в {l[2]}",
]


def generate(count: int, folder: Path, seed: int = 20250315) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()

    def slots():
        p, q = rng.sample(PEOPLE, 2)
        place, other = rng.sample(PLACES, 2)
        return {"p": p, "q": q, "l": place, "m": other, "o": rng.choice(ORGS),
                "surname": p[0].split()[-1]}

    pool = [rng.choice(HEADLINES).format(**slots()) for _ in range(80)]
    paths = []
    for number in range(count):
        day, date = rng.choice(DAYS)
        values = slots()
        lead = rng.choice(LEADS).format(day=day, date=date, **values)
        paragraphs = [lead]
        for _ in range(rng.randint(5, 8)):
            paragraphs.append(" ".join(
                rng.choice(SENTENCES).format(**values) for _ in range(rng.randint(2, 4))
            ))
        headlines = rng.sample(pool, 10)
        text = "Поддержать команду Зеркала\n" + "".join(
            f"  {i}. {h}\n" for i, h in enumerate(headlines, 1)
        ) + "/\n\n" + "\n\n".join(paragraphs) + "\n"
        path = folder / f"gen_{number:04d}.txt"
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths


# --- one measurement (in its own process) -------------------------------------------------

#: The benchmark's 5,000 dumps (``make bench`` makes them): the corpus the
#: other entity measurements default to.
BENCH_DUMPS = ROOT / "bench" / "work" / "n5000" / "dumps"


def cold_step(paths: list[Path], **override):
    """One cold entities step (an empty cache, the reader cache off) on
    ``paths``: (the generator, the step's wall seconds, its CPU seconds with
    the workers'). ``override``: Pelican settings beside the defaults."""
    from pelican.settings import read_settings

    import newsdigest
    from newsdigest import entities

    newsdigest.register()
    with tempfile.TemporaryDirectory() as cache:
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={
            "DIGEST_REFERENCE_DATE": "2026-11-25", "DIGEST_CACHE_PATH": cache,
            "DIGEST_READER_CACHE": False, **override,
        })
        generator, corpus = read_generator(paths, settings)
        cpu, began = cpu_seconds(), time.perf_counter()
        entities.tag_corpus(generator, corpus)
        return generator, time.perf_counter() - began, cpu_seconds() - cpu


def read_generator(paths: list[Path], settings: dict):
    """The dumps read through Pelican's readers into a stand-in for the
    article generator, and sorted into a corpus: what the entities step is
    given in a build (``newsdigest.register()`` first)."""
    from pelican.contents import Article
    from pelican.readers import Readers

    from newsdigest.corpus import build_corpus

    readers = Readers(settings)
    generator = SimpleNamespace(settings=settings, context={}, tags=defaultdict(list),
                                articles=[], hidden_articles=[])
    for path in paths:
        article = readers.read_file(base_path=str(path.parent), path=path.name,
                                    content_class=Article, context={})
        (generator.articles if article.status == "published"
         else generator.hidden_articles).append(article)
    return generator, build_corpus(generator)


def measure(paths: list[Path], cache: Path, workers: int) -> dict:
    from pelican.settings import read_settings

    import newsdigest
    from newsdigest import entities

    newsdigest.register()
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "DIGEST_REFERENCE_DATE": "2025-12-31",
        "DIGEST_CACHE_PATH": str(cache),
        "DIGEST_ENTITY_WORKERS": workers,
        "DIGEST_ENTITY_PARALLEL_MIN": 0 if workers > 1 else 10**12,
    })
    generator, corpus = read_generator(paths, settings)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = cpu_seconds()
    began = time.perf_counter()
    stats = entities.tag_corpus(generator, corpus)
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_before
    return {
        "articles": len(generator.articles),
        "texts": stats.texts, "hits": stats.hits, "extracted": stats.extracted,
        "workers": stats.workers, "seconds": seconds, "model_seconds": stats.seconds,
        "cpu_seconds": cpu,
        "rss_before_mib": before / 1024,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the workers)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF),
                      resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def run(paths: list[Path], cache: Path, workers: int) -> dict:
    """:func:`measure` in a fresh interpreter, its process tree's memory sampled."""
    command = [sys.executable, __file__, "--measure", str(cache), str(workers),
               *map(str, paths)]
    with tempfile.TemporaryFile("w+") as out, subprocess.Popen(
        command, stdout=out, stderr=subprocess.DEVNULL, text=True
    ) as process:
        peak_rss, peak_pss = peak_tree_memory(process, 0.02)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, command)
        out.seek(0)
        result = json.loads(out.read().strip().splitlines()[-1])
    return {**result, "tree_rss_mib": peak_rss / 2**20, "tree_pss_mib": peak_pss / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        cache, workers, *paths = args.measure
        print(json.dumps(measure([Path(p) for p in paths], Path(cache), int(workers))))
        return
    generated = generate(args.count, WORK)
    if args.generate_only:
        print(f"{len(generated)} dumps in {WORK}")
        return
    print("| corpus | mode | articles | texts read by the model | step s | ms/article "
          "| CPU s | peak MiB, process tree: PSS (RSS) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    caches = []
    for label, paths in [("seed", [SEED]), (f"{args.count} generated", generated)]:
        for mode, workers in [("cold, 1 process", 1), (f"cold, {args.workers} processes",
                                                        args.workers), ("warm", 1)]:
            if mode.startswith("cold"):
                cache = Path(tempfile.mkdtemp(prefix="entity-cache-"))
                caches.append(cache)
            result = run(paths, cache, workers)
            print(
                f"| {label} | {mode} | {result['articles']} | {result['extracted']} of "
                f"{result['texts']} | {result['seconds']:.2f} | "
                f"{1000 * result['seconds'] / max(1, result['articles']):.1f} | "
                f"{result['cpu_seconds']:.2f} | "
                f"{result['tree_pss_mib']:.0f} ({result['tree_rss_mib']:.0f}) |"
            )
    for cache in caches:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
