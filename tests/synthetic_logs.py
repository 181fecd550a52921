"""A made-up log system for grouping tests: templates, values and frequencies drawn from a seed,
so no part of the grouping's design could have seen it."""

from __future__ import annotations

import random
import string

_VALUE_KINDS = ("int", "hex", "ip", "path", "float", "ident", "name", "quoted")


def _random_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10)))


def _value(kind: str, rng: random.Random, names: list[str]) -> str:
    if kind == "int":
        return str(rng.randint(0, 10**rng.randint(1, 9)))
    if kind == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice((8, 12, 16))))
    if kind == "ip":
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))
    if kind == "path":
        return "/" + "/".join(_random_word(rng) for _ in range(rng.randint(1, 4))) + rng.choice(("", ".log", ".dat"))
    if kind == "float":
        return f"{rng.uniform(0, 1000):.{rng.randint(1, 3)}f}"
    if kind == "ident":
        return f"{rng.choice(names)}-{rng.randint(0, 999)}"
    if kind == "name":
        return rng.choice(names)  # a plain word: only its variety says it varies
    return f"'{rng.choice(names)}{rng.randint(0, 99)}'"


def synthetic_system(seed: int, lines: int = 2000) -> tuple[list[str], list[int]]:
    """A made-up log system: random vocabulary, templates with typed and plain-word fields, some
    templates differing from another in one word only, Zipf-like frequencies."""
    rng = random.Random(seed)
    vocabulary = [_random_word(rng) for _ in range(400)]
    templates: list[list[tuple[str, str]]] = []  # (kind, text): a "word" is constant, else text wraps a value
    for _ in range(rng.randint(25, 50)):
        length = rng.randint(3, 12)
        template = []
        for position in range(length):
            variable = rng.random() < (0.2 if position == 0 else 0.3)
            if variable:  # a value, bare or in punctuation: "(v)", "[v]", "key=v", "v,"
                wrapper = rng.choice(("{}", "{}", "({})", "[{}]", rng.choice(vocabulary) + "={}", "{},"))
                template.append((rng.choice(_VALUE_KINDS), wrapper))
            else:
                template.append(("word", rng.choice(vocabulary) + rng.choice(("", "", "", ":", ","))))
        if not any(kind == "word" for kind, _ in template):
            template[-1] = ("word", rng.choice(vocabulary))
        templates.append(template)
        if rng.random() < 0.25:  # a sibling template: one constant word swapped
            words = [i for i, (kind, _) in enumerate(template) if kind == "word"]
            sibling = list(template)
            sibling[rng.choice(words)] = ("word", rng.choice(vocabulary))
            templates.append(sibling)
    names = [[_random_word(rng) for _ in range(rng.randint(20, 60))] for _ in templates]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(templates))]
    rng.shuffle(weights)
    messages, truth = [], []
    for _ in range(lines):
        t = rng.choices(range(len(templates)), weights)[0]
        parts = [text if kind == "word" else text.format(_value(kind, rng, names[t])) for kind, text in templates[t]]
        messages.append(" ".join(parts))
        truth.append(t)
    return messages, truth
