"""Stamped: a value rebuilt when its source's version changes (checked on every use) or its
stamp changes (checked every `check_seconds`), and forgotten by `reset`."""

from __future__ import annotations

import threading
import time

from ptce.core.stamped import Stamped


class Source:
    def __init__(self) -> None:
        self.version, self.stamp, self.builds = 0, "a", 0

    def build(self) -> tuple[int, str]:
        self.builds += 1
        return (self.version, self.stamp)


def cache(source: Source, check_seconds: float) -> Stamped[tuple[int, str]]:
    return Stamped(source.build, lambda: source.stamp, check_seconds, lambda: source.version)


def test_a_new_version_rebuilds_at_the_next_use():
    source = Source()
    values = cache(source, check_seconds=3600)
    assert values.get() == (0, "a")
    assert values.get() == (0, "a")
    assert source.builds == 1
    source.version = 1  # another process wrote
    assert values.get() == (1, "a")
    assert values.get() == (1, "a")
    assert source.builds == 2


def test_the_stamp_is_read_every_check_seconds():
    source = Source()
    lazy = cache(source, check_seconds=3600)
    lazy.get()
    source.stamp = "b"  # a write that raised no version
    assert lazy.get() == (0, "a")  # not yet checked
    eager_source = Source()
    eager = cache(eager_source, check_seconds=0)
    eager.get()
    eager_source.stamp = "b"
    assert eager.get() == (0, "b")
    assert eager_source.builds == 2
    assert eager.get() == (0, "b")
    assert eager_source.builds == 2  # same stamp, same version: no rebuild


def test_reset_forgets_the_value():
    source = Source()
    values = cache(source, check_seconds=3600)
    values.get()
    values.reset()
    values.get()
    assert source.builds == 2


def test_without_a_version_only_the_stamp_counts():
    source = Source()
    values = Stamped(source.build, lambda: source.stamp, 0)
    values.get()
    source.version = 5
    values.get()
    assert source.builds == 1


class SlowSource(Source):
    """A build that waits for `release` after the first one (a national directory)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.threads_done: list[str] = []
        self.fail = False

    def build(self) -> tuple[int, str]:
        if self.fail:
            raise RuntimeError("database gone")
        if self.builds:
            assert self.release.wait(5)
        return super().build()


def slow_cache(source: SlowSource) -> Stamped[tuple[int, str]]:
    return Stamped(
        source.build,
        lambda: source.stamp,
        3600,
        lambda: source.version,
        background_after=0.0,  # every build counts as slow
        thread_done=lambda: source.threads_done.append(threading.current_thread().name),
    )


def wait_until(condition) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_slow_value_is_rebuilt_beside_while_the_old_one_answers():
    source = SlowSource()
    values = slow_cache(source)
    assert values.get() == (0, "a")  # the first build waits: there is nothing to answer
    source.version = 1
    assert values.get() == (0, "a")  # out of date: answered at once, rebuilt beside
    assert values.refreshing
    assert values.get() == (0, "a")  # one rebuild at a time
    source.release.set()
    wait_until(lambda: not values.refreshing)
    assert values.get() == (1, "a")
    assert source.builds == 2
    assert source.threads_done == ["stamped-rebuild"]  # closed in the thread


def test_a_rebuild_started_before_a_reset_is_dropped():
    source = SlowSource()
    values = slow_cache(source)
    values.get()
    source.version = 1
    values.get()
    values.reset()  # e.g. another test's database
    source.version = 2
    source.release.set()
    wait_until(lambda: not values.refreshing)
    assert values.get() == (2, "a")  # built after the reset, not the thread's (1, "a")


def test_a_failed_rebuild_keeps_the_old_value():
    source = SlowSource()
    values = slow_cache(source)
    values.get()
    source.version = 1
    source.fail = True
    assert values.get() == (0, "a")
    wait_until(lambda: not values.refreshing)
    assert values.get() == (0, "a")
    assert source.threads_done  # closed after the failure too


def test_expire_rebuilds_at_the_next_use_without_a_new_version():
    source = Source()
    values = cache(source, check_seconds=3600)
    values.get()
    source.stamp = "b"  # this process's own write, its version raised only at the commit
    values.expire()
    assert values.get() == (0, "b")
    assert source.builds == 2
    values.get()
    assert source.builds == 2


def test_expire_of_a_slow_value_rebuilds_beside():
    source = SlowSource()
    values = slow_cache(source)
    values.get()
    source.stamp = "b"
    values.expire()
    assert values.get() == (0, "a")  # answered at once
    source.release.set()
    wait_until(lambda: not values.refreshing)
    assert values.get() == (0, "b")
