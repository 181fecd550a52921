"""Structured facts: what is accepted, how it is stored, and that storing and reading back agree."""

from __future__ import annotations

import math

import pytest

from engram.errors import BadInputError
from engram.learning.branches import context_features
from engram.learning.facts import checked_facts, fact_strings, parse_facts


def test_facts_are_normalised_stored_as_key_value_and_read_back() -> None:
    facts = checked_facts({" Env ": " Production ", "rows": 80_000_000, "ratio": 0.25, "canary": True})
    assert facts == {"env": "Production", "rows": 8e7, "ratio": 0.25, "canary": "true"}
    stored = fact_strings(facts)
    assert stored == ["canary=true", "env=Production", "ratio=0.25", "rows=80000000"]
    assert parse_facts(stored) == facts
    assert checked_facts(parse_facts(stored)) == facts  # checking again changes nothing


def test_facts_become_words_and_numbers_of_the_context() -> None:
    features = context_features("deploy the release", {"env": "production", "rows": 8e7})
    assert "env=production" in features.words and features.numbers["rows"] == 8e7


@pytest.mark.parametrize("facts", [
    ["env"], "env=production", {"a=b": 1}, {"": 1}, {"k" * 65: 1}, {"env": ""}, {"env": "x" * 201},
    {"env": None}, {"env": [1]}, {"env": {"a": 1}}, {"n": math.inf}, {"n": math.nan}, {"n": 10 ** 400},
    {f"k{i}": i for i in range(33)},
])
def test_bad_facts_are_refused(facts: object) -> None:
    with pytest.raises(BadInputError):
        checked_facts(facts)


def test_a_secret_in_a_fact_is_redacted_before_it_is_stored() -> None:
    """Values keep their case, so the secret detectors see them as sent (an AWS key lower-cased is not one)."""
    from engram.memory.builder import build_memory
    from engram.memory.store import MemoryStore
    from engram.privacy.redaction import Redactor

    memory = build_memory(agent="bob", kind="decision", context="deploy", action="x", outcome="success",
                          facts={"aws": "AKIAIOSFODNN7EXAMPLE", "env": "Production"})
    stored = MemoryStore(None, None, Redactor()).as_stored(memory).content.facts  # type: ignore[arg-type]
    assert "AKIAIOSFODNN7EXAMPLE" not in " ".join(stored).upper() and "env=Production" in stored
    assert context_features("deploy", parse_facts(stored)).words >= {"env=production"}
