"""views.saved.shared_once: work several sessions ask for at once is done once."""

from __future__ import annotations

import threading
import time

import pytest

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def test_callers_at_the_same_time_share_one_computation():
    from views.saved import shared_once

    calls: list[int] = []
    barrier = threading.Barrier(4)
    answers: list[object] = []

    def compute() -> list[int]:
        calls.append(1)
        time.sleep(0.2)  # long enough for every caller to arrive meanwhile
        return [len(calls)]

    def ask() -> None:
        barrier.wait()
        answers.append(shared_once(("run", 1), compute))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(answers) == 4 and all(a is answers[0] for a in answers)
    assert shared_once(("run", 2), compute) == [2]  # another key: computed again


def test_a_failed_computation_is_not_kept_and_old_keys_are_dropped():
    from views.saved import shared_once

    def fail() -> None:
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        shared_once("k", fail)
    assert shared_once("k", lambda: 5) == 5
    for i in range(3):
        shared_once(("n", i), lambda i=i: i, max_entries=2)
    assert shared_once(("n", 0), lambda: "again", max_entries=2) == "again"
    assert shared_once(("n", 2), lambda: "again", max_entries=2) == 2


def test_an_answer_not_worth_keeping_is_shared_only_briefly(monkeypatch):
    import views.saved as saved

    clock = [1000.0]
    monkeypatch.setattr(saved.time, "monotonic", lambda: clock[0])
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return f"answer {len(calls)}"

    def keep(answer: str) -> bool:
        return False  # e.g. a time limit reached

    assert saved.shared_once("q", compute, keep=keep, brief_seconds=60) == "answer 1"
    clock[0] += 30
    assert saved.shared_once("q", compute, keep=keep, brief_seconds=60) == "answer 1"
    clock[0] += 31
    assert saved.shared_once("q", compute, keep=keep, brief_seconds=60) == "answer 2"
    assert saved.shared_once("kept", compute) == "answer 3"
    clock[0] += 1e6
    assert saved.shared_once("kept", compute) == "answer 3"
