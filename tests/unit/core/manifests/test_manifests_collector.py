"""The garbage-collector pause: off inside, restored after, survivors moved to the oldest
generation without leaking cycles."""

from __future__ import annotations

import gc
import threading
import weakref

from scheduler.core.manifests import collector


class _Cell:
    def __init__(self) -> None:
        self.other: object = None


def test_the_collector_is_off_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_last_thread_out_turns_it_back_on() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector.paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    with collector.paused():
        pass
    assert not gc.isenabled()  # the worker still holds it
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_survivors_leave_the_young_generation_unscanned() -> None:
    with collector.paused():
        kept = [_Cell() for _ in range(1000)]
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(cell) in young for cell in kept)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(cell) in oldest for cell in kept)
    assert gc.get_count()[0] < 100


def test_a_cycle_made_during_a_pause_is_still_collected() -> None:
    with collector.paused():
        a, b = _Cell(), _Cell()
        a.other, b.other = b, a
        watch = weakref.ref(a)
        del a, b
    assert watch() is not None  # a cycle: only the collector frees it
    gc.collect()
    assert watch() is None
