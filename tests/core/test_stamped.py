"""Stamped: a value rebuilt when its source's version changes (checked on every use) or its
stamp changes (checked every `check_seconds`), and forgotten by `reset`."""

from __future__ import annotations

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
