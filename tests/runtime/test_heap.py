"""The collector pause nests, works across threads, and restores the state it found."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from driftui.runtime import heap
from driftui.runtime.heap import collector_paused, keep_all, settle


@pytest.fixture(autouse=True)
def restore_collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_pauses_nest_and_the_last_one_resumes() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_pause_in_another_thread_keeps_it_off_until_both_end() -> None:
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's pause is still open
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_an_error_still_resumes_and_a_disabled_collector_stays_off() -> None:
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_settle_collects_after_the_first_job_then_when_idle_or_long_overdue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            collections.append(1)

    def collected_by_settle(*, idle: bool) -> int:
        before = len(collections)
        ran = settle(idle=idle)
        assert ran == (len(collections) > before)
        return len(collections) - before

    def jobs(n: int) -> None:
        for _ in range(n):
            keep_all()

    monkeypatch.setattr(heap, "_kept", 0)
    monkeypatch.setattr(heap, "_collected_at", None)
    gc.callbacks.append(count)
    try:
        assert collected_by_settle(idle=False) == 0  # nothing frozen yet
        kept = [[i] for i in range(1000)]  # lists are always tracked; small dicts may not be
        jobs(1)
        assert collected_by_settle(idle=False) == 1 and gc.get_freeze_count() >= len(kept)
        jobs(heap.COLLECT_EVERY - 1)
        assert collected_by_settle(idle=True) == 0  # not enough garbage to be worth it
        jobs(1)
        assert collected_by_settle(idle=False) == 0  # the user is typing: wait
        assert collected_by_settle(idle=True) == 1
        more = [[i] for i in range(1000)]
        jobs(heap.FORCE_AFTER - 1)
        assert collected_by_settle(idle=False) == 0
        jobs(1)
        assert collected_by_settle(idle=False) == 1  # overdue: even mid-typing
        assert gc.get_freeze_count() >= len(kept) + len(more)
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()
