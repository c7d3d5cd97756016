"""Kinds of infrastructure as data: the registry, and 5G/charging unchanged by it."""

from __future__ import annotations

import json

import pytest
from kinds_baseline import FIXTURE, compute


@pytest.fixture(scope="module")
def now():
    return compute()


def test_5g_and_charging_results_identical_to_before_the_registry(now):
    before = json.loads(FIXTURE.read_text())
    assert set(now) == set(before)
    for name, outcome in before.items():
        assert now[name] == outcome, name
