"""The collector pause nests, works across threads, and restores the state it found."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.runtime import heap
from driftui.runtime.heap import Since, collection_due, collector_paused, keep_all, settle


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


def since(scans: int = 0, growth: float = 0.0, *, first: bool = False) -> Since:
    then = 0 if first else 1_000_000
    return Since(scans, then, int(1_000_000 * (1 + growth)))


def test_the_first_scan_is_followed_by_a_collection_even_mid_typing() -> None:
    assert not collection_due(since(first=True), idle=False)  # nothing frozen yet
    assert collection_due(since(scans=1, first=True), idle=False)


def test_while_the_user_types_only_growth_forces_a_collection() -> None:
    """Issue 21: a full collection forced every 20 jobs, ~0.5 s each on 10,000 objects,
    made key p95 198 ms while watch-event batches arrived twice a second."""
    assert not collection_due(since(scans=1_000, growth=heap.FORCE_GROWTH / 2), idle=False)
    assert collection_due(since(growth=heap.FORCE_GROWTH), idle=False)


def test_idle_collections_wait_for_enough_scans_or_enough_growth() -> None:
    assert not collection_due(since(scans=heap.COLLECT_EVERY - 1), idle=True)
    assert collection_due(since(scans=heap.COLLECT_EVERY), idle=True)
    assert not collection_due(since(scans=heap.COLLECT_EVERY), idle=False)  # typing: wait
    assert not collection_due(since(growth=heap.IDLE_GROWTH / 2), idle=True)
    assert collection_due(since(growth=heap.IDLE_GROWTH), idle=True)


def test_idle_collections_that_take_seconds_wait_as_many_times_longer() -> None:
    """bench_scale: a keystroke waited 4.6 s behind the full collection of 100,000 objects,
    set off by the filter's caches growing the heap by the idle 2%."""
    slow = heap.COST_BUDGET * 8
    grown = replace(since(growth=heap.IDLE_GROWTH * 4), cost=slow)
    assert not collection_due(grown, idle=True)
    assert collection_due(
        replace(grown, blocks_now=int(1_000_000 * (1 + heap.IDLE_GROWTH * 8))), idle=True
    )
    assert not collection_due(replace(since(scans=heap.COLLECT_EVERY * 4), cost=slow), idle=True)
    assert collection_due(replace(since(scans=heap.COLLECT_EVERY * 8), cost=slow), idle=True)
    # the bound on garbage while typing holds whatever a collection costs
    assert collection_due(replace(since(growth=heap.FORCE_GROWTH), cost=slow), idle=False)
    assert collection_due(replace(since(growth=heap.IDLE_GROWTH), cost=heap.COST_BUDGET), idle=True)


@given(scans=st.integers(0, 10_000), growth=st.floats(-0.5, 5.0), idle=st.booleans())
def test_typing_is_interrupted_only_past_the_growth_bound_and_it_always_is(
    scans: int, growth: float, idle: bool
) -> None:
    due = collection_due(since(scans, growth), idle=idle)
    if growth >= heap.FORCE_GROWTH:
        assert due
    elif not idle:
        assert not due


def test_settle_measures_growth_from_its_last_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            collections.append(1)

    def settled(*, idle: bool) -> bool:
        before = len(collections)
        ran = settle(idle=idle)
        assert ran == (len(collections) > before)
        return ran

    monkeypatch.setattr(heap, "_scans", 0)
    monkeypatch.setattr(heap, "_blocks_then", 0)
    gc.callbacks.append(count)
    try:
        assert not settled(idle=False)  # nothing frozen yet
        kept = [[i] for i in range(1000)]  # lists are always tracked; small dicts may not be
        keep_all()
        assert settled(idle=False) and gc.get_freeze_count() >= len(kept)
        assert heap._blocks_then > 0 and heap._scans == 0
        monkeypatch.setattr(heap, "_blocks_then", sys.getallocatedblocks() * 2)  # shrank
        assert not settled(idle=False)
        monkeypatch.setattr(heap, "_blocks_then", int(sys.getallocatedblocks() / 1.5))
        assert settled(idle=False)  # grew by half: even mid-typing
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()


def test_a_kept_job_freezes_what_it_made_when_the_last_pause_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scan (``keep=True``) leaves nothing young for the collector to walk: the first
    collection after a pause would walk every object it made. A nested scan leaves the
    freezing to the outer job, and one that fails freezes nothing."""
    monkeypatch.setattr(heap, "_scans", 0)
    gc.unfreeze()
    try:
        with collector_paused():
            with collector_paused(keep=True):
                made = [[i] for i in range(1000)]
            assert gc.get_freeze_count() == 0  # nested: the outer pause still holds
        assert gc.get_freeze_count() == 0  # the outer job does not keep
        with pytest.raises(ValueError), collector_paused(keep=True):
            raise ValueError("boom")
        assert gc.get_freeze_count() == 0 and heap._scans == 0
        with collector_paused(keep=True):
            made += [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= len(made) and heap._scans == 1
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_what_outlives_a_full_collection_is_frozen_and_a_younger_one_freezes_nothing() -> None:
    """CPython's own full collections walk every object not frozen: watching replaces the
    frozen scan object by object, and those walks grew to 0.3-0.7 s (bench_watch)."""
    gc.disable()  # only the collections asked for here
    gc.callbacks.append(heap.freeze_survivors)
    try:
        gc.unfreeze()
        kept = [[i] for i in range(1_000)]
        gc.collect(1)
        assert gc.get_freeze_count() == 0
        gc.collect()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.callbacks.remove(heap.freeze_survivors)
        gc.unfreeze()


def test_settle_waits_while_a_job_has_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rescan grows the heap by the report it builds: that growth is not garbage, and a
    full collection then walks the whole heap on the screen's thread."""
    monkeypatch.setattr(heap, "_scans", 1)
    monkeypatch.setattr(heap, "_blocks_then", 0)  # due: the first after a scan
    with collector_paused():
        assert not settle(idle=True)
    try:
        assert settle(idle=True)
    finally:
        gc.unfreeze()


def test_a_key_hold_stops_the_collector_and_a_scan_ending_under_it_still_freezes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Holds for input and bulk jobs stop the collector together; only the jobs decide the
    freezing, so a scan that lands while a key's frame is drawn still freezes its report."""
    monkeypatch.setattr(heap, "_scans", 0)
    gc.enable()
    gc.unfreeze()
    try:
        heap.hold_for_input()
        assert not gc.isenabled()
        with collector_paused(keep=True):
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= len(made) and heap._scans == 1
        assert not gc.isenabled()  # the key's frame is not drawn yet
        assert settle(idle=True) is False  # nor does the explorer's policy collect
        heap.release_input()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
