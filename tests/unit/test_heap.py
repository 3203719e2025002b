"""The collector pause nests, works across threads, and restores the state it found."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from driftui.heap import collector_paused, settle


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


def test_settle_freezes_what_survives() -> None:
    kept = [{"n": i} for i in range(1000)]
    try:
        settle()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
