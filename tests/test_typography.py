"""Russian typography on plain text (typus, with our rule set)."""

from __future__ import annotations

import pytest

from newsdigest.typography import typeset

NB = "\u00a0"


@pytest.mark.parametrize(
    "text, expected",
    [
        ('коллаж: "Зеркало".', "коллаж: «Зеркало»."),
        ('Он сказал: "это "Зеркало" и всё"', f"Он{NB}сказал: «это „Зеркало“ и{NB}всё»"),
        ("Рубио и Лавров", f"Рубио и{NB}Лавров"),
        ("он не знал", f"он{NB}не{NB}знал"),
        ("Ракета упала - сообщил он", f"Ракета упала{NB}— сообщил он"),
        ("Ракета упала — сообщил он", f"Ракета упала{NB}— сообщил он"),
        ("в 1990-1995 годах", f"в{NB}1990–1995 годах"),
        # 5-3 is a score, not a range: the hyphen stays.
        ("Счёт 5-3 в пользу гостей", f"Счёт 5-3{NB}в{NB}пользу гостей"),
        ("15 февраля", f"15{NB}февраля"),
        # Already typeset text keeps its non-breaking spaces.
        (f"как освещать{NB}— как в{NB}России", f"как освещать{NB}— как в{NB}России"),
        # Words are never changed: no × for x, no ₽ for р.
        ("атака на X. 3 x 3, 10 р.", f"атака на{NB}X. 3{NB}x{NB}3, 10{NB}р."),
        ("", ""),
    ],
)
def test_typeset(text, expected):
    assert typeset(text) == expected


def test_markup_is_left_as_text():
    # Plain text in, plain text out: escaping is render's job.
    assert typeset("<script>alert(1)</script>") == "<script>alert(1)</script>"
